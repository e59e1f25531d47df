//! Reference 15, cases 1–18: `selectAccount`.

use codex_rotation::{
    health, select_account, AccountView, Decision, SelectInput, SessionState, Strategy,
};

fn accts(keys: &[&str]) -> Vec<AccountView> {
    keys.iter().map(|k| AccountView::new(k)).collect()
}

fn input<'a>(
    accounts: &'a [AccountView],
    strategy: Strategy,
    active: Option<&'a str>,
    now: f64,
) -> SelectInput<'a> {
    SelectInput {
        accounts,
        strategy,
        active_key: active,
        now_ms: now,
        pid_offset: false,
        pid: 0,
        session_key: None,
    }
}

fn key(accounts: &[AccountView], i: &SelectInput<'_>, state: Option<&mut SessionState>) -> String {
    let sel = select_account(i, state).expect("an eligible account");
    accounts[sel.index].identity_key.clone().expect("identity")
}

#[test]
fn case_01_round_robin_advances() {
    let a = accts(&["a", "b"]);
    assert_eq!(
        key(&a, &input(&a, Strategy::RoundRobin, Some("a"), 0.0), None),
        "b"
    );
}

#[test]
fn case_02_default_strategy_is_sticky() {
    let a = accts(&["a", "b"]);
    assert_eq!(Strategy::default(), Strategy::Sticky);
    assert_eq!(
        key(&a, &input(&a, Strategy::default(), Some("a"), 0.0), None),
        "a"
    );
}

#[test]
fn case_03_round_robin_with_unknown_active_takes_offset_zero() {
    let a = accts(&["a", "b"]);
    let i = input(&a, Strategy::RoundRobin, Some("missing"), 0.0);
    let sel = select_account(&i, None).expect("selection");
    assert_eq!(sel.index, 0);
    assert_eq!(sel.decision, Decision::RoundRobinPidOffset);
}

#[test]
fn case_04_round_robin_wraps() {
    let a = accts(&["a", "b", "c"]);
    assert_eq!(
        key(&a, &input(&a, Strategy::RoundRobin, Some("c"), 0.0), None),
        "a"
    );
}

#[test]
fn case_05_sticky_keeps_active() {
    let a = accts(&["a", "b"]);
    let i = input(&a, Strategy::Sticky, Some("a"), 0.0);
    let sel = select_account(&i, None).expect("selection");
    assert_eq!((sel.index, sel.decision), (0, Decision::StickyActive));
}

#[test]
fn case_06_hybrid_lru_without_active() {
    let mut a = accts(&["a", "b"]);
    a[0].last_used = Some(100.0);
    a[1].last_used = Some(200.0);
    let i = input(&a, Strategy::Hybrid, Some("missing"), 0.0);
    let sel = select_account(&i, None).expect("selection");
    assert_eq!((sel.index, sel.decision), (0, Decision::HybridLru));
}

#[test]
fn case_07_disabled_active_is_skipped() {
    let mut a = accts(&["a", "b"]);
    a[0].enabled = false;
    a[0].last_used = Some(999.0);
    assert_eq!(
        key(&a, &input(&a, Strategy::Sticky, Some("a"), 0.0), None),
        "b"
    );
    assert_eq!(
        key(&a, &input(&a, Strategy::Hybrid, Some("a"), 0.0), None),
        "b"
    );
}

#[test]
fn case_08_cooling_account_is_skipped() {
    let now = 1_000.0;
    let mut a = accts(&["a", "b"]);
    a[0].cooldown_until = Some(now + 1.0);
    assert_eq!(
        key(&a, &input(&a, Strategy::Sticky, Some("a"), now), None),
        "b"
    );
    assert_eq!(
        key(&a, &input(&a, Strategy::RoundRobin, Some("b"), now), None),
        "b"
    );
}

#[test]
fn case_09_leased_account_is_skipped() {
    let now = 1_000.0;
    let mut a = accts(&["a", "b"]);
    a[0].refresh_lease_until = Some(now + 1.0);
    assert_eq!(
        key(&a, &input(&a, Strategy::Sticky, Some("a"), now), None),
        "b"
    );
}

#[test]
fn case_10_health_counts() {
    let now = 1_000.0;
    let mut a = accts(&["a", "b", "c", "d"]);
    a[0].enabled = false;
    a[1].cooldown_until = Some(now + 10.0);
    a[2].refresh_lease_until = Some(now + 10.0);
    let h = health(&a, now);
    assert_eq!(
        (h.total, h.disabled, h.cooldown, h.lease, h.eligible),
        (4, 1, 1, 1, 1)
    );
    assert_eq!(key(&a, &input(&a, Strategy::Sticky, None, now), None), "d");
}

fn with_session<'a>(mut i: SelectInput<'a>, session: &'a str, pid_offset: bool) -> SelectInput<'a> {
    i.session_key = Some(session);
    i.pid_offset = pid_offset;
    i
}

#[test]
fn case_11_sticky_pid_offset_assigns_sessions_round_robin_and_reuses() {
    let a = accts(&["a", "b", "c"]);
    let mut st = SessionState::default();
    let base = input(&a, Strategy::Sticky, None, 0.0);
    let s1 = with_session(base.clone(), "ses-1", true);
    let s2 = with_session(base.clone(), "ses-2", true);
    assert_eq!(key(&a, &s1, Some(&mut st)), "a");
    assert_eq!(key(&a, &s2, Some(&mut st)), "b");
    let again = select_account(&s1, Some(&mut st)).expect("selection");
    assert_eq!(
        (again.index, again.decision),
        (0, Decision::StickySessionReuse)
    );
}

#[test]
fn case_12_reuse_drops_a_cooling_assignment() {
    let now = 1_000.0;
    let mut a = accts(&["a", "b", "c"]);
    a[0].cooldown_until = Some(2_000.0);
    let mut st = SessionState::default();
    st.set("ses-1", "a");
    let i = with_session(input(&a, Strategy::Sticky, None, now), "ses-1", true);
    assert_eq!(key(&a, &i, Some(&mut st)), "b");
    assert_eq!(st.get("ses-1"), Some("b"));
}

#[test]
fn case_13_sticky_without_pid_offset_gives_every_session_the_active() {
    let a = accts(&["a", "b"]);
    let mut st = SessionState::default();
    let base = input(&a, Strategy::Sticky, Some("a"), 0.0);
    assert_eq!(
        key(
            &a,
            &with_session(base.clone(), "ses-1", false),
            Some(&mut st)
        ),
        "a"
    );
    assert_eq!(
        key(&a, &with_session(base, "ses-2", false), Some(&mut st)),
        "a"
    );
}

#[test]
fn case_14_sticky_session_keeps_its_account_after_active_changes() {
    let a = accts(&["a", "b"]);
    let mut st = SessionState::default();
    let first = with_session(input(&a, Strategy::Sticky, Some("a"), 0.0), "ses-1", false);
    assert_eq!(key(&a, &first, Some(&mut st)), "a");
    let later = with_session(input(&a, Strategy::Sticky, Some("b"), 0.0), "ses-1", false);
    assert_eq!(key(&a, &later, Some(&mut st)), "a");
}

#[test]
fn case_15_hybrid_prefers_active_over_lru() {
    let mut a = accts(&["a", "b"]);
    a[0].last_used = Some(500.0);
    a[1].last_used = Some(100.0);
    let i = input(&a, Strategy::Hybrid, Some("a"), 0.0);
    let sel = select_account(&i, None).expect("selection");
    assert_eq!((sel.index, sel.decision), (0, Decision::HybridActive));
}

#[test]
fn case_16_hybrid_session_keeps_its_account_after_active_changes() {
    let a = accts(&["a", "b"]);
    let mut st = SessionState::default();
    let first = with_session(input(&a, Strategy::Hybrid, Some("a"), 0.0), "ses-1", false);
    assert_eq!(key(&a, &first, Some(&mut st)), "a");
    let later = with_session(input(&a, Strategy::Hybrid, Some("b"), 0.0), "ses-1", false);
    let sel = select_account(&later, Some(&mut st)).expect("selection");
    assert_eq!((sel.index, sel.decision), (0, Decision::HybridSessionReuse));
}

#[test]
fn case_17_hybrid_pid_offset_orders_new_sessions_by_lru() {
    let mut a = accts(&["c", "a", "b"]);
    a[0].last_used = Some(300.0);
    a[1].last_used = Some(100.0);
    a[2].last_used = Some(200.0);
    let mut st = SessionState::default();
    let base = input(&a, Strategy::Hybrid, None, 0.0);
    assert_eq!(
        key(
            &a,
            &with_session(base.clone(), "ses-1", true),
            Some(&mut st)
        ),
        "a"
    );
    assert_eq!(
        key(
            &a,
            &with_session(base.clone(), "ses-2", true),
            Some(&mut st)
        ),
        "b"
    );
    assert_eq!(
        key(&a, &with_session(base, "ses-1", true), Some(&mut st)),
        "a"
    );
}

#[test]
fn case_18_sticky_pid_offset_without_session_uses_pid_mod_n() {
    let a = accts(&["a", "b", "c"]);
    let mut i = input(&a, Strategy::Sticky, None, 0.0);
    i.pid_offset = true;
    i.pid = 4;
    let sel = select_account(&i, None).expect("selection");
    assert_eq!((sel.index, sel.decision), (1, Decision::StickyPidOffset));
}

#[test]
fn none_eligible_and_codes() {
    let mut a = accts(&["a"]);
    a[0].enabled = false;
    assert!(select_account(&input(&a, Strategy::Sticky, None, 0.0), None).is_none());
    assert_eq!(Decision::RoundRobinNext.as_str(), "round-robin-next");
    assert_eq!(Strategy::parse(" Round_Robin "), Some(Strategy::RoundRobin));
}

#[test]
fn session_state_keeps_map_order_and_evicts_oldest() {
    let mut st = SessionState::with_max_entries(3);
    for s in ["s1", "s2", "s3"] {
        st.set(s, "a");
    }
    st.set("s1", "b");
    assert_eq!(st.entries()[0], ("s1".to_string(), "b".to_string()));
    st.set("s4", "c");
    assert_eq!(st.len(), 3);
    assert_eq!(st.get("s1"), None);
    assert_eq!(st.get("s4"), Some("c"));
}
