// Drives proper-lockfile 4.x the way opencode-codex-auth's withLockedFile does: the lock
// target is `<file>.lock` (created empty, mode 0600), locked with `realpath: true`, so the
// lock directory is `<realpath(file.lock)>.lock`. Writes go through a temp file and a rename,
// like the plugin's writeJsonFileAtomic. Used by crates/store/tests/interop.rs.
//
//   node lock-worker.js increment <file> <n>   n locked increments of native[0].lastUsed
//   node lock-worker.js hold <file> <ms>       lock, print "locked", hold, release
//   node lock-worker.js hold-forever <file>    lock, print "locked", wait to be killed
//   node lock-worker.js check <file>           print "locked" or "unlocked"
//   node lock-worker.js try <file>             lock without retries: "acquired" or "ELOCKED"
//
// With a `-dir` suffix (`hold-dir`, `check-dir`, `try-dir`) the argument is a directory
// locked the way withLockedDirectory locks the model-catalog cache: proper-lockfile pointed
// at the directory itself (`stale: 10000`), so the lock is `<realpath(dir)>.lock`.
"use strict";

const fs = require("fs");
const crypto = require("crypto");
const lockfile = require("proper-lockfile");

const [rawMode, file, arg] = process.argv.slice(2);
const dirLock = rawMode.endsWith("-dir");
const mode = dirLock ? rawMode.slice(0, -"-dir".length) : rawMode;
const target = dirLock ? file : `${file}.lock`;

function ensureTarget() {
  if (!dirLock) {
    fs.closeSync(fs.openSync(target, "a", 0o600));
  }
}

function lock(retries) {
  ensureTarget();
  const options = { realpath: true, retries };
  if (dirLock) {
    options.stale = 10000;
  }
  return lockfile.lock(target, options);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function writeAtomic(path, value) {
  const tmp = `${path}.tmp.${Date.now().toString(36)}.${crypto.randomUUID()}`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  const fd = fs.openSync(tmp, "r+");
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, path);
}

async function main() {
  switch (mode) {
    case "increment": {
      const n = Number(arg);
      for (let i = 0; i < n; i += 1) {
        const release = await lock({ retries: 2000, minTimeout: 2, maxTimeout: 20 });
        try {
          const value = JSON.parse(fs.readFileSync(file, "utf8"));
          const account = value.openai.native.accounts[0];
          account.lastUsed = (account.lastUsed || 0) + 1;
          writeAtomic(file, value);
        } finally {
          await release();
        }
      }
      return;
    }
    case "hold": {
      const release = await lock(0);
      console.log("locked");
      await sleep(Number(arg));
      await release();
      return;
    }
    case "hold-forever": {
      await lock(0);
      console.log("locked");
      await new Promise(() => setInterval(() => {}, 1000));
      return;
    }
    case "check": {
      ensureTarget();
      const locked = await lockfile.check(target, dirLock ? { realpath: true, stale: 10000 } : { realpath: true });
      console.log(locked ? "locked" : "unlocked");
      return;
    }
    case "try": {
      try {
        const release = await lock(0);
        console.log("acquired");
        await release();
      } catch (error) {
        if (error && error.code === "ELOCKED") {
          console.log("ELOCKED");
        } else {
          throw error;
        }
      }
      return;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
