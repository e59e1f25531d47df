//! `README.txt`: what the bundle holds, what was removed, and how pseudonyms work.

use crate::manifest::Manifest;

/// The README text for a finished manifest.
pub(crate) fn readme(m: &Manifest) -> String {
    let mut by_rule = String::new();
    for rc in &m.redactions.by_rule {
        by_rule.push_str(&format!("  {:<20} {}\n", rc.rule, rc.count));
    }
    if by_rule.is_empty() {
        by_rule.push_str("  (nothing needed replacing)\n");
    }
    format!(
        "codex-doctor bundle
===================

Made by {tool} {version} at {at}. Attach it to an issue; it is meant to be safe to share.
Run `codex-doctor scan <this zip>` to check it yourself before posting.

What is inside
--------------
  report.json, report.txt      the doctor's checks, as JSON and as text
  environment.json             OS, architecture, memory, CPU count, OpenCode and doctor
                               versions, plugin-related environment variables (secret
                               values and proxy credentials masked)
  config/                      the codex-config file(s) and opencode.json, redacted
  auth/accounts-summary.json   for each account its pseudonym, domain, plan, enabled, active,
                               access/refresh present, expiry and cooldown relative to the
                               time of the bundle; never the account store itself
  cache/                       client version, models meta, quota snapshots and session
                               affinity (identities pseudonymized); model catalogs reduced
                               to their slug lists
  runtime/001/, …               what a local codex-runtime the OpenCode config points at
                               answered: status.json (account states, errors, counters,
                               quotas; account labels dropped) and metrics.txt
  logs/001.jsonl, …            the plugin's logs (logs/codex-plugin/), newest first,
                               redacted, whole lines up to the byte budget; a marker
                               shows where a file was cut; gzip logs decompressed
  manifest.json                every file above with its origin (names that are not
                               OpenCode's or the plugin's own are pseudonyms), sizes
                               before and after, SHA-256 and redaction counts, and every
                               file left out with the reason

What is never included
----------------------
  codex-accounts.json, openai-codex-accounts.json, OpenCode's auth.json, quarantined
  files (only their names, sizes and dates are listed), anything outside the OpenCode
  config and data folders, hard-linked files, binary files and compressed files other than
  gzip logs. Request bodies (prompts, tool output) in request snapshots are replaced by
  \"[omitted: request body]\" unless --include-bodies was given.

What was removed
----------------
  Tokens, API keys, cookies, authorization headers, OAuth codes and verifiers, JWTs,
  Bearer/Basic credentials and other secret-looking values became \"[redacted]\"; the home
  folder became \"~\" and the login name \"<user>\". Every token, email, account id and
  identity key found in the auth files was also searched for in its URL-encoded,
  JSON-escaped and base64 forms. Then nothing was kept unless known to be safe: the
  plugin's and OpenCode's own files (snapshots, debug logs, caches, configs) were read
  through a schema for their kind, which keeps their structure and keys and a value only
  where its key is on that kind's allowlist and the value has the key's safe shape
  (status codes, error codes, event names, model slugs, timestamps, counts, header
  names); other JSON keeps its structure and keys and a value only where its key and
  shape are on a general allowlist; in text, only ordinary words, numbers, codes and
  known file names stay.
  Everything else became <string:N> (N characters). Redactions in this bundle, by rule:
{by_rule}
Pseudonyms
----------
  Emails, account ids, identity keys, session ids and prompt cache keys became pseudonyms
  such as email_1a2b3c4d, acct_…, ident_…, sess_…, pck_… . A pseudonym is the first 8 hex
  digits of an HMAC-SHA256 of the value under a random key made for this bundle and then
  forgotten: the same value gets the same pseudonym everywhere in this bundle, so one
  account can be followed across files, but it cannot be reversed, and another bundle
  uses other pseudonyms. Values the plugin itself already pseudonymized (its shareable
  debug log) keep the plugin's own pseudonyms, which use a different key.
",
        tool = m.tool.name,
        version = m.tool.version,
        at = m.generated_at,
    )
}
