# Stub of the crane flake, owned by checks/nix-eval.sh (offline evaluation).
# `mkLib pkgs` returns the craneLib functions /flake.nix and /checks/default.nix
# call. Each builder checks the arguments real crane requires and returns a
# trivial real derivation carrying all its arguments (forced via toJSON), so a
# typo or a missing input still fails evaluation. No inputs, on purpose.
{
  description = "offline stub of crane for evaluating codex-kit's flake";

  outputs = { self }: {
    mkLib = pkgs:
      let
        require = fn: names: args:
          let missing = builtins.filter (n: !(args ? ${n})) names; in
          if missing == [ ] then args
          else throw "crane stub: ${fn} is missing argument(s): ${toString missing}";

        # named like crane's derivations: <pname>-<version><suffix>
        mkDrv = fn: suffix: required: args0:
          let
            args = require fn required args0;
            drv = builtins.derivation {
              name = args.name or "${args.pname or "crate"}-${args.version or "0.0.0"}${suffix}";
              inherit (pkgs) system;
              builder = "/bin/sh";
              args = [ "-c" "echo stub > $out" ];
              stubArgs = builtins.toJSON (builtins.removeAttrs args [ "meta" ]);
            };
          in
          # like mkDerivation, the arguments stay readable as attributes
          drv // builtins.removeAttrs args [ "name" "system" "builder" "args" ];

        filterCargoSources = path: type:
          let base = baseNameOf (toString path); in
          type == "directory"
          || builtins.any (s: builtins.match ".*\\${s}" base != null) [ ".rs" ".toml" ]
          || base == "Cargo.lock";
      in
      {
        inherit filterCargoSources;
        path = p: builtins.path { path = p; name = "source"; };
        cleanCargoSource = src: builtins.path { path = src; name = "source"; filter = filterCargoSources; };
        buildDepsOnly = mkDrv "buildDepsOnly" "-deps" [ "src" ];
        buildPackage = mkDrv "buildPackage" "" [ "src" ];
        cargoClippy = mkDrv "cargoClippy" "-clippy" [ "src" "cargoArtifacts" ];
        cargoFmt = mkDrv "cargoFmt" "-fmt" [ "src" ];
        cargoTest = mkDrv "cargoTest" "-test" [ "src" "cargoArtifacts" ];
        cargoNextest = mkDrv "cargoNextest" "-nextest" [ "src" "cargoArtifacts" ];
        devShell = args: mkDrv "devShell" "" [ ] ({ name = "nix-shell"; } // args);
      };
  };
}
