//! The words of the messages the plugin, Node.js and the OAuth and Codex backends write (the
//! plugin's own message strings at v1.10.0, reference 13.1's user-visible strings, Node's
//! system, network and certificate error texts): a message made only of these words, codes
//! and loopback addresses is the software speaking, not the user, and the schema keeps it
//! under an error key ([`crate::schema::Shape::Message`]).

/// The words, lower case, sorted (a test keeps them so).
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "aborted", "about", "above", "absurd", "access", "account", "accounts", "accuracy",
    "accurate", "acknowledge", "action", "actionable", "actions", "activate", "activation",
    "active", "add", "added", "address", "addresses", "advertises", "affect", "affinity",
    "after", "again", "agent", "agents", "ago", "agreement", "alias", "aliases", "align",
    "aligned", "all", "allow", "allowed", "already", "also", "alternative", "alternatives",
    "altnames", "always", "an", "analysis", "ancestors", "anchor", "anchors", "and", "another",
    "answers", "any", "api", "apis", "append", "apple", "applicable", "application", "applies",
    "apply", "approval", "architecture", "are", "argument", "arguments", "array", "artifacts",
    "as", "ask", "asking", "assist", "assistant", "assume", "assumptions", "at", "attach",
    "attack", "attempt", "attempted", "audit", "auth", "authenticate", "authenticated",
    "authorization", "auto", "automatically", "available", "avoid", "avoidances", "aware",
    "backed", "backend", "backends", "background", "bad", "badges", "base", "based", "be",
    "bearer", "because", "becomes", "been", "before", "begin", "behave", "behavior",
    "behavioral", "being", "below", "bg", "bind", "blinkmacsystemfont", "blocked", "blocking",
    "blocks", "bodies", "body", "bootstrap", "border", "both", "bottom", "bounded", "box",
    "brain", "break", "briefly", "broken", "browser", "bufferms", "build", "builder", "built",
    "bullets", "but", "button", "by", "cache", "cadence", "call", "callback", "calling",
    "calls", "calmly", "can", "cancel", "cancelled", "candidate", "candidates", "cannot",
    "cantarell", "capture", "captures", "casing", "casual", "catalog", "catchphrase",
    "catchphrases", "cause", "center", "certain", "certainty", "certificate", "chain",
    "changes", "chaotic", "character", "characters", "charset", "chat", "chatgpt", "check",
    "checklist", "checkpoint", "child", "chmod", "choose", "claiming", "claims",
    "clarification", "clarifications", "clarifier", "clarify", "clarifying", "class", "cleanup",
    "clear", "clearly", "client", "close", "closebox", "closed", "code", "codex", "coding",
    "collaborate", "collaboration", "collaborative", "color", "column", "com", "comedic",
    "command", "commands", "communicate", "communication", "compaction", "compatibility",
    "competence", "competencestrictness", "complete", "completed", "completing", "complexity",
    "concern", "concise", "conclusions", "concrete", "confidence", "confident", "config",
    "configuration", "configure", "configured", "confirm", "confirmed", "conflict",
    "conflicting", "conflicts", "connect", "connection", "connectivity", "consent",
    "consistency", "consistent", "consolas", "console", "const", "constraints", "constructed",
    "constructive", "constructively", "contain", "container", "content", "context",
    "contextually", "continue", "contract", "contradicts", "control", "cooling", "core",
    "correct", "correction", "corrections", "correctness", "corrupt", "could", "countdown",
    "coupled", "cpath", "crash", "create", "created", "creating", "credentials", "credits",
    "critical", "csrf", "csvg", "ctrl", "cues", "current", "custom", "custommodels", "data",
    "debug", "debugging", "decide", "decision", "decisions", "decoration", "default",
    "defaults", "defensive", "defensiveness", "define", "delegation", "delete", "deleted",
    "delivery", "demand", "demands", "denied", "depend", "dependencies", "deprecated",
    "derived", "description", "descriptive", "destructive", "detail", "detailed", "detected",
    "dev", "developer", "device", "diagnostic", "did", "different", "diffs", "dir", "direct",
    "direction", "directives", "directly", "directory", "disable", "disabled", "disables",
    "disagree", "disagreement", "disallowed", "discourages", "discovered", "display",
    "disposal", "distinguish", "div", "do", "doc", "doctor", "doctype", "document",
    "documentation", "documents", "does", "domain", "done", "down", "dramatic", "drift", "dry",
    "dude", "due", "dumb", "duplicate", "duplicating", "during", "eacces", "each", "earlier",
    "early", "ecec", "edge", "effort", "elocked", "else", "email", "embedded", "emits", "emoji",
    "emphasis", "empty", "en", "enable", "enabled", "enabling", "encrypted", "end", "energetic",
    "enforced", "enoent", "enough", "ensure", "enter", "entirely", "entity", "entry", "env",
    "environment", "error", "errors", "escaped", "especially", "estimate", "even", "every",
    "evidence", "exact", "example", "examples", "exceeded", "exception", "excerpt", "excerpts",
    "exchange", "exec", "execute", "execution", "exhausted", "existing", "exists", "exited",
    "expand", "expands", "expansion", "expected", "experimental", "expired", "expiry",
    "explain", "explains", "explicit", "explicitly", "explorer", "extend", "extended",
    "extendedcontext", "external", "externally", "extra", "extraction", "facing", "fact",
    "facts", "factual", "failed", "failing", "failure", "faithfully", "fake", "false", "family",
    "fast", "fastest", "fatal", "fc", "feel", "fetch", "few", "ff", "fidelity", "fields",
    "file", "files", "filesystem", "fill", "final", "findings", "finish", "first", "fix",
    "flags", "flattening", "flex", "fluff", "focused", "font", "for", "forbidden", "force",
    "form", "format", "formatting", "found", "fragments", "frame", "framing", "friction",
    "friendly", "from", "fsync", "full", "fully", "function", "gap", "gated", "gateway",
    "gather", "general", "generated", "get", "getaddrinfo", "global", "goals", "gone", "good",
    "goofy", "gpt", "grant", "grounded", "guardrails", "guidance", "habits", "had",
    "hallucinate", "hallucinated", "handling", "handoff", "hang", "hard", "has", "hasendicon",
    "hashed", "hasstarticon", "have", "head", "header", "headers", "headersnapshotbodies",
    "headersnapshots", "headertransformdebug", "headless", "heads", "healthy", "heavy",
    "height", "held", "help", "helping", "helvetica", "here", "high", "home", "honestly",
    "honesty", "host", "hostname", "how", "href", "html", "http", "https", "humor", "hybrid",
    "hydrated", "hype", "hypotheses", "iam", "icon", "id", "idempotent", "identity",
    "identitykey", "if", "image", "img", "immediately", "impact", "implementation", "important",
    "imported", "improve", "in", "inbound", "incident", "include", "includes", "including",
    "index", "inference", "inferred", "information", "init", "initial", "initialization",
    "initialized", "initiate", "inline", "inner", "input", "ins", "inspect", "inspiration",
    "install", "installer", "instead", "instruction", "instructions", "intact", "integrity",
    "intent", "intentionally", "intents", "interaction", "interactive", "internal",
    "internally", "interrupted", "into", "invalid", "invent", "ip", "irreversible", "is",
    "ishovered", "isinactive", "ispressed", "issuer", "it", "items", "its", "json", "jsonc",
    "jsonl", "justifies", "justify", "keep", "keeping", "keeps", "kept", "key", "keys",
    "killed", "label", "lang", "language", "large", "last", "later", "layer", "lean", "leans",
    "least", "leave", "left", "legacy", "less", "let", "level", "limit", "limited", "limits",
    "line", "linecap", "lines", "link", "lint", "linux", "listen", "live", "llm", "local",
    "localhost", "location", "lock", "lockfile", "log", "logging", "logical", "login", "logo",
    "logprobs", "logs", "long", "longer", "lookup", "loop", "loss", "low", "lowercase", "lstat",
    "mac", "made", "maintain", "maintains", "major", "make", "malformed", "manage", "manually",
    "many", "map", "margin", "mark", "markdown", "match", "material", "materially", "max",
    "may", "md", "medium", "meme", "menlo", "menu", "message", "messages", "meta", "metadata",
    "metaphor", "method", "mid", "milliseconds", "minimal", "mismatch", "missing",
    "mitigations", "mkdir", "mode", "model", "modelaliases", "models", "momentum", "monaco",
    "monospace", "more", "motifs", "moved", "ms", "msg", "multi", "multiple", "must", "my",
    "naccount", "name", "nany", "native", "nauthorization", "nconfigure", "nearest", "need",
    "needed", "needs", "needssetup", "negotiables", "nested", "network", "neue", "never", "new",
    "next", "ngo", "nicknames", "no", "non", "none", "nonstop", "normalized", "not", "note",
    "notifications", "now", "nproactive", "ntransfer", "null", "numerically", "oauth", "obey",
    "object", "objective", "observe", "observed", "occurred", "of", "off", "offer", "offline",
    "offset", "old", "omit", "omitted", "on", "once", "one", "only", "ons", "open", "openai",
    "opencode", "openid", "operation", "operational", "operations", "option", "optional",
    "options", "or", "orchestration", "orchestrator", "org", "organization", "orgid",
    "oriented", "origin", "orphaned", "os", "other", "otherwise", "out", "outbound", "outcome",
    "outcomes", "outline", "output", "outputs", "over", "overconfidence", "overlong",
    "override", "overrides", "overriding", "overwrite", "own", "oxygen", "package", "padding",
    "page", "parallel", "paralleltoolcalls", "params", "parse", "part", "pass", "password",
    "path", "paths", "patterns", "pause", "payload", "payloads", "payment", "pct", "peer",
    "perform", "performative", "performing", "permission", "permissions", "permitted",
    "permodel", "persist", "persistence", "persisting", "persists", "person", "persona",
    "personalities", "personality", "phrase", "phrases", "phrasing", "pidoffset", "pipe",
    "pivot", "plain", "plainly", "plan", "plans", "plantype", "platform", "platformurl",
    "playful", "please", "plugin", "plugins", "plus", "points", "policies", "policy", "port",
    "position", "possible", "potential", "pragmatic", "prefer", "preferences", "prefers",
    "prefix", "prepared", "preparing", "prerequisites", "present", "presented", "preserve",
    "preserved", "preserving", "prevent", "prevention", "primary", "prior", "prioritize",
    "priority", "privacy", "pro", "proactive", "proactively", "probes", "problem", "proceed",
    "process", "produce", "produced", "profile", "progress", "progressing", "project",
    "projectid", "prompt", "promptly", "proper", "propose", "protocol", "provide", "provided",
    "provider", "proxies", "public", "punchy", "punctuation", "pure", "pushes", "px", "quality",
    "quarantine", "quarantined", "queryselector", "questions", "quick", "quickly", "quiet",
    "quirky", "quota", "quotas", "radius", "rate", "re", "read", "ready", "reasoning",
    "reasoningeffort", "reasoningsummaries", "reasoningsummary", "reassurance",
    "reauthenticate", "receiving", "recommend", "recommended", "recurring", "redirect",
    "redirecting", "redirecturl", "redirecturlobj", "reduce", "reference", "references",
    "refine", "refresh", "refreshahead", "refreshed", "refusal", "refused", "refusing",
    "regular", "reinforcement", "reinterpret", "rejected", "rel", "relative", "release", "rem",
    "remain", "remaining", "remains", "remap", "remove", "removed", "rename", "repair",
    "repeated", "replace", "replay", "report", "reproducible", "request", "requests", "require",
    "required", "requirement", "requirements", "requires", "requiring", "rerun", "research",
    "reset", "residual", "resilience", "resolution", "resolve", "resolves", "resource",
    "response", "responses", "restarts", "restate", "resulting", "results", "resume",
    "resuming", "retries", "retry", "return", "reversible", "rewritten", "rgb", "rgba",
    "richer", "risk", "risks", "risky", "rmdir", "robin", "roboto", "role", "rollback", "root",
    "rooted", "rotation", "rotationstrategy", "round", "route", "rs", "rule", "rules", "run",
    "runaway", "runtime", "sacrificing", "safe", "safer", "safety", "same", "sandboxing",
    "sanitized", "sanitizeinputs", "sanitizer", "sans", "save", "saved", "says", "scaffolding",
    "schema", "schemas", "scope", "scoped", "script", "seamlessly", "search", "searchparams",
    "secondary", "section", "security", "segment", "segoe", "select", "selectable", "selected",
    "selection", "self", "sending", "sent", "sentence", "separate", "sequencing", "serif",
    "server", "service", "servicetier", "session", "sessions", "set", "settimeout", "setting",
    "setup", "setupbox", "severity", "sfmono", "shadow", "shareable", "shareabledebug",
    "sharing", "short", "should", "show", "side", "sign", "signal", "signature", "signed",
    "silly", "size", "sized", "sizing", "skill", "skills", "skip", "skipping", "slang", "slug",
    "small", "smallest", "snapshot", "snapshots", "socket", "solid", "solve", "sound",
    "sounding", "source", "sourcetext", "space", "spawn", "spec", "specific", "specification",
    "specifics", "specifier", "speculation", "speed", "src", "stalling", "stalls", "standard",
    "start", "started", "stat", "state", "stated", "status", "stay", "staying", "stays",
    "stdout", "step", "steps", "sticky", "still", "stop", "storage", "strategy", "stretch",
    "strict", "strictness", "string", "strings", "stripped", "stroke", "structured", "style",
    "stylistic", "sub", "success", "successful", "successfully", "such", "suggest",
    "suggestions", "summaries", "summary", "supported", "supportive", "supports", "suppress",
    "surface", "svg", "switch", "switched", "switching", "sycophantic", "synchronized",
    "synthesis", "synthetic", "system", "tab", "tag", "target", "targetmodel", "targetstyle",
    "task", "temporarily", "terminal", "terms", "test", "testable", "tests", "text",
    "textcontent", "texts", "textverbosity", "than", "that", "the", "them", "then", "these",
    "they", "thinking", "thinkingsummaries", "this", "those", "through", "thrown", "tick",
    "tied", "tier", "time", "timed", "timeout", "title", "tmp", "to", "toast", "toasts",
    "toggle", "token", "tokens", "tolerant", "tone", "too", "took", "tool", "tools", "top",
    "tostring", "tradeoffs", "traffic", "traits", "transfer", "transforms", "troubleshooting",
    "true", "truncated", "try", "tuple", "turns", "two", "type", "types", "typically", "ubuntu",
    "ui", "ultra", "ultrareasoningeffort", "unable", "unauthorized", "unavailable", "uncertain",
    "uncertainty", "unchanged", "under", "undone", "unexpected", "unexpectedly", "unknown",
    "unless", "unlink", "unnecessary", "unreachable", "unresolved", "unsafe", "unsupported",
    "until", "up", "update", "updated", "upstream", "uri", "url", "urlsearchparams", "usable",
    "usage", "use", "used", "useful", "user", "username", "users", "uses", "using", "utf",
    "vague", "valid", "validate", "validation", "value", "values", "var", "variant", "variants",
    "verbose", "verbosity", "verifiable", "verification", "verify", "version", "versions", "vh",
    "viewbox", "visible", "vocabulary", "voice", "voicefidelity", "voices", "vs", "wait",
    "wants", "warm", "warnings", "was", "weakening", "weekly", "weight", "weird", "were",
    "what", "when", "whether", "while", "white", "width", "will", "window", "windows", "wins",
    "with", "without", "word", "work", "workaround", "workflow", "would", "wrap", "wrapper",
    "write", "writes", "writing", "wrong", "wslview", "www", "xdg", "xhigh", "xm", "xml",
    "xmlns", "yet", "you", "your", "ys",
];

/// Whether `word` (letters only, any case) is one of the messages' words.
pub fn known(word: &str) -> bool {
    let mut buf = [0u8; 20];
    let b = word.as_bytes();
    if b.is_empty() || b.len() > buf.len() || !b.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    for (d, s) in buf.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    let Ok(low) = std::str::from_utf8(&buf[..b.len()]) else {
        return false;
    };
    WORDS.binary_search(&low).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_lower_case_letters() {
        assert!(WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(WORDS
            .iter()
            .all(|w| w.len() >= 2 && w.bytes().all(|c| c.is_ascii_lowercase())));
    }

    #[test]
    fn messages_words_are_known_and_names_are_not() {
        for w in [
            "address", "already", "Token", "EXCHANGE", "failed", "callback", "denied",
        ] {
            assert!(known(w), "{w}");
        }
        for w in [
            "Ann", "Lee", "cnryk", "jdoe", "acme", "zorblatt", "", "in-use",
        ] {
            assert!(!known(w), "{w}");
        }
    }
}
