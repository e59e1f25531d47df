// Drives codex-runtime's /v1/chat/completions with the real OpenAI Node client (npm
// `openai`, installed by tests/node/install-openai.sh). Run by crates/proxy/tests/chat_client.rs
// against the proxy and a mock Codex backend; prints one JSON object with what the client
// saw, for the Rust test to check.
//
// Usage: node chat-client.mjs <path to node_modules/openai> <proxy base URL ending in /v1>
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [pkg, baseURL] = process.argv.slice(2);
const { default: OpenAI } = await import(pathToFileURL(join(pkg, 'index.mjs')).href);
const client = new OpenAI({ baseURL, apiKey: 'codex-kit-local', maxRetries: 0, timeout: 60_000 });
const model = 'gpt-5.4';
const system = { role: 'system', content: 'You are a test.' };

const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

// Not streaming.
const plain = await client.chat.completions.create({
  model,
  messages: [system, { role: 'user', content: 'say hi' }],
  max_tokens: 100,
});
out.plain = {
  object: plain.object,
  content: plain.choices[0].message.content,
  finish: plain.choices[0].finish_reason,
  usage: plain.usage,
};

// Streaming, with usage.
const stream = await client.chat.completions.create({
  model,
  messages: [system, { role: 'user', content: 'say hi' }],
  stream: true,
  stream_options: { include_usage: true },
});
let content = '';
let finish = null;
let usage = null;
let role = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks += 1;
  if (chunk.usage) usage = chunk.usage;
  const c = chunk.choices[0];
  if (!c) continue;
  if (c.delta.role && role === null) role = c.delta.role;
  if (c.delta.content) content += c.delta.content;
  if (c.finish_reason) finish = c.finish_reason;
}
out.streamed = { role, content, finish, usage, chunks };

// A tool round trip: the model calls a tool (streamed, accumulated by the client's own
// helper), the tool's result goes back, the model answers.
const tools = [
  {
    type: 'function',
    function: {
      name: 'weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const messages = [system, { role: 'user', content: 'weather in Oslo?' }];
const first = await client.beta.chat.completions
  .stream({ model, messages, tools, stream: true })
  .finalChatCompletion();
const call = first.choices[0].message;
out.toolCall = {
  finish: first.choices[0].finish_reason,
  calls: call.tool_calls.map((t) => ({ id: t.id, name: t.function.name, arguments: t.function.arguments })),
};
messages.push({ role: 'assistant', content: call.content ?? null, tool_calls: call.tool_calls });
for (const t of call.tool_calls) {
  const args = JSON.parse(t.function.arguments);
  messages.push({ role: 'tool', tool_call_id: t.id, content: `sunny in ${args.city}` });
}
const final = await client.chat.completions.create({ model, messages, tools });
out.toolFinal = { content: final.choices[0].message.content, finish: final.choices[0].finish_reason };

// Errors keep their status and shape.
try {
  await client.chat.completions.create({ model, n: 2, messages: [{ role: 'user', content: 'x' }] });
  out.refused = null;
} catch (e) {
  out.refused = { status: e.status, type: e.type ?? e.error?.type ?? null, message: e.message };
}

process.stdout.write(JSON.stringify(out) + '\n');
