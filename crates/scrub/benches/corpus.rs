//! The synthetic plugin log the bench reads (JSONL: live headers, shareable debug, OAuth
//! lifecycle lines) and the scrubber it runs, with 50 accounts' known values registered;
//! shared with the agreement tests (`tests/agreement.rs`).

use codex_scrub::{KnownValues, Options, Pseudonymizer, Scrubber};

/// About `target` bytes of plugin JSONL, the same for every call.
pub fn corpus(target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target + 1024);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJodHRwczovL2FwaS5vcGVuYWkuY29tL2F1dGgiOnsiY2hhdGdwdF9hY2NvdW50X2lkIjoiYWNjXzEifX0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    let mut seq = 0u64;
    while out.len() < target {
        seq += 1;
        let r = next();
        let line = match r % 4 {
            0 => format!(
                r#"{{"timestamp":"2025-01-01T00:00:{:02}.000Z","runId":"2025-01-01T00-00-00-000Z-{}-abcd1234","requestId":"req-{seq}","stage":"outbound-attempt","method":"POST","url":"https://chatgpt.com/backend-api/codex/responses","headers":{{"authorization":"Bearer {jwt}","chatgpt-account-id":"acc_{}","originator":"codex_cli_rs","session_id":"ses_{:016x}","user-agent":"opencode/1.2.3"}},"prompt_cache_key":"[redacted]","meta":{{"attempt":{}}}}}"#,
                seq % 60,
                r % 99999,
                r % 7,
                r,
                r % 3
            ),
            1 => format!(
                r#"{{"seq":{seq},"timestamp":"2025-01-01T00:00:00.000Z","event":"fetch_attempt_response","rotationStrategy":"sticky","attempt":1,"maxAttempts":3,"endpoint":"/backend-api/codex/responses","status":{},"selectedIdentity":"ident_{:08x}","session":"sess_{:08x}","waitMs":{}}}"#,
                [200, 429, 401][(r % 3) as usize],
                r as u32,
                (r >> 32) as u32,
                r % 5000
            ),
            2 => format!(
                r#"{{"ts":"2025-01-01T00:00:00.000Z","pid":{},"event":"token_exchange_success","meta":{{"email":"user{}@example.com","identityKey":"acc_{}|user{}@example.com|plus","url":"http://localhost:1455/auth/callback?code=ac_{:x}&state={:x}"}}}}"#,
                r % 65536,
                r % 7,
                r % 7,
                r % 7,
                r,
                r >> 3
            ),
            _ => format!(
                r#"{{"seq":{seq},"event":"rotation_decision","decision":"keep","counters":{{"eligible":3,"cooling":0}},"selectedIndex":{},"durationMs":{}.{}}}"#,
                r % 3,
                r % 900,
                r % 10
            ),
        };
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The kind of the file a record of [`corpus`] comes from in a real log folder: header
/// snapshots from `live-headers.jsonl`, OAuth events from `oauth-lifecycle.log`, the rest
/// from `shareable-debug.jsonl` (the bundle picks a file's schema by its name).
#[allow(dead_code)]
pub fn kind_of(record: &[u8]) -> codex_scrub::schema::FileKind {
    use codex_scrub::schema::FileKind;
    if record.windows(9).any(|w| w == br#""stage":""#) {
        FileKind::LiveHeaders
    } else if record.starts_with(br#"{"ts":"#) {
        FileKind::LifecycleLog
    } else {
        FileKind::ShareableDebug
    }
}

/// The bench's scrubber.
pub fn scrubber() -> Scrubber {
    scrubber_with(true, 9)
}

/// The bench's scrubber with request bodies dropped or not, and its own pseudonym key (the
/// bundle's self-scan reads with bodies kept and another key).
pub fn scrubber_with(drop_bodies: bool, key: u8) -> Scrubber {
    let mut known = KnownValues::default();
    for i in 0..50 {
        known
            .tokens
            .push(format!("rt_account_{i}_refresh_token_value_0123456789"));
        known
            .tokens
            .push(format!("at_account_{i}_access_token_value_0123456789"));
        known.emails.push(format!("user{i}@example.com"));
        known.account_ids.push(format!("acc_{i:06}"));
        known
            .identity_keys
            .push(format!("acc_{i:06}|user{i}@example.com|plus"));
    }
    let opts = Options {
        drop_bodies,
        home: Some("/home/someone".into()),
        user: Some("someone".into()),
        keep_unvetted: false,
    };
    Scrubber::new(&known, &opts, Pseudonymizer::with_key(&[key; 32]))
}
