# `services.codex-runtime`: codex-runtime serve as a per-user service, for NixOS and for
# home-manager (one module body, two shapes of the same unit). Exported by /flake.nix as
# nixosModules.default and homeManagerModules.default; evaluated offline by
# checks/nix-eval.sh. The unit matches what `codex-runtime service install` writes
# (crates/runtime/src/service.rs): restart on failure, a 35 s stop timeout for the drain,
# umask 077, no secrets in the unit (a client key is read from clientKeyFile at start).
#
# kind: "nixos" or "home-manager"; defaultPackage: pkgs -> the codex-kit package.
{ kind, defaultPackage }:
{ config, lib, pkgs, ... }:
let
  cfg = config.services.codex-runtime;
  inherit (lib) mkEnableOption mkOption mkIf mkMerge types;

  argv = [ "${cfg.package}/bin/codex-runtime" "serve" "--listen" cfg.listen ]
    ++ lib.optionals (cfg.clientKeyFile != null) [ "--client-key-file" (toString cfg.clientKeyFile) ]
    ++ cfg.extraArgs;

  description = "codex-runtime: rotating proxy from OpenCode to the Codex backend";

  serviceConfig = {
    ExecStart = lib.escapeShellArgs argv;
    Restart = "on-failure";
    RestartSec = 2;
    TimeoutStopSec = 35;
    KillSignal = "SIGTERM";
    UMask = "0077";
    NoNewPrivileges = true;
    PrivateTmp = true;
  };

  launchdAgent = {
    enable = true;
    config = {
      Label = "dev.codex-kit.runtime";
      ProgramArguments = argv;
      RunAtLoad = true;
      KeepAlive = { SuccessfulExit = false; };
      ThrottleInterval = 10;
      ExitTimeOut = 35;
      Umask = 63;
      ProcessType = "Background";
    };
  };
in
{
  options.services.codex-runtime = {
    enable = mkEnableOption "codex-runtime serve, the rotating proxy from OpenCode to the Codex backend, as a per-user service";
    package = mkOption {
      type = types.package;
      default = defaultPackage pkgs;
      description = "The codex-kit package providing bin/codex-runtime.";
    };
    listen = mkOption {
      type = types.str;
      default = "127.0.0.1:11455";
      description = "Address serve listens on. A non-loopback address also needs clientKeyFile and --allow-remote in extraArgs.";
    };
    clientKeyFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = "File whose first line is the key clients must send (never put the key itself in the unit).";
    };
    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "More `codex-runtime serve` options.";
    };
  };

  config = mkIf cfg.enable (
    if kind == "nixos" then {
      systemd.user.services.codex-runtime = {
        inherit description serviceConfig;
        wantedBy = [ "default.target" ];
        after = [ "network-online.target" ];
        wants = [ "network-online.target" ];
      };
    } else mkMerge [
      (mkIf pkgs.stdenv.isLinux {
        systemd.user.services.codex-runtime = {
          Unit = {
            Description = description;
            After = [ "network-online.target" ];
            Wants = [ "network-online.target" ];
          };
          Service = serviceConfig;
          Install.WantedBy = [ "default.target" ];
        };
      })
      (mkIf pkgs.stdenv.isDarwin {
        launchd.agents.codex-runtime = launchdAgent;
      })
    ]
  );
}
