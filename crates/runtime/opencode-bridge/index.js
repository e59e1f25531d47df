// @codex-kit/opencode-bridge: an OpenCode plugin that makes `codex-runtime serve` the
// backend of OpenCode's built-in `openai` provider.
//
// On load it finds a running runtime through the record `serve` writes
// (`$XDG_STATE_HOME/codex-kit/runtime/serve.json`, default `~/.local/state/...`), checking
// that the recorded process lives and that `/healthz` answers; otherwise it starts
// `codex-runtime serve --listen 127.0.0.1:0` detached (its output goes to `serve.log` in the
// same folder) and waits, bounded, for the new record. Its `config` hook then points
// `provider.openai` at the runtime: `baseURL`, a placeholder `apiKey`, and a `fetch` that
// sends every request to the current runtime and starts a new one if the old one has
// died. It also gives the provider the runtime's model blocks: the catalog's models, with
// `codex-config.jsonc`'s settings as model and variant options, so OpenCode sends them
// itself (a model's options override OpenCode's own defaults; a variant the user picks
// overrides the model's options; anything the user wrote in `opencode.json` wins). Without
// a runtime binary, every request fails with a message naming the install command instead
// of reaching OpenAI.
//
// Plain ESM JavaScript for Node and Bun, no dependencies, no build step.

import { PLACEHOLDER_KEY, createBridge, fetchModels, mergeUnder } from "./lib.js"

/** The OpenCode plugin: one bridge per OpenCode process. */
export const CodexRuntimeBridge = async () => {
  const bridge = createBridge(process.env)
  try {
    await bridge.ensure()
  } catch (e) {
    // OpenCode keeps running; every `openai` request answers with this message.
    console.error(e.message)
  }
  return {
    config: async (config) => {
      config.provider ??= {}
      const openai = (config.provider.openai ??= {})
      openai.options = {
        ...openai.options,
        baseURL: `${bridge.runtime?.url ?? "http://127.0.0.1:11455"}/v1`,
        // The real client key is sent by `fetch` only, so it never sits in OpenCode's config.
        apiKey: PLACEHOLDER_KEY,
        fetch: bridge.fetch,
      }
      // The catalog's models with codex-config.jsonc's settings as their options, under
      // whatever the user wrote for them.
      const models = bridge.runtime ? await fetchModels(bridge.runtime.url, bridge.key()) : undefined
      if (models) openai.models = mergeUnder(openai.models, models)
    },
  }
}

export default CodexRuntimeBridge
