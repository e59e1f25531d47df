#!/usr/bin/env bash
# Offline verification of the Nix packaging (flake.nix, checks/default.nix).
#
# nixpkgs and crane cannot be fetched here, so the flake is evaluated with its
# inputs overridden by the stub flakes in checks/stub-inputs/. Nothing is built:
# this proves the flake evaluates and has the right shape, not that it compiles.
#
#   bash checks/nix-eval.sh        # works from a fresh clone or the working tree
#
# Steps: (a) install Debian's nix-bin if nix is missing; (b) parse the Nix files;
# (c) `nix flake show` and `nix flake check --no-build` on a copy of the source
# (git-tracked + untracked-but-not-ignored files, so no commit is needed); (d) a
# few `nix eval` assertions on outputs and on what the source filter keeps.
# All Nix state (a chroot store, caches) lives in ${CACHE_DIR:-./.cache}/nix-eval
# and is wiped at the start of each run; no nix-daemon and no /nix are needed.
# Only flags that Nix 2.8 (Debian bookworm) supports are used.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
started=$(date +%s)
log() { printf '[nix-eval] %s\n' "$*"; }
fail() { printf '[nix-eval] FAIL: %s\n' "$*" >&2; exit 1; }

# (a) Nix itself.
if ! command -v nix >/dev/null 2>&1 || ! command -v nix-instantiate >/dev/null 2>&1; then
  log "nix not found: installing Debian's nix-bin"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nix-bin >/dev/null
fi
log "using $(nix --version)"

# (b) Syntax.
for f in flake.nix checks/default.nix checks/stub-inputs/*/flake.nix; do
  nix-instantiate --parse "$f" >/dev/null || fail "does not parse: $f"
done
log "ok   flake.nix, checks/default.nix and the stub flakes parse"

# Throwaway state: the store is read-only inside, so make it writable to wipe it.
state="${CACHE_DIR:-$repo/.cache}/nix-eval"
if [ -d "$state" ]; then chmod -R u+w "$state" && rm -rf "$state"; fi
mkdir -p "$state/src" "$state/xdg-cache"
export XDG_CACHE_HOME="$state/xdg-cache" # nix's fetcher and eval caches

# Copy the source the way a commit would see it (a git flake only sees tracked
# files; here untracked-but-not-ignored files count too). Outside git: all but
# build output.
src="$state/src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do
      if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
    done |
    tar --null -T - -cf - | tar -C "$src" -xf -
else
  tar --exclude=./.git --exclude=./target --exclude=./.cache --exclude=./result -cf - . |
    tar -C "$src" -xf -
fi
[ -f "$src/flake.nix" ] || fail "flake.nix missing from the copied source"
# Probes for the source filter: kept under tests/ and crates/*/tests/ whatever
# their extension, dropped under target/.
probe=nix-eval-probe.txt
mkdir -p "$src/tests" "$src/crates/doctor/tests" "$src/target"
touch "$src/tests/$probe" "$src/crates/doctor/tests/$probe" "$src/target/$probe.json"

store="$state/store" # chroot store: paths are /nix/store/..., files under $store/nix/store
nixf=(--extra-experimental-features 'nix-command flakes' --store "$store" --option substituters '')
flake="path:$src"
inputs=(--no-write-lock-file
  --override-input nixpkgs "path:$src/checks/stub-inputs/nixpkgs"
  --override-input crane "path:$src/checks/stub-inputs/crane")
out="$state/stdout"

# run NAME CMD...: stdout to $out, stderr to $err; both shown only on failure.
err="$state/stderr"
run() {
  local name=$1; shift
  if ! "$@" >"$out" 2>"$err"; then cat "$out" "$err" >&2; fail "$name"; fi
}

# (c) Flake commands.
run "nix flake show" nix flake show "${nixf[@]}" "$flake" "${inputs[@]}"
sed 's/\x1b\[[0-9;]*m//g' "$out" # the output tree, without colours
log "ok   nix flake show"
run "nix flake check --no-build" nix flake check --no-build "${nixf[@]}" "$flake" "${inputs[@]}"
log "ok   nix flake check --no-build (packages, apps, checks, devShells; all 4 systems)"

# (d) Assertions per system. The expression prints "ok"/"FAIL" lines plus the
# package and source paths for the shell checks below.
checks_expr='c: let
  has = needle: s: builtins.replaceStrings [ needle ] [ "" ] s != s;
  t = ok: msg: (if ok then "ok   " else "FAIL ") + msg + "\n";
  pkg = c.build;
  deps = pkg.cargoArtifacts.drvPath;
  smoke = c.doctor-smoke.buildCommand;
in
  t (builtins.attrNames c == [ "build" "clippy" "doctor-smoke" "fmt" "tests" ]) "checks are build, clippy, doctor-smoke, fmt, tests"
  + t ((pkg.meta.mainProgram or "") == "codex-doctor") "package meta.mainProgram is codex-doctor"
  + t ((pkg.meta.description or "") != "") "package has a meta.description"
  + t (c.clippy.cargoArtifacts.drvPath == deps && c.tests.cargoArtifacts.drvPath == deps) "package, clippy and tests share one buildDepsOnly"
  + t (has "--workspace --all-targets -- -D warnings" (c.clippy.cargoClippyExtraArgs or "")) "clippy: --workspace --all-targets -- -D warnings"
  + t (has "HOME=" (c.tests.preBuild or "")) "tests get a writable HOME"
  + t (has "${pkg}/bin/codex-doctor --json" smoke) "doctor-smoke runs the packaged codex-doctor --json"
  + t (builtins.all (p: has "--skip '"'"'${p}'"'"'" smoke) [ "port.*" "process.*" "network.*" "opencode.install" ]) "doctor-smoke skips port.*, process.*, network.*, opencode.install"
  + t (has "-fixture-home" smoke) "doctor-smoke copies checks/fixture-home"
  + t (has "cp -r crates/runtime/opencode-bridge $out/share/codex-kit/" (pkg.postInstall or "")) "the package installs the OpenCode bridge in share/codex-kit"
  + "pkg ${pkg}\nsrc ${pkg.src}\n"'
apps_expr='a: builtins.concatStringsSep "" (map (n: "${n} ${a.${n}.type} ${a.${n}.program} ${
  if (a.${n}.meta.description or "") != "" then "described" else "undescribed"}\n") (builtins.attrNames a))'

for sys in x86_64-linux aarch64-linux x86_64-darwin aarch64-darwin; do
  run "nix eval checks.$sys" nix eval --raw "${nixf[@]}" "$flake#checks.$sys" "${inputs[@]}" --apply "$checks_expr"
  report=$(cat "$out")
  if grep -q '^FAIL' <<<"$report"; then grep '^FAIL' <<<"$report" >&2; fail "assertions on checks.$sys"; fi
  pkg=$(sed -n 's/^pkg //p' <<<"$report")
  srcpath=$(sed -n 's/^src //p' <<<"$report")

  run "nix eval packages.$sys.default" nix eval --raw "${nixf[@]}" "$flake#packages.$sys.default" "${inputs[@]}"
  [ "$(tail -n1 "$out")" = "$pkg" ] || fail "packages.$sys.default is not checks.$sys.build"

  run "nix eval apps.$sys" nix eval --raw "${nixf[@]}" "$flake#apps.$sys" "${inputs[@]}" --apply "$apps_expr"
  want="default app $pkg/bin/codex-doctor described
doctor app $pkg/bin/codex-doctor described
runtime app $pkg/bin/codex-runtime described"
  got=$(grep -E '^(default|doctor|runtime) ' "$out" || true)
  [ "$got" = "$want" ] || fail "apps.$sys: expected
$want
got
$got"
  log "ok   $sys: $(grep -c '^ok' <<<"$report") output assertions; apps default/doctor -> codex-doctor, runtime -> codex-runtime"
done

# The source filter (same on every system): compare what it kept with what the
# rules in flake.nix say it should keep: crane's cargo files (*.rs, *.toml,
# Cargo.lock) plus *.json, *.jsonc, *.snap, *.md, tests/, crates/*/tests/ and the
# OpenCode bridge (crates/runtime/opencode-bridge/).
kept="$store$srcpath"
[ -d "$kept" ] || fail "filtered source $srcpath was not written to the store"
list() { find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort; }
expected=$(cd "$src" && list |
  { grep -E '\.(rs|toml|json|jsonc|snap|md)$|(^|/)Cargo\.lock$|^(crates/[^/]+/)?tests/|^crates/runtime/opencode-bridge/' || true; } |
  { grep -Ev '^(target|\.cache|result)(/|$)' || true; })
actual=$(cd "$kept" && list)
if [ "$expected" != "$actual" ]; then
  diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") >&2 || true
  fail "source filter kept a different set of files (< expected, > kept)"
fi
for must in Cargo.lock Cargo.toml checks/fixture-home/.config/opencode/codex-config.jsonc \
            checks/fixture-home/.config/opencode/codex-accounts.json \
            crates/runtime/opencode-bridge/index.js crates/runtime/opencode-bridge/lib.js \
            "tests/$probe" "crates/doctor/tests/$probe"; do
  grep -qxF "$must" <<<"$actual" || fail "source filter dropped $must"
done
for mustnot in flake.nix "target/$probe.json"; do
  if grep -qxF "$mustnot" <<<"$actual"; then fail "source filter kept $mustnot"; fi
done
log "ok   source filter keeps $(wc -l <<<"$actual") files: cargo sources + json/jsonc/snap/md + tests/ + the bridge"

# (e) services.codex-runtime: the flake exports both modules, and the module body
# evaluates (stub lib: options are their declarations, mkIf/mkMerge keep their parts) to
# the unit `codex-runtime service install` writes.
run "nix eval module outputs" nix eval --raw "${nixf[@]}" "$flake#nixosModules" "${inputs[@]}" \
  --apply 'm: builtins.concatStringsSep " " (builtins.attrNames m)'
[ "$(cat "$out")" = "default" ] || fail "nixosModules should be { default }, got: $(cat "$out")"
run "nix eval homeManagerModules" nix eval --raw "${nixf[@]}" "$flake#homeManagerModules" "${inputs[@]}" \
  --apply 'm: builtins.concatStringsSep " " (builtins.attrNames m)'
[ "$(cat "$out")" = "default" ] || fail "homeManagerModules should be { default }, got: $(cat "$out")"
module_expr='
let
  lib = ((import '"$src"'/checks/stub-inputs/nixpkgs/flake.nix).outputs { self = null; }).lib;
  module = kind: import '"$src"'/crates/runtime/nix/service-module.nix {
    inherit kind; defaultPackage = pkgs: "/nix/store/default-codex-kit";
  };
  pkgsOn = system: { stdenv = { isLinux = system == "linux"; isDarwin = system == "darwin"; }; };
  settings = {
    enable = true; package = "/nix/store/pkg-codex-kit"; listen = "127.0.0.1:11500";
    clientKeyFile = "/run/keys/codex key"; extraArgs = [ "-v" ];
  };
  eval = kind: system: (module kind) {
    config.services.codex-runtime = settings; inherit lib; pkgs = pkgsOn system;
  };
  has = needle: s: builtins.replaceStrings [ needle ] [ "" ] s != s;
  t = ok: msg: (if ok then "ok   " else "FAIL ") + msg + "\n";
  nixos = eval "nixos" "linux";
  hmLinux = eval "home-manager" "linux";
  hmDarwin = eval "home-manager" "darwin";
  opts = nixos.options.services.codex-runtime;
  nixosUnit = nixos.config.content.systemd.user.services.codex-runtime;
  hmParts = hmLinux.config.content.contents;
  hmUnit = (builtins.elemAt hmParts 0).content.systemd.user.services.codex-runtime;
  agent = (builtins.elemAt hmDarwin.config.content.contents 1).content.launchd.agents.codex-runtime;
  exec = nixosUnit.serviceConfig.ExecStart;
in
  t (builtins.attrNames opts == [ "clientKeyFile" "enable" "extraArgs" "listen" "package" ]) "options: enable, package, listen, clientKeyFile, extraArgs"
  + t (opts.enable.default == false && opts.listen.default == "127.0.0.1:11455") "disabled by default, listens on 127.0.0.1:11455"
  + t (opts.package.default == "/nix/store/default-codex-kit") "package defaults to the flake'"'"'s package"
  + t (nixos.config._type == "if" && nixos.config.condition) "config applies only when enabled"
  + t (exec == "'"'"'/nix/store/pkg-codex-kit/bin/codex-runtime'"'"' '"'"'serve'"'"' '"'"'--listen'"'"' '"'"'127.0.0.1:11500'"'"' '"'"'--client-key-file'"'"' '"'"'/run/keys/codex key'"'"' '"'"'-v'"'"'") "NixOS ExecStart runs the package with the listen address, key file and extra args, quoted"
  + t (nixosUnit.wantedBy == [ "default.target" ] && nixosUnit.serviceConfig.Restart == "on-failure" && nixosUnit.serviceConfig.UMask == "0077") "NixOS user unit: wanted by default.target, restart on failure, umask 077"
  + t (!(has "'"'"'--client-key'"'"'" exec)) "the key is passed as a file, never on the command line"
  + t ((builtins.elemAt hmParts 0).condition && !((builtins.elemAt hmParts 1).condition)) "home-manager on Linux: systemd unit, no launchd agent"
  + t (hmUnit.Service.ExecStart == exec && hmUnit.Install.WantedBy == [ "default.target" ]) "home-manager systemd unit matches the NixOS one"
  + t ((builtins.elemAt hmDarwin.config.content.contents 1).condition && agent.config.Label == "dev.codex-kit.runtime" && builtins.elemAt agent.config.ProgramArguments 1 == "serve") "home-manager on macOS: launchd agent dev.codex-kit.runtime running serve"
'
if ! nix-instantiate --eval --strict -E "$module_expr" >"$out" 2>"$err"; then
  cat "$out" "$err" >&2; fail "services.codex-runtime module evaluation"
fi
report=$(sed -e 's/^"//' -e 's/"$//' "$out" | sed 's/\\n/\n/g')
if grep -q '^FAIL' <<<"$report"; then grep '^FAIL' <<<"$report" >&2; fail "services.codex-runtime module assertions"; fi
log "ok   services.codex-runtime: nixosModules.default and homeManagerModules.default; $(grep -c '^ok' <<<"$report") module assertions"

log "all verified in $(( $(date +%s) - started ))s (state in $state)"
