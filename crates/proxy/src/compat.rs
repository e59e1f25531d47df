//! The plugin's two optional input transforms (reference 7.3), as its source applies them:
//!
//! - the developer-role remap (codex mode with `developerMessagesToUser`): an `input` item
//!   whose `role` is exactly `developer` becomes a `user` item unless its text reads as
//!   policy — it names "instructions" with directive words, carries a structured marker
//!   (`<permissions instructions>`, `<environment_context>`, …), pairs directive language
//!   with a policy domain word, or has two runtime-policy phrases;
//! - the compatibility sanitizer (`sanitizeInputs`): every key named `item_reference` is
//!   removed from each `input` item at any depth, and a tool output without a call id
//!   (`function_call_output`, `tool_output`, `tool_result` with neither a non-blank
//!   `call_id` nor `tool_call_id`) becomes an assistant message carrying its text.

use serde_json::{Map, Value};

/// Markers of structured instructions.
const STRUCTURED_MARKERS: [&str; 6] = [
    "<permissions instructions>",
    "<environment_context>",
    "<app-context>",
    "<collaboration_mode>",
    "<personality_spec>",
    "<instructions>",
];

/// Phrases of runtime policy text; two of them make a policy message.
const RUNTIME_POLICY_SIGNALS: [&str; 6] = [
    "approval policy",
    "filesystem sandboxing",
    "sandbox_mode",
    "agents.md",
    "environment context",
    "collaboration mode",
];

const DIRECTIVE_SIGNALS: [&str; 6] = ["must", "never", "do not", "always", "required", "only"];
const POLICY_DOMAIN_SIGNALS: [&str; 6] = [
    "permission",
    "policy",
    "sandbox",
    "filesystem",
    "security",
    "compliance",
];

/// Text used when an orphaned tool output has none.
const ORPHAN_PLACEHOLDER: &str = "[sanitized orphaned tool output]";

/// A message's text: a string content, or the non-blank `text` of its parts joined by `\n`.
fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Whether a developer message reads as policy and keeps its role.
fn keeps_developer_role(item: &Value) -> bool {
    let text = content_text(item.get("content")).to_lowercase();
    if text.is_empty() {
        return false;
    }
    let has = |s: &&str| text.contains(*s);
    if text.contains("instructions") && ["must", "never", "do not", "required"].iter().any(has) {
        return true;
    }
    if STRUCTURED_MARKERS.iter().any(has) {
        return true;
    }
    if DIRECTIVE_SIGNALS.iter().any(has) && POLICY_DOMAIN_SIGNALS.iter().any(has) {
        return true;
    }
    RUNTIME_POLICY_SIGNALS.iter().filter(|s| has(s)).count() >= 2
}

/// `developer` input items → `user`, unless they read as policy.
pub(crate) fn developer_to_user(m: &mut Map<String, Value>) {
    let Some(Value::Array(input)) = m.get_mut("input") else {
        return;
    };
    for item in input.iter_mut() {
        if item.get("role").and_then(Value::as_str) != Some("developer")
            || keeps_developer_role(item)
        {
            continue;
        }
        if let Some(o) = item.as_object_mut() {
            o.insert("role".into(), Value::String("user".into()));
        }
    }
}

fn drop_item_references(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(drop_item_references),
        Value::Object(o) => {
            o.shift_remove("item_reference");
            o.values_mut().for_each(drop_item_references);
        }
        _ => {}
    }
}

fn has_call_id(o: &Map<String, Value>) -> bool {
    ["call_id", "tool_call_id"].iter().any(|k| {
        o.get(*k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    })
}

/// The first of `output_text`, `output`, `content` that has text: a non-blank string, or any
/// other value as JSON unless it is `null`, `{}` or `[]`.
fn orphan_text(o: &Map<String, Value>) -> String {
    for key in ["output_text", "output", "content"] {
        match o.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                if !s.trim().is_empty() {
                    return s.clone();
                }
                // A blank string is still a value: `JSON.stringify("  ")` is `"  "` quoted.
                return Value::String(s.clone()).to_string();
            }
            Some(v) => {
                let text = v.to_string();
                if text != "{}" && text != "[]" {
                    return text;
                }
            }
        }
    }
    ORPHAN_PLACEHOLDER.to_string()
}

/// The compatibility sanitizer over `input`.
pub(crate) fn sanitize_inputs(m: &mut Map<String, Value>) {
    let Some(Value::Array(input)) = m.get_mut("input") else {
        return;
    };
    for item in input.iter_mut() {
        drop_item_references(item);
        let Value::Object(o) = item else { continue };
        let orphan = matches!(
            o.get("type").and_then(Value::as_str),
            Some("function_call_output" | "tool_output" | "tool_result")
        ) && !has_call_id(o);
        if orphan {
            let text = orphan_text(o);
            *item = serde_json::json!({
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text}],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("object"),
        }
    }

    fn roles(m: &Map<String, Value>) -> Vec<&str> {
        m["input"]
            .as_array()
            .expect("input")
            .iter()
            .map(|i| i["role"].as_str().expect("role"))
            .collect()
    }

    #[test]
    fn structured_policy_stays_developer_and_plain_text_becomes_user() {
        // The plugin's own case.
        let mut m = obj(json!({"input": [
            {"role": "developer", "content": [{"type": "input_text", "text": "<environment_context>\nApproval policy: never\nDo not prompt."}]},
            {"role": "developer", "content": [{"type": "input_text", "text": "Write the answer as a haiku."}]}
        ]}));
        developer_to_user(&mut m);
        assert_eq!(roles(&m), ["developer", "user"]);
    }

    #[test]
    fn each_policy_signal_keeps_the_developer_role() {
        for text in [
            "<permissions instructions>\nMust not use network.",
            "These instructions are required reading",
            "Follow the instructions; never guess",
            "You must respect the sandbox",
            "Always check the security rules",
            "The approval policy and agents.md apply",
            "Use the filesystem sandboxing described in the collaboration mode",
        ] {
            let mut m = obj(json!({"input": [{"role": "developer", "content": text}]}));
            developer_to_user(&mut m);
            assert_eq!(roles(&m), ["developer"], "{text}");
        }
        for text in [
            "Write the answer as a haiku.",
            "Instructions: be brief",
            "You must answer in French",
            "The security of the app is out of scope",
            "See agents.md",
            "",
        ] {
            let mut m = obj(json!({"input": [{"role": "developer", "content": text}]}));
            developer_to_user(&mut m);
            assert_eq!(roles(&m), ["user"], "{text:?}");
        }
    }

    #[test]
    fn only_the_exact_developer_role_is_remapped_and_blank_parts_are_not_text() {
        let mut m = obj(json!({"input": [
            {"role": "Developer", "content": "hi"},
            {"role": "developer", "content": [{"type": "input_text", "text": "  "}, {"type": "input_text", "text": "be brief"}]},
            "not an object"
        ]}));
        developer_to_user(&mut m);
        assert_eq!(m["input"][0]["role"], "Developer");
        assert_eq!(m["input"][1]["role"], "user");
        assert_eq!(m["input"][2], "not an object");
    }

    #[test]
    fn item_reference_keys_go_at_any_depth() {
        // The plugin's own case.
        let mut m = obj(json!({"input": [{
            "type": "message", "role": "assistant", "item_reference": "abc",
            "content": [{"type": "input_text", "text": "hello", "item_reference": "nested"}]
        }]}));
        sanitize_inputs(&mut m);
        assert_eq!(
            m["input"],
            json!([{"type": "message", "role": "assistant",
                "content": [{"type": "input_text", "text": "hello"}]}])
        );
    }

    #[test]
    fn orphaned_tool_outputs_become_assistant_text() {
        let mut m = obj(json!({"input": [
            {"type": "function_call_output", "output": "result body"},
            {"type": "function_call_output", "call_id": "call_123", "output": "ok"},
            {"type": "tool_result", "tool_call_id": " ", "output": {"rows": 2}},
            {"type": "tool_output", "output": "", "content": []},
            {"type": "tool_output", "call_id": "", "output_text": "   "}
        ]}));
        sanitize_inputs(&mut m);
        let text = |i: usize| m["input"][i]["content"][0]["text"].clone();
        assert_eq!(
            m["input"][0],
            json!({"type": "message", "role": "assistant",
                "content": [{"type": "output_text", "text": "result body"}]})
        );
        assert_eq!(
            m["input"][1],
            json!({"type": "function_call_output", "call_id": "call_123", "output": "ok"}),
            "a call id keeps the item"
        );
        assert_eq!(text(2), json!("{\"rows\":2}"), "a blank call id is none");
        assert_eq!(
            text(3),
            json!("\"\""),
            "an empty string is JSON-encoded, as JSON.stringify does"
        );
        assert_eq!(text(4), json!("\"   \""));
    }

    #[test]
    fn orphans_with_nothing_to_say_get_the_placeholder() {
        let mut m = obj(json!({"input": [
            {"type": "function_call_output", "output": null, "content": {}}
        ]}));
        sanitize_inputs(&mut m);
        assert_eq!(
            m["input"][0]["content"][0]["text"],
            "[sanitized orphaned tool output]"
        );
    }
}
