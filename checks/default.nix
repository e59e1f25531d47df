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

  # Run the built doctor against a small healthy home and assert real statuses:
  # no check fails, and the plugin, config and account checks pass (install.* warn:
  # the fixture has no /create-personality command or skill). The probes that depend
  # on the build machine (port, process, network, login, the opencode binary) are
  # skipped. The JSON report is the output; the GitHub and JUnit renderings must
  # carry the same verdicts.
  doctor-smoke = pkgs.runCommand "codex-doctor-smoke" { nativeBuildInputs = [ pkgs.jq ]; } ''
    home="$TMPDIR/home"
    cp -r ${./fixture-home} "$home"
    chmod -R u+w "$home"
    chmod 600 "$home/.config/opencode/codex-accounts.json" "$home/.local/share/opencode/auth.json"
    export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
      XDG_STATE_HOME="$home/.local/state" XDG_CACHE_HOME="$home/.cache" NO_COLOR=1
    mkdir -p "$TMPDIR/project/.git" && cd "$TMPDIR/project"
    skips=(--skip 'port.*' --skip 'process.*' --skip 'network.*' --skip 'login.*' --skip 'opencode.install')

    status=0
    ${codex-kit}/bin/codex-doctor --json "''${skips[@]}" > "$out" || status=$?
    echo "codex-doctor exited $status"
    if [ "$status" -ne 0 ]; then
      echo "codex-doctor should pass on the healthy fixture home; report:" >&2
      cat "$out" >&2
      exit 1
    fi
    expect() { # id status
      got=$(jq -r --arg id "$1" '.checks[] | select(.id == $id) | .status' "$out")
      if [ "$got" != "$2" ]; then
        echo "$1: expected $2, got $got" >&2
        jq --arg id "$1" '.checks[] | select(.id == $id)' "$out" >&2
        exit 1
      fi
    }
    jq -e '.schema == 1 and .summary.fail == 0 and (.checks | length) == 25' "$out" >/dev/null
    for id in env.paths plugin.registered config.resolved auth.store auth.opencode \
      auth.accounts auth.identity auth.quota auth.lineage auth.lock auth.quarantine debug.env; do
      expect "$id" pass
    done
    expect install.command warn
    expect cache.models skip
    expect port.1455 skip

    # A typo in a pattern is a usage error, not a silent pass.
    status=0
    ${codex-kit}/bin/codex-doctor --only 'auth.acounts' 2>err.txt >/dev/null || status=$?
    if [ "$status" -ne 2 ] || ! grep -q 'closest check ids: auth.accounts' err.txt; then
      echo "--only 'auth.acounts' should exit 2 naming auth.accounts (exit $status)" >&2
      cat err.txt >&2
      exit 1
    fi

    ${codex-kit}/bin/codex-doctor --format github "''${skips[@]}" > gh.txt
    grep -q '^::warning title=codex-doctor install.command::' gh.txt
    if grep -q '^::error' gh.txt; then
      echo "no check fails on the fixture, so no ::error annotation is expected" >&2
      cat gh.txt >&2
      exit 1
    fi
    ${codex-kit}/bin/codex-doctor --format junit "''${skips[@]}" > junit.xml
    grep -q '<testsuites name="codex-doctor" tests="25" failures="0"' junit.xml
  '';
}
