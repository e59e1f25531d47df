// The bridge's machinery, kept out of `index.js` because OpenCode calls every function a
// plugin's entry module exports as a plugin: finding the runtime's record, checking it,
// starting `codex-runtime serve`, and the `fetch` the `openai` provider uses.

import { spawn } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"

/** How long a start may take before the bridge gives up (ms). */
const START_TIMEOUT_MS = 10_000
/** How long one `/healthz` probe may take (ms). */
const HEALTH_TIMEOUT_MS = 1_500
/** The key sent when `CODEX_RUNTIME_CLIENT_KEY` is unset; `serve` without a key ignores it. */
export const PLACEHOLDER_KEY = "codex-kit-local"

export const INSTALL_HINT =
  "install it with `cargo install --path crates/runtime` (in a codex-kit checkout) or " +
  "`nix profile install github:codex-kit/codex-kit#codex-kit`, or set CODEX_RUNTIME_BIN to its path"

/** Why no runtime could be found or started; `code` is stable. */
export class BridgeError extends Error {
  constructor(code, message) {
    super(message)
    this.name = "BridgeError"
    this.code = code
  }
}

/** `$XDG_STATE_HOME/codex-kit/runtime` (absolute only), else `~/.local/state/codex-kit/runtime`. */
export function stateDir(env = process.env) {
  const xdg = (env.XDG_STATE_HOME ?? "").trim()
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), ".local", "state")
  return path.join(base, "codex-kit", "runtime")
}

/** The record of a running `serve`, or undefined when there is none or it cannot be read. */
function readRecord(dir) {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dir, "serve.json"), "utf8"))
    if (!Number.isInteger(v.pid) || typeof v.url !== "string") return undefined
    return v
  } catch {
    return undefined
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === "EPERM"
  }
}

async function healthy(url) {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
    await r.body?.cancel()
    return r.ok
  } catch {
    return false
  }
}

/** The recorded runtime if its process lives and answers `/healthz`. */
async function running(dir) {
  const rec = readRecord(dir)
  if (!rec || !alive(rec.pid)) return undefined
  return (await healthy(rec.url)) ? rec : undefined
}

/** `CODEX_RUNTIME_BIN`, else `codex-runtime` on `PATH`; undefined when neither exists. */
export function findBinary(env = process.env) {
  const explicit = (env.CODEX_RUNTIME_BIN ?? "").trim()
  if (explicit) return executable(explicit) ? explicit : undefined
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, process.platform === "win32" ? "codex-runtime.exe" : "codex-runtime")
    if (executable(candidate)) return candidate
  }
  return undefined
}

function executable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** Starts `serve` detached, its output appended to `serve.log`, and returns its pid. */
function start(bin, dir, env) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const log = fs.openSync(path.join(dir, "serve.log"), "a", 0o600)
  try {
    const child = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], {
      detached: true,
      stdio: ["ignore", log, log],
      // Shared by every project: not tied to the directory OpenCode started in.
      cwd: env.HOME || os.homedir(),
      env,
    })
    child.on("error", () => {})
    child.unref()
    return child
  } finally {
    fs.closeSync(log)
  }
}

/** How long past a start's own limit a start lock is honoured before it counts as stale (ms). */
const LOCK_GRACE_MS = 5_000

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * Takes `serve.start.lock` (a directory: `mkdir` is atomic) so that OpenCode processes
 * starting together start one runtime; a lock older than a start can take is removed.
 */
function takeStartLock(dir) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const lock = path.join(dir, "serve.start.lock")
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.mkdirSync(lock, { mode: 0o700 })
      return () => fs.rmSync(lock, { recursive: true, force: true })
    } catch (e) {
      if (e.code !== "EEXIST") throw e
      let age = 0
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs
      } catch {
        continue
      }
      if (age <= START_TIMEOUT_MS + LOCK_GRACE_MS) return undefined
      fs.rmSync(lock, { recursive: true, force: true })
    }
  }
  return undefined
}

/**
 * A runtime that answers: the recorded one, or one started now (by this process, or by
 * another that holds the start lock). Throws a BridgeError when the binary is missing or
 * the runtime does not come up in time.
 */
export async function ensureRuntime(env = process.env) {
  const dir = stateDir(env)
  const deadline = Date.now() + START_TIMEOUT_MS + LOCK_GRACE_MS
  for (;;) {
    const found = await running(dir)
    if (found) return { ...found, reused: true }
    const bin = findBinary(env)
    if (!bin) {
      const where = (env.CODEX_RUNTIME_BIN ?? "").trim()
        ? `CODEX_RUNTIME_BIN (${env.CODEX_RUNTIME_BIN}) is not an executable file`
        : "codex-runtime is not on PATH"
      throw new BridgeError("codex_runtime_not_installed", `codex-kit bridge: ${where}; ${INSTALL_HINT}.`)
    }
    const release = takeStartLock(dir)
    if (release) {
      try {
        // Another process may have finished a start between the check and the lock.
        const again = await running(dir)
        if (again) return { ...again, reused: true }
        return await startAndWait(bin, dir, env)
      } finally {
        release()
      }
    }
    if (Date.now() > deadline) {
      throw new BridgeError(
        "codex_runtime_not_started",
        `codex-kit bridge: another process is starting codex-runtime and it did not answer in time (${path.join(dir, "serve.start.lock")}).`,
      )
    }
    await sleep(100)
  }
}

/** Starts `serve` and waits for its record and `/healthz`. */
async function startAndWait(bin, dir, env) {
  const child = start(bin, dir, env)
  let exited = null
  child.on("exit", (code, signal) => {
    exited = signal ?? code
  })
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    const rec = readRecord(dir)
    if (rec && rec.pid === child.pid && (await healthy(rec.url))) return { ...rec, reused: false }
    if (exited !== null) break
    await sleep(100)
  }
  const log = path.join(dir, "serve.log")
  throw new BridgeError(
    "codex_runtime_not_started",
    exited !== null
      ? `codex-kit bridge: \`${bin} serve\` exited (${exited}) before listening; see ${log}.`
      : `codex-kit bridge: \`${bin} serve\` did not answer within ${START_TIMEOUT_MS / 1000} s; see ${log}.`,
  )
}

/** Where the runtime answers with OpenCode's model blocks (`codex_proxy::OPENCODE_MODELS_PATH`). */
export const MODELS_PATH = "/codex-kit/opencode-models"
/** How long the model blocks may take (ms): the runtime may fetch the catalog first (5 s). */
const MODELS_TIMEOUT_MS = 8_000

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * The runtime's model blocks for the `openai` provider (catalog metadata, and
 * `codex-config.jsonc`'s settings as model and variant options), or undefined when it does
 * not answer in time.
 */
export async function fetchModels(url, key) {
  try {
    const r = await fetch(`${url}${MODELS_PATH}`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(MODELS_TIMEOUT_MS),
    })
    if (!r.ok) {
      await r.body?.cancel()
      return undefined
    }
    const v = await r.json()
    return isObject(v?.models) ? v.models : undefined
  } catch {
    return undefined
  }
}

/**
 * `base` (what the user wrote in `opencode.json`) over `extra` (the runtime's blocks), key by
 * key at any depth: the user's value wins wherever both have one.
 */
export function mergeUnder(base, extra) {
  if (!isObject(base)) return base === undefined ? extra : base
  if (!isObject(extra)) return base
  const out = { ...extra }
  for (const [k, v] of Object.entries(base)) out[k] = k in extra ? mergeUnder(v, extra[k]) : v
  return out
}

/** A JSON error response in the Responses API's shape, which OpenCode shows as the error. */
function failure(err) {
  const body = { error: { message: err.message, type: "codex_kit_bridge", code: err.code ?? "codex_runtime_unavailable" } }
  return new Response(JSON.stringify(body), { status: 400, headers: { "content-type": "application/json" } })
}

/** The request's URL with its origin replaced by the runtime's. */
function retarget(input, base) {
  const url = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url)
  const to = new URL(base)
  url.protocol = to.protocol
  url.host = to.host
  return url
}

/**
 * The bridge's state for one OpenCode process: the current runtime, found or started at
 * most once at a time, and found again when it stops answering.
 */
export function createBridge(env = process.env) {
  let current
  let pending
  let lastError

  const ensure = () => {
    pending ??= ensureRuntime(env)
      .then((rt) => {
        current = rt
        lastError = undefined
        return rt
      })
      .catch((e) => {
        lastError = e
        throw e
      })
      .finally(() => {
        pending = undefined
      })
    return pending
  }

  const key = () => (env.CODEX_RUNTIME_CLIENT_KEY ?? "").trim() || PLACEHOLDER_KEY

  /** OpenCode's `fetch` for the `openai` provider: every request goes to the runtime. */
  const bridgeFetch = async (input, init = {}) => {
    let rt = current
    if (!rt) {
      try {
        rt = await ensure()
      } catch (e) {
        return failure(e)
      }
    }
    const send = (base) => {
      const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined))
      headers.set("authorization", `Bearer ${key()}`)
      return fetch(retarget(input, base), { ...init, headers })
    }
    try {
      return await send(rt.url)
    } catch (e) {
      if (init.signal?.aborted) throw e
      // Nothing answered: the runtime may have died. Find or start one, send once more.
      let again
      try {
        current = undefined
        again = await ensure()
      } catch (e2) {
        return failure(e2)
      }
      return send(again.url)
    }
  }

  return {
    ensure,
    fetch: bridgeFetch,
    key,
    get runtime() {
      return current
    },
    get error() {
      return lastError
    },
  }
}
