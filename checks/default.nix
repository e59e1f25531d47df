# Flake checks for codex-kit (imported by /flake.nix as `checks.<system>`).
# Owns: build, clippy, fmt, tests and the doctor smoke run on checks/fixture-home.
# checks/fixture-home/ is a small healthy plugin home (JSON cannot carry this
# comment): .config/opencode/{opencode.json, codex-config.jsonc,
# codex-accounts.json} with one enabled native account holding fake tokens,
# and .local/share/opencode/auth.json. Checked offline by checks/nix-eval.sh.
{ pkgs, craneLib, commonArgs, cargoArtifacts, src, codex-kit }:
{
  build = codex-kit;

  clippy = craneLib.cargoClippy (commonArgs // {
    inherit cargoArtifacts;
    cargoClippyExtraArgs = "--workspace --all-targets -- -D warnings";
  });

  fmt = craneLib.cargoFmt { inherit src; inherit (commonArgs) pname version; };

  tests = craneLib.cargoTest (commonArgs // {
    inherit cargoArtifacts;
    cargoTestExtraArgs = "--workspace";
    # The build sandbox has HOME=/homeless-shelter; tests need a writable one.
    # crane runs `cargo test` in the build phase, so hook preBuild.
    preBuild = ''
      export HOME="$TMPDIR/home" XDG_CONFIG_HOME="$TMPDIR/home/.config" XDG_DATA_HOME="$TMPDIR/home/.local/share"
      mkdir -p "$HOME"
    '';
    INSTA_UPDATE = "no"; # fail on snapshot mismatch, never write .snap.new
  });

  # Run the built doctor against a small healthy home. Exit 0 (all pass) and 1
  # (some check failed) are fine here; 2 (usage/internal error) fails the check.
  # The JSON report is the output.
  doctor-smoke = pkgs.runCommand "codex-doctor-smoke" { nativeBuildInputs = [ pkgs.jq ]; } ''
    home="$TMPDIR/home"
    cp -r ${./fixture-home} "$home"
    chmod -R u+w "$home"
    chmod 600 "$home/.config/opencode/codex-accounts.json" "$home/.local/share/opencode/auth.json"
    export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
      XDG_STATE_HOME="$home/.local/state" XDG_CACHE_HOME="$home/.cache" NO_COLOR=1

    status=0
    ${codex-kit}/bin/codex-doctor --json \
      --skip 'port.*' --skip 'process.*' --skip 'network.*' --skip 'opencode.install' \
      > "$out" || status=$?
    echo "codex-doctor exited $status"
    if [ "$status" -ge 2 ]; then
      echo "codex-doctor failed with a usage/internal error; output:" >&2
      cat "$out" >&2
      exit 1
    fi
    jq empty "$out" # the report must be valid JSON
  '';
}
