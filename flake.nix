# Nix packaging for codex-kit: owns packages, apps, checks and the dev shell.
#
# flake.lock is deliberately not committed yet: generate it with `nix flake lock`
# on a machine where nixpkgs and crane are reachable. Offline, checks/nix-eval.sh
# evaluates this flake against the stub inputs in checks/stub-inputs/ instead.
#
#   nix build                 # both binaries: result/bin/codex-doctor, codex-runtime
#   nix run . -- --json       # codex-doctor (also .#doctor); .#runtime for codex-runtime
#   nix flake check           # build, clippy, fmt, tests, doctor-smoke (checks/default.nix)
#   nix develop               # cargo, rustc, clippy, rustfmt, rust-analyzer, just, hyperfine, node
#   nixosModules.default / homeManagerModules.default: services.codex-runtime
{
  description = "codex-kit: codex-doctor and codex-runtime for OpenCode + opencode-codex-auth";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    crane.url = "github:ipetkov/crane";
  };

  outputs = { self, nixpkgs, crane }:
    let
      inherit (nixpkgs) lib;
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      cargoToml = builtins.fromTOML (builtins.readFile ./Cargo.toml);
      inherit (cargoToml.workspace.package) version;
      msrv = cargoToml.workspace.package.rust-version;

      # Everything for one system, computed once and shared by all outputs.
      perSystem = system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
          craneLib = crane.mkLib pkgs;

          # crane's cleanCargoSource keeps only Rust/Cargo files; the tests also
          # read JSON/JSONC fixtures, insta snapshots and markdown, and the OpenCode
          # bridge (plain JavaScript) is tested and installed with the binaries.
          root = toString ./.;
          src = lib.cleanSourceWith {
            src = ./.;
            name = "codex-kit-source";
            filter = path: type:
              let rel = lib.removePrefix "${root}/" (toString path); in
              !(builtins.elem rel [ "target" ".cache" "result" ])
              && (craneLib.filterCargoSources path type
                || builtins.match ".*\\.(json|jsonc|snap|md)" rel != null
                || builtins.match "(crates/[^/]+/)?tests(/.*)?" rel != null
                || builtins.match "crates/runtime/opencode-bridge(/.*)?" rel != null);
          };

          commonArgs = {
            inherit src version;
            pname = "codex-kit";
            strictDeps = true;
            buildInputs = lib.optionals pkgs.stdenv.isDarwin [ pkgs.libiconv ];
          };

          # Dependencies built once, reused by the package, clippy and tests.
          cargoArtifacts = craneLib.buildDepsOnly commonArgs;

          codex-kit =
            if !(lib.versionAtLeast pkgs.rustc.version msrv)
            then throw "codex-kit needs rustc >= ${msrv}; nixpkgs has ${pkgs.rustc.version}"
            else craneLib.buildPackage (commonArgs // {
              inherit cargoArtifacts;
              doCheck = false; # the tests run once, in checks.tests
              # The OpenCode bridge, for `"plugin": ["file://<out>/share/codex-kit/opencode-bridge"]`.
              postInstall = ''
                mkdir -p $out/share/codex-kit
                cp -r crates/runtime/opencode-bridge $out/share/codex-kit/
              '';
              meta = {
                description = "Diagnoses an OpenCode + opencode-codex-auth setup (codex-doctor) and runs the Codex runtime (codex-runtime)";
                mainProgram = "codex-doctor";
                license = lib.licenses.mit;
              };
            });

          app = bin: description: {
            type = "app";
            program = "${codex-kit}/bin/${bin}";
            meta = { inherit description; };
          };
        in
        {
          packages = {
            default = codex-kit;
            inherit codex-kit;
          };

          apps = rec {
            doctor = app "codex-doctor" "Diagnose an OpenCode + opencode-codex-auth setup";
            runtime = app "codex-runtime" "Account rotation and streaming proxy to the Codex backend";
            default = doctor;
          };

          checks = import ./checks {
            inherit pkgs craneLib commonArgs cargoArtifacts src codex-kit;
          };

          devShells.default = craneLib.devShell {
            checks = self.checks.${system};
            packages = [ pkgs.rust-analyzer pkgs.just pkgs.hyperfine pkgs.nodejs ];
          };
        };

      all = lib.genAttrs systems perSystem;
      pick = output: lib.genAttrs systems (system: all.${system}.${output});

      # services.codex-runtime (crates/runtime/nix/service-module.nix).
      serviceModule = kind: import ./crates/runtime/nix/service-module.nix {
        inherit kind;
        defaultPackage = pkgs: self.packages.${pkgs.system}.default;
      };
    in
    {
      packages = pick "packages";
      apps = pick "apps";
      checks = pick "checks";
      devShells = pick "devShells";
      nixosModules.default = serviceModule "nixos";
      homeManagerModules.default = serviceModule "home-manager";
    };
}
