# Stub of the nixpkgs flake, owned by checks/nix-eval.sh (offline evaluation).
# Provides only the `lib` functions and `legacyPackages.<system>` attributes that
# /flake.nix and /checks/default.nix use. Every package is a trivial but real
# derivation, so `nix flake check --no-build` can type-check outputs without
# fetching anything. Not used by real builds. No inputs, on purpose.
{
  description = "offline stub of nixpkgs for evaluating codex-kit's flake";

  outputs = { self }:
    let
      lib = {
        genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
        optionals = cond: list: if cond then list else [ ];
        hasSuffix = suffix: s:
          let ls = builtins.stringLength s; lx = builtins.stringLength suffix;
          in ls >= lx && builtins.substring (ls - lx) lx s == suffix;
        hasPrefix = prefix: s:
          builtins.substring 0 (builtins.stringLength prefix) s == prefix;
        removePrefix = prefix: s:
          let lp = builtins.stringLength prefix; in
          if lib.hasPrefix prefix s
          then builtins.substring lp (builtins.stringLength s - lp) s
          else s;
        versionAtLeast = a: b: builtins.compareVersions a b >= 0;
        licenses.mit = { spdxId = "MIT"; shortName = "mit"; };
        # Real one returns an attrset with outPath; a filtered store path is
        # enough here, and it really runs the filter over the flake source.
        cleanSourceWith = { src, filter ? (_: _: true), name ? "source" }:
          builtins.path { path = src; inherit name filter; };
        # The module-system surface the service module uses, as plain data: an option is its
        # declaration, mkIf/mkMerge keep their parts, so checks/nix-eval.sh can read what
        # the module declares and would set.
        mkOption = decl: decl // { _type = "option"; };
        mkEnableOption = name: { _type = "option"; type = "bool"; default = false; description = "Whether to enable ${name}."; };
        mkIf = condition: content: { _type = "if"; inherit condition content; };
        mkMerge = contents: { _type = "merge"; inherit contents; };
        types = {
          package = "package"; str = "str"; path = "path"; bool = "bool";
          nullOr = t: "nullOr ${t}";
          listOf = t: "listOf ${t}";
        };
        escapeShellArg = arg: "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
        escapeShellArgs = args: builtins.concatStringsSep " " (map lib.escapeShellArg args);
      };

      # A real derivation that would only echo "stub". Extra attributes are
      # forced to JSON so that their strings (and store path contexts) are
      # evaluated the way a real package would evaluate them.
      mkStub = system: name: extra:
        builtins.derivation {
          inherit name system;
          builder = "/bin/sh";
          args = [ "-c" "echo stub > $out" ];
          stubArgs = builtins.toJSON extra;
        };

      pkgsFor = system:
        let
          stub = name: mkStub system name { };
          named = lib.genAttrs [ "jq" "just" "hyperfine" "nodejs" "rust-analyzer" "libiconv" ] stub;
        in named // {
          inherit system;
          rustc = stub "rustc-1.91.0" // { version = "1.91.0"; };
          stdenv = {
            isDarwin = lib.hasSuffix "darwin" system;
            isLinux = lib.hasSuffix "linux" system;
          };
          # like the real one, env and buildCommand stay readable as attributes
          runCommand = name: env: buildCommand:
            mkStub system name { inherit env buildCommand; } // env // { inherit buildCommand; };
        };
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs
        [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ] pkgsFor;
    };
}
