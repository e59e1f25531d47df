"""Round 4, batch 2: the OpenAI Responses API as the plugin logs it (SSE data lines, output
text deltas, function-call arguments holding file contents, instructions/input items,
reasoning encrypted_content), request snapshots with --include-bodies."""
import json
from redteam import case
from canary import pw, tok

SNAPREQ = "2026-01-01T00-00-00-000Z-4242-abcd1234-request-1-outbound-request.json"
SNAPRES = "2026-01-01T00-00-00-000Z-4242-abcd1234-response-1-outbound-response.json"

def sse(ev):
    return f"event: {ev['type']}\ndata: {json.dumps(ev)}\n\n"

# output text deltas carrying a told secret / a file content
for i, txt in enumerate([
    "Here is your .env:\nOPENAI_API_KEY={c}\n",
    "password: {c}",
    "export GITHUB_TOKEN={c}",
    "The key is `{c}`.",
    "DB_PASSWORD=\"{c}\"",
]):
    def reg(i=i, txt=txt):
        c = pw(f"delta{i}")
        @case(f"r12 sse output_text.delta {i}", c)
        def _(h): h.log("sse.log", sse({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "delta": txt.format(c=c)}))
        c2 = pw(f"deltajsonl{i}")
        @case(f"r12 output_text.delta in jsonl {i}", c2)
        def _(h): h.log("stream.jsonl", json.dumps({"type": "response.output_text.delta", "delta": txt.format(c=c2)}) + "\n")
    reg()
# deltas split across events: the secret arrives in two halves
c = pw("split-delta")
@case("r12 sse delta split across events", c)
def _(h):
    a, b = c[:9], c[9:]
    h.log("sse.log", sse({"type": "response.output_text.delta", "delta": "token=" + a}) + sse({"type": "response.output_text.delta", "delta": b}))
# function_call arguments (JSON string holding a file's text)
for i, body in enumerate([
    "API_KEY={c}\nDEBUG=1\n",
    "{{\n  \"password\": \"{c}\"\n}}",
    "password: |\n  {c}\n",
    "[default]\naws_secret_access_key = {c}\n",
]):
    def reg(i=i, body=body):
        c = pw(f"fcargs{i}")
        args = json.dumps({"path": "/work/app/.env", "content": body.format(c=c)})
        @case(f"r12 function_call arguments file content {i}", c)
        def _(h): h.log("sse.log", sse({"type": "response.function_call_arguments.done", "item_id": "fc_1", "arguments": args}))
        c2 = pw(f"fcargsitem{i}")
        args2 = json.dumps({"path": "/work/app/.env", "content": body.format(c=c2)})
        @case(f"r12 function_call item in output (jsonl) {i}", c2)
        def _(h): h.log("stream.jsonl", json.dumps({"type": "response.output_item.done", "item": {"type": "function_call", "name": "write", "arguments": args2}}) + "\n")
    reg()
c = pw("fcdelta")
@case("r12 function_call_arguments.delta fragment", c)
def _(h): h.log("sse.log", sse({"type": "response.function_call_arguments.delta", "delta": "{\"token\": \"" + c}))
# function call output with a shell's output
c = pw("fcout")
@case("r12 function_call_output env dump", c)
def _(h): h.log("stream.jsonl", json.dumps({"type": "function_call_output", "call_id": "call_1", "output": f"HOME=/root\nSTRIPE_SECRET={c}\n"}) + "\n")
# instructions and input items, request snapshot with --include-bodies
for i, (k, v) in enumerate([
    ("instructions", "You are a helper. The deploy password is {c}."),
    ("input", [{"role": "user", "content": [{"type": "input_text", "text": "my api key is {c}"}]}]),
    ("input", [{"type": "message", "role": "user", "content": "use token {c}"}]),
    ("input", [{"type": "function_call_output", "call_id": "c1", "output": "secret={c}"}]),
    ("input", [{"role": "developer", "content": "password: {c}"}]),
]):
    def reg(i=i, k=k, v=v):
        c = pw(f"snapbody{i}")
        val = json.loads(json.dumps(v).replace("{c}", c))
        @case(f"r12 request snapshot body {k} {i} (--include-bodies)", c, args=["--include-bodies"])
        def _(h): h.log(SNAPREQ, json.dumps({"stage": "outbound-request", "method": "POST", "url": "https://chatgpt.com/backend-api/codex/responses", "headers": {"content-type": "application/json"}, "body": {"model": "gpt-5.1-codex", k: val, "stream": True}}, indent=2))
        c2 = pw(f"snapbodyline{i}")
        val2 = json.loads(json.dumps(v).replace("{c}", c2))
        @case(f"r12 live-headers body {k} {i} (--include-bodies)", c2, args=["--include-bodies"])
        def _(h): h.log("live-headers.jsonl", json.dumps({"stage": "outbound-request", "body": {"model": "gpt-5.1-codex", k: val2}}) + "\n")
    reg()
# reasoning encrypted_content and summary
c = tok("encr", 80)
@case("r12 reasoning encrypted_content", c)
def _(h): h.log("stream.jsonl", json.dumps({"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAAAAB" + c, "summary": []}) + "\n")
c = pw("reasum")
@case("r12 reasoning summary text told secret", c)
def _(h): h.log("stream.jsonl", json.dumps({"type": "reasoning", "summary": [{"type": "summary_text", "text": f"The user's password is {c}, I should not print it."}]}) + "\n")
# response.completed with output and usage; a user id in metadata
c = pw("meta1")
@case("r12 response metadata user field", c)
def _(h): h.log("sse.log", sse({"type": "response.completed", "response": {"id": "resp_1", "status": "completed", "metadata": {"user": c}, "usage": {"input_tokens": 5}}}))
c = pw("safetyid")
@case("r12 safety_identifier / user in body", c, args=["--include-bodies"])
def _(h): h.log("live-headers.jsonl", json.dumps({"stage": "outbound-request", "body": {"model": "gpt-5", "safety_identifier": c, "user": c}}) + "\n")
c = pw("errresp")
@case("r12 response.failed error message quoting a key", c)
def _(h): h.log("sse.log", sse({"type": "response.failed", "response": {"error": {"code": "invalid_api_key", "message": f"Incorrect API key provided: {c}. You can find your API key at https://platform.openai.com/account/api-keys."}}}))
c = "sk-proj-" + tok("errresp2", 10)
@case("r12 invalid_api_key message masked key prefix", tok("errresp2", 10))
def _(h): h.log("sse.log", "data: " + json.dumps({"error": {"message": f"Incorrect API key provided: {c}****wxyz.", "type": "invalid_request_error", "code": "invalid_api_key"}}) + "\n")
# SSE data spanning several data: lines (multi-line data field)
c = pw("ssemulti")
@case("r12 sse multi-line data field", c)
def _(h): h.log("sse.log", "event: message\ndata: {\"type\":\"x\",\ndata: \"apiKey\":\ndata: \"" + c + "\"}\n\n")
# SSE comment line
c = pw("ssecomment")
@case("r12 sse comment with token", c)
def _(h): h.log("sse.log", f": keepalive session-token={c}\n\n")
# prompt_cache_key and previous_response_id in line json
c = pw("pck")
@case("r12 prompt_cache_key words", c)
def _(h): h.log("live-headers.jsonl", json.dumps({"stage": "outbound-request", "prompt_cache_key": c}) + "\n")
# tool definitions with defaults holding secrets (include bodies)
c = pw("tooldef")
@case("r12 tool schema default holds key", c, args=["--include-bodies"])
def _(h): h.log(SNAPREQ, json.dumps({"stage": "outbound-request", "body": {"model": "gpt-5", "tools": [{"type": "function", "name": "deploy", "parameters": {"type": "object", "properties": {"token": {"type": "string", "default": c}}}}]}}, indent=2))
# conversation text in response snapshot output
c = pw("resout")
@case("r12 response snapshot output message text", c)
def _(h): h.log(SNAPRES, json.dumps({"stage": "outbound-response", "status": 200, "output": [{"type": "message", "content": [{"type": "output_text", "text": f"Your password is {c}"}]}]}, indent=2))
