//! One Responses request: shaping, account acquisition, attempts, failover, the answer.
//!
//! Per attempt (up to `max_attempts`, reference 7.4) an account is acquired (reference 6.3:
//! selection, then the stored access token or a refresh under a lease) and the shaped
//! request is sent with its credentials. Then:
//! - 429: the account cools until the reset the response names (see
//!   `codex_rotation::cooldown`), persisted to the store, and the next account is tried;
//! - 401 (better than the plugin): the token is refreshed once under a lease and the same
//!   account retried; a second 401 cools it for 30 s and the next account is tried;
//! - 200 with an event stream: the opening is held back (see [`crate::sse`]); an error
//!   about the account (rate limit, invalidated token, overload) moves to the next account
//!   before anything reaches the client;
//! - no response headers within the header timeout: the next account is tried (when none
//!   answers, `upstream_timeout`);
//! - 3xx: the redirect policy (a POST is never redirected);
//! - anything else: passed through, streaming.
//!
//! When no attempt succeeds the answer is the plugin's synthetic error
//! (`all_accounts_rate_limited`, the acquisition's final error), or the last upstream
//! answer when it says more (a 401 body, a stream that opened with an error).

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use codex_redact::Secret;
use codex_rotation::cooldown::{error_info, ErrorInfo, REFRESH_FAILURE_COOLDOWN_MS};
use codex_rotation::ratelimit::{exhausted_until, parse_rate_limit_headers};
use codex_rotation::{
    failover_reason, final_acquire_error, rate_limit_cooldown, retry_account_key, AcquireFailure,
    ErrorClass, HeaderLookup,
};
use futures_util::StreamExt;
use http::{HeaderMap, Response, StatusCode};
use serde_json::Value;

use crate::catalog::SyncTarget;
use crate::errors::Synthetic;
use crate::metrics::{InflightGuard, Outcome};
use crate::outbound::{redirect_decision, Redirect, MAX_REDIRECTS};
use crate::pool::{Acct, SelectError};
use crate::quota::PollTarget;
use crate::refresh::{save_refreshed, RefreshPurpose};
use crate::shape::Shaped;
use crate::sse::{cut_signal, guard, hold_back, ByteStream, HeldStream, Hold, ProxyBody};
use crate::state::AppState;
use crate::upstream::UpstreamBody;

/// Lease length for request-time refreshes (reference 6.3).
pub(crate) const REQUEST_LEASE_MS: f64 = 30_000.0;

/// Largest error body read to decide a failover.
const ERROR_BODY_LIMIT: usize = 256 * 1024;

/// Headers never copied from upstream to the client.
const RESPONSE_DROP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "set-cookie",
    "alt-svc",
];

/// `http::HeaderMap` as a [`HeaderLookup`].
pub(crate) struct Headers<'a>(pub &'a HeaderMap);

impl HeaderLookup for Headers<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The answer for a synthetic error.
pub(crate) fn synthetic_response(s: &Synthetic) -> Response<ProxyBody> {
    let body = serde_json::to_vec(&s.body()).unwrap_or_default();
    let mut b = Response::builder()
        .status(StatusCode::from_u16(s.status()).unwrap_or(StatusCode::BAD_GATEWAY))
        .header("content-type", "application/json; charset=utf-8");
    if let Some(secs) = s.retry_after_secs() {
        b = b.header("retry-after", secs.to_string());
    }
    b.body(ProxyBody::full(body))
        .unwrap_or_else(|_| Response::new(ProxyBody::empty()))
}

/// The client's response: the upstream status and headers (minus [`RESPONSE_DROP`]).
fn build(status: StatusCode, mut headers: HeaderMap, body: ProxyBody) -> Response<ProxyBody> {
    if headers.keys().any(|k| RESPONSE_DROP.contains(&k.as_str())) {
        for name in RESPONSE_DROP {
            headers.remove(name);
        }
    }
    let mut r = Response::new(body);
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    r
}

pub(crate) fn is_sse(headers: &HeaderMap) -> bool {
    const SSE: &[u8] = b"text/event-stream";
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.as_bytes().get(..SSE.len()))
        .is_some_and(|v| v.eq_ignore_ascii_case(SSE))
}

/// The rate-limit headers of a response (`x-codex-*`, `x-ratelimit-*`, `ratelimit-*`, the
/// only names [`parse_rate_limit_headers`] reads), first value of each name, for cheap
/// repeated lookups.
struct LimitHeaders<'a>(Vec<(&'a str, Option<&'a str>)>);

impl<'a> LimitHeaders<'a> {
    fn of(headers: &'a HeaderMap) -> Self {
        let mut out: Vec<(&str, Option<&str>)> = Vec::with_capacity(8);
        for (k, v) in headers {
            let name = k.as_str();
            let relevant = name.starts_with("x-codex-")
                || name.starts_with("x-ratelimit-")
                || name.starts_with("ratelimit-");
            if relevant && !out.iter().any(|(n, _)| *n == name) {
                out.push((name, v.to_str().ok()));
            }
        }
        LimitHeaders(out)
    }
}

impl HeaderLookup for LimitHeaders<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        // Names here are lowercase (`HeaderName`s), and so are the names asked for.
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| *v)
    }
}

/// An account ready to use. `Debug` masks the identity.
#[derive(Clone)]
struct Acquired {
    acct: Acct,
    key: String,
    access: Secret<String>,
    account_id: Option<String>,
    refreshed: bool,
}

impl std::fmt::Debug for Acquired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acquired")
            .field("acct", &self.acct)
            .field("key", &codex_redact::MaskedDebug::Key(Some(&self.key)))
            .field("refreshed", &self.refreshed)
            .finish_non_exhaustive()
    }
}

/// What the last failed attempt left, in case nothing better comes.
enum Last {
    Buffered(StatusCode, HeaderMap, Bytes),
    Held(StatusCode, HeaderMap, HeldStream),
}

enum Step {
    Done(Response<ProxyBody>),
    Next,
    RetrySame(Box<Acquired>),
}

enum Stop {
    Synthetic(Synthetic),
}

struct Run<'a> {
    st: &'a AppState,
    shaped: Shaped,
    /// The attempt keys of the accounts tried (a few at most: a list, not a hashed set).
    attempted: Vec<String>,
    failure: AcquireFailure,
    last: Option<Last>,
    last_was_rate_limit: bool,
    prev: Option<(u16, Option<String>)>,
    guard: Option<InflightGuard>,
    synthetic: bool,
    /// The last account upstream answered for (not with a 401): its usage is polled.
    answered: Option<PollTarget>,
    /// The same account's catalog scope, when due for a look.
    catalog: Option<SyncTarget>,
    /// The pseudonymous label of the last account tried, for the access log (computed only
    /// when info logging is on).
    log_account: Option<String>,
    /// Accounts tried.
    attempts: u32,
    /// An attempt got no response headers in time.
    timed_out: bool,
}

fn now(st: &AppState) -> f64 {
    (st.clock)() as f64
}

/// The upstream body, failing when silent for the idle timeout or cut by the drain.
fn body_of(st: &AppState, body: UpstreamBody) -> ByteStream {
    guard(
        body,
        st.config.upstream_idle_timeout,
        cut_signal(st.cut.subscribe()),
    )
}

/// Reads at most `limit` bytes of a response body.
async fn read_limited(st: &AppState, body: UpstreamBody, limit: usize) -> Bytes {
    let mut out = Vec::new();
    let mut stream = body_of(st, body);
    while let Some(Ok(chunk)) = stream.next().await {
        let room = limit.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= limit {
            break;
        }
    }
    Bytes::from(out)
}

/// Handles `POST /v1/responses`.
pub(crate) async fn handle(
    st: Arc<AppState>,
    shaped: Shaped,
    guard: InflightGuard,
) -> Response<ProxyBody> {
    let mut run = Run {
        st: &st,
        shaped,
        attempted: Vec::new(),
        failure: AcquireFailure::default(),
        last: None,
        last_was_rate_limit: false,
        prev: None,
        guard: Some(guard),
        synthetic: false,
        answered: None,
        catalog: None,
        log_account: None,
        attempts: 0,
        timed_out: false,
    };
    let started = Instant::now();
    let resp = run.execute().await;
    if let Some(target) = run.answered.take() {
        crate::quota::after_request(&st.shared, &st.quota, target);
    }
    if let Some(target) = run.catalog.take() {
        crate::catalog::after_request(&st.shared, &st.catalog, target);
    }
    let status = resp.status().as_u16();
    let outcome = if run.synthetic {
        Outcome::Synthetic
    } else if resp.status().is_success() {
        Outcome::Success
    } else {
        Outcome::UpstreamError
    };
    st.metrics.request(outcome, status);
    // The access log: one line per request, no identity (a pseudonymous account label).
    tracing::info!(
        status,
        outcome = outcome.as_str(),
        account = run.log_account.as_deref().unwrap_or("-"),
        attempts = run.attempts,
        ms = started.elapsed().as_millis() as u64,
        "response"
    );
    resp
}

impl Run<'_> {
    fn synth(&mut self, s: &Synthetic) -> Response<ProxyBody> {
        self.synthetic = true;
        synthetic_response(s)
    }

    async fn execute(&mut self) -> Response<ProxyBody> {
        if let Some(actual) = self.shaped.invalid_summary.take() {
            // Refused before any account is used, as the plugin does.
            return self.synth(&Synthetic::InvalidReasoningSummary { actual });
        }
        let max = self.st.config.max_attempts;
        for attempt in 0..max {
            let acquired = match self.acquire().await {
                Ok(a) => a,
                Err(Stop::Synthetic(s)) => return self.finish_without_account(s),
            };
            if attempt > 0 {
                self.st
                    .metrics
                    .failovers
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            // The retry key (a formatted string) is built only for the debug log and after
            // a failed attempt, not on the way to an answer.
            let retry_key = |a: &Acquired| {
                retry_account_key(
                    Some(&a.key),
                    Some(&a.acct.attempt_key),
                    a.acct.account_id.as_deref(),
                    a.acct.email.as_deref(),
                    a.acct.plan.as_deref(),
                )
            };
            if tracing::enabled!(tracing::Level::DEBUG) {
                let key = retry_key(&acquired);
                let reason = failover_reason(
                    self.prev.as_ref().map(|p| p.0),
                    self.prev.as_ref().and_then(|p| p.1.as_deref()),
                    key.as_deref(),
                );
                tracing::debug!(
                    attempt = attempt + 1,
                    account = %crate::metrics::account_label(&acquired.key),
                    reason = reason.as_str(),
                    "attempt"
                );
            }
            // The same account once more with a refreshed token, at most once.
            let mut refreshed: Option<Acquired> = None;
            loop {
                let current = refreshed.as_ref().unwrap_or(&acquired);
                match self.try_account(current).await {
                    Step::Done(r) => return r,
                    Step::Next => break,
                    Step::RetrySame(a) if refreshed.is_none() => refreshed = Some(*a),
                    Step::RetrySame(_) => break,
                }
            }
            let rate_limited = if self.last_was_rate_limit { 429 } else { 0 };
            self.prev = Some((rate_limited, retry_key(&acquired)));
        }
        self.exhausted()
    }

    fn rate_limited_response(&mut self) -> Response<ProxyBody> {
        let t = now(self.st);
        let wait = self.earliest_wait(t).map(|u| u - t);
        self.synth(&Synthetic::AllAccountsRateLimited { wait_ms: wait })
    }

    fn last_response(&mut self) -> Option<Response<ProxyBody>> {
        match self.last.take()? {
            Last::Buffered(status, mut headers, body) => {
                headers.remove(http::header::CONTENT_LENGTH);
                Some(build(status, headers, ProxyBody::full(body)))
            }
            Last::Held(status, headers, held) => {
                let sse = is_sse(&headers);
                Some(build(
                    status,
                    headers,
                    ProxyBody::stream(held, sse, self.guard.take()),
                ))
            }
        }
    }

    fn exhausted(&mut self) -> Response<ProxyBody> {
        if self.last_was_rate_limit {
            return self.rate_limited_response();
        }
        if let Some(r) = self.last_response() {
            return r;
        }
        if let Some(r) = self.timeout_response() {
            return r;
        }
        let e = self.final_error();
        self.synth(&e)
    }

    fn timeout_response(&mut self) -> Option<Response<ProxyBody>> {
        self.timed_out.then(|| {
            let secs = self.st.config.upstream_header_timeout.as_secs().max(1);
            self.synth(&Synthetic::UpstreamTimeout { secs })
        })
    }

    fn finish_without_account(&mut self, s: Synthetic) -> Response<ProxyBody> {
        if matches!(s, Synthetic::AuthStorageError) {
            return self.synth(&s);
        }
        if self.last_was_rate_limit {
            return self.rate_limited_response();
        }
        if let Some(r) = self.last_response() {
            return r;
        }
        if let Some(r) = self.timeout_response() {
            return r;
        }
        self.synth(&s)
    }

    fn earliest_wait(&self, t: f64) -> Option<f64> {
        let view = self.st.pool.view().ok()?;
        self.st
            .pool
            .effective_accounts(&view, t)
            .iter()
            .filter(|a| a.enabled)
            .flat_map(|a| [a.cooldown_until, a.refresh_lease_until])
            .flatten()
            .filter(|u| *u > t)
            .reduce(f64::min)
    }

    fn final_error(&self) -> Synthetic {
        let t = now(self.st);
        let Ok(view) = self.st.pool.view() else {
            return Synthetic::AuthStorageError;
        };
        let accounts = self.st.pool.effective_accounts(&view, t);
        let f = AcquireFailure {
            oauth_configured: view.oauth,
            has_accounts: !accounts.is_empty(),
            any_enabled: accounts.iter().any(|a| a.enabled),
            earliest_wait_until: self.earliest_wait(t),
            ..self.failure.clone()
        };
        Synthetic::from_acquire(&final_acquire_error(&f, t), self.st.config.mode_name())
    }

    async fn acquire(&mut self) -> Result<Acquired, Stop> {
        loop {
            let view = match self.st.pool.prefetch().await {
                Ok(v) => v,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the account store");
                    return Err(Stop::Synthetic(Synthetic::AuthStorageError));
                }
            };
            let t = now(self.st);
            let picked = match self.st.pool.select(
                &view,
                &self.st.policy,
                self.shaped.session_key.as_deref(),
                &self.attempted,
                t,
            ) {
                Ok(Some(p)) => p,
                Ok(None) => return Err(Stop::Synthetic(self.final_error())),
                // After this request disabled or cooled accounts, the final error says why.
                Err(SelectError::Acquire(_)) if !self.attempted.is_empty() => {
                    return Err(Stop::Synthetic(self.final_error()))
                }
                Err(SelectError::Acquire(e)) => {
                    return Err(Stop::Synthetic(Synthetic::from_acquire(
                        &e,
                        self.st.config.mode_name(),
                    )))
                }
                Err(SelectError::Store(e)) => {
                    tracing::error!(error = %e, "cannot read the account store");
                    return Err(Stop::Synthetic(Synthetic::AuthStorageError));
                }
            };
            let acct = picked.acct;
            if !self.attempted.contains(&acct.attempt_key) {
                self.attempted.push(acct.attempt_key.clone());
            }
            tracing::trace!(decision = picked.decision.as_str(), "selected");
            let Some(key) = acct.identity_key.clone() else {
                self.failure.missing_identity = true;
                continue;
            };
            if acct.access_valid(t) {
                if let Some(access) = acct.access.clone() {
                    return Ok(Acquired {
                        account_id: acct.account_id.clone(),
                        acct,
                        key,
                        access,
                        refreshed: false,
                    });
                }
            }
            if !acct.has_refresh() {
                self.failure.missing_refresh = true;
                self.st.pool.note_error(&key, "missing_refresh_token", t);
                self.st.pool.cool(&key, t + REFRESH_FAILURE_COOLDOWN_MS);
                continue;
            }
            match self.refresh(&acct, &key).await? {
                Some(a) => return Ok(a),
                None => continue,
            }
        }
    }

    /// Refreshes `acct` under a lease. `Ok(None)`: this account is unusable now (the
    /// failure was recorded); `Err`: the store failed.
    async fn refresh(&mut self, acct: &Acct, key: &str) -> Result<Option<Acquired>, Stop> {
        let st = self.st;
        let Some(rt) = acct.refresh.clone() else {
            return Ok(None);
        };
        let store = st.pool.store().clone();
        let mode = st.pool.mode();
        let k = key.to_string();
        let rt2 = rt.clone();
        let lease = tokio::task::spawn_blocking(move || {
            store.acquire_lease(mode, &k, &rt2, REQUEST_LEASE_MS)
        })
        .await;
        let lease = match lease {
            Ok(Ok(l)) => l,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "cannot claim a refresh lease");
                return Err(Stop::Synthetic(Synthetic::AuthStorageError));
            }
            Err(_) => return Err(Stop::Synthetic(Synthetic::AuthStorageError)),
        };
        let Some(lease) = lease else {
            // Another process holds the lease or already rotated the token: use its result
            // when it is there.
            st.metrics.refresh("busy");
            let t = now(st);
            if let Ok(view) = st.pool.view() {
                if let Some(fresh) = view
                    .accounts
                    .iter()
                    .find(|a| a.identity_key.as_deref() == Some(key))
                {
                    let changed = fresh.access.as_ref().map(|a| a.expose())
                        != acct.access.as_ref().map(|a| a.expose());
                    if changed && fresh.access_valid(t) {
                        if let Some(access) = fresh.access.clone() {
                            return Ok(Some(Acquired {
                                account_id: fresh.account_id.clone(),
                                acct: fresh.clone(),
                                key: key.to_string(),
                                access,
                                refreshed: true,
                            }));
                        }
                    }
                }
            }
            return Ok(None);
        };
        let result = st.refresher.refresh(&rt).await;
        let t = now(st);
        match result {
            Ok(tokens) => {
                st.metrics.refresh("success");
                st.metrics.account(key, |c| c.refreshes += 1);
                let committed =
                    save_refreshed(st.pool.store(), &lease, &tokens, t, RefreshPurpose::Request)
                        .await;
                if !committed {
                    st.metrics.refresh("lost_lease");
                    tracing::warn!(
                        account = %crate::metrics::account_label(key),
                        "refresh lease was lost before commit; using the new token for this request only"
                    );
                }
                st.pool.invalidate();
                Ok(Some(Acquired {
                    account_id: tokens.account_id().or_else(|| acct.account_id.clone()),
                    acct: acct.clone(),
                    key: key.to_string(),
                    access: tokens.access,
                    refreshed: true,
                }))
            }
            Err(e) => {
                let terminal = e.is_terminal();
                st.metrics
                    .refresh(if terminal { "terminal" } else { "transient" });
                st.metrics.account(key, |c| c.refresh_failures += 1);
                tracing::warn!(
                    account = %crate::metrics::account_label(key),
                    terminal,
                    error = %e,
                    "token refresh failed"
                );
                if terminal {
                    self.failure.invalid_grant = true;
                    st.pool.note_error(key, "refresh_invalid_grant", t);
                } else {
                    self.failure.transient_refresh_failure = true;
                    st.pool.note_error(key, "refresh_failed", t);
                }
                let store = st.pool.store().clone();
                let res =
                    tokio::task::spawn_blocking(move || store.fail_refresh(&lease, terminal)).await;
                if !matches!(res, Ok(Ok(_))) {
                    tracing::warn!("could not record the failed refresh");
                }
                if !terminal {
                    st.pool.cool(key, t + REFRESH_FAILURE_COOLDOWN_MS);
                }
                st.pool.invalidate();
                Ok(None)
            }
        }
    }

    /// Snapshots and exhausted-window cooldowns from any response's headers.
    fn observe_headers(&self, key: &str, headers: &HeaderMap, t: f64) {
        let limits = parse_rate_limit_headers(&LimitHeaders::of(headers), t);
        if limits.is_empty() {
            return;
        }
        if let Some(until) = exhausted_until(&limits, t) {
            let st = self.st;
            let k = key.to_string();
            let pool = &st.pool;
            pool.note_error(&k, "quota_exhausted", t);
            // Visible to the next selection at once; persisted in the background.
            pool.cool(&k, until);
        }
        self.st.snapshots.record(key, limits, t);
    }

    async fn try_account(&mut self, a: &Acquired) -> Step {
        let st = self.st;
        self.attempts += 1;
        if tracing::enabled!(tracing::Level::INFO) {
            self.log_account = Some(crate::metrics::account_label(&a.key));
        }
        let started = Instant::now();
        let limit = st.config.upstream_header_timeout;
        let (mut parts, body) = match tokio::time::timeout(limit, send(st, &self.shaped, a)).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                tracing::warn!(error = %crate::upstream::describe(&e), "upstream request failed");
                return Step::Done(self.synth(&Synthetic::UpstreamUnreachable));
            }
            Err(_) => {
                tracing::warn!(
                    account = %crate::metrics::account_label(&a.key),
                    secs = limit.as_secs_f64(),
                    "no response headers from upstream in time; trying another account"
                );
                self.timed_out = true;
                st.pool
                    .note_error(&a.key, "upstream_header_timeout", now(st));
                return Step::Next;
            }
        };
        st.metrics.latency(started.elapsed());
        st.metrics.account(&a.key, |c| c.requests += 1);
        let status = parts.status;
        // The usage and the catalog of the last account that answered are looked at (when
        // due: the checks allocate nothing, so most requests clone nothing here).
        let answered = status != StatusCode::UNAUTHORIZED;
        let t0 = now(st);
        self.answered =
            (answered && st.config.quota_poll && st.quota.due(&a.key, t0)).then(|| PollTarget {
                key: a.key.clone(),
                access: a.access.clone(),
                account_id: a.account_id.clone(),
            });
        self.catalog =
            (answered && st.config.catalog_sync && st.catalog.due(a.account_id.as_deref(), t0))
                .then(|| SyncTarget {
                    account_id: a.account_id.clone(),
                    access: a.access.clone(),
                });
        let headers = std::mem::take(&mut parts.headers);
        let t = now(st);
        self.observe_headers(&a.key, &headers, t);
        self.last_was_rate_limit = false;

        if status.is_redirection() {
            let location = headers
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok());
            return Step::Done(
                match redirect_decision(
                    "POST",
                    &st.responses_url,
                    location,
                    0,
                    MAX_REDIRECTS,
                    Some(&st.config.allowlist),
                ) {
                    Redirect::PassThrough => {
                        let body = read_limited(st, body, ERROR_BODY_LIMIT).await;
                        let mut headers = headers;
                        headers.remove(http::header::CONTENT_LENGTH);
                        build(status, headers, ProxyBody::full(body))
                    }
                    Redirect::Fail(s) => self.synth(&s),
                    // POST is never followed; a GET decision cannot come back here.
                    Redirect::Follow { .. } => self.synth(&Synthetic::RedirectError),
                },
            );
        }

        if status == StatusCode::TOO_MANY_REQUESTS {
            let body = read_limited(st, body, ERROR_BODY_LIMIT).await;
            let info = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| error_info(&v));
            st.metrics
                .upstream_429
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.rate_limited(a, &headers, info.as_ref(), "http_429")
                .await;
            self.last = Some(Last::Buffered(status, headers, body));
            return Step::Next;
        }

        if status == StatusCode::UNAUTHORIZED {
            let body = read_limited(st, body, ERROR_BODY_LIMIT).await;
            st.metrics.account(&a.key, |c| c.auth_failures += 1);
            st.pool.note_error(&a.key, "http_401", t);
            self.last = Some(Last::Buffered(status, headers, body));
            return self.auth_failure(a).await;
        }

        if status.is_success() && is_sse(&headers) {
            let stream = body_of(st, body);
            return match hold_back(stream, st.config.hold, st.config.hold_bytes).await {
                Hold::Commit(held) => Step::Done(build(
                    status,
                    headers,
                    ProxyBody::stream(held, true, self.guard.take()),
                )),
                Hold::Failed { held, info, class } => {
                    st.metrics
                        .hidden_stream_errors
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let code = info.code.clone().unwrap_or_else(|| "stream_error".into());
                    tracing::info!(
                        account = %crate::metrics::account_label(&a.key),
                        code = %code,
                        class = class.as_str(),
                        "stream opened with an error; trying another account"
                    );
                    self.last = Some(Last::Held(status, headers.clone(), held));
                    match class {
                        ErrorClass::RateLimited => {
                            self.rate_limited(a, &headers, Some(&info), &code).await;
                            Step::Next
                        }
                        ErrorClass::Auth => {
                            st.metrics.account(&a.key, |c| c.auth_failures += 1);
                            st.pool.note_error(&a.key, &code, t);
                            self.auth_failure(a).await
                        }
                        ErrorClass::Transient | ErrorClass::Other => {
                            st.pool.note_error(&a.key, &code, t);
                            Step::Next
                        }
                    }
                }
            };
        }

        let held = HeldStream {
            chunks: Vec::new(),
            rest: Some(body_of(st, body)),
            failed: None,
        };
        let sse = is_sse(&headers);
        Step::Done(build(
            status,
            headers,
            ProxyBody::stream(held, sse, self.guard.take()),
        ))
    }

    async fn rate_limited(
        &mut self,
        a: &Acquired,
        headers: &HeaderMap,
        info: Option<&ErrorInfo>,
        code: &str,
    ) {
        let t = now(self.st);
        let c = rate_limit_cooldown(&Headers(headers), info, t);
        self.st.metrics.account(&a.key, |c| c.rate_limited += 1);
        self.st.pool.note_error(&a.key, code, t);
        tracing::info!(
            account = %crate::metrics::account_label(&a.key),
            cooldown_ms = (c.until - t) as u64,
            "rate limited; switching account"
        );
        self.st.pool.cool(&a.key, c.until);
        self.last_was_rate_limit = true;
    }

    /// A 401 or an auth error in a stream: refresh once and retry the same account, else
    /// cool it and move on.
    async fn auth_failure(&mut self, a: &Acquired) -> Step {
        let t = now(self.st);
        if !a.refreshed {
            match self.refresh(&a.acct, &a.key).await {
                Ok(Some(fresh)) => return Step::RetrySame(Box::new(fresh)),
                Ok(None) => return Step::Next,
                Err(Stop::Synthetic(s)) => return Step::Done(self.synth(&s)),
            }
        }
        self.st.pool.cool(&a.key, t + REFRESH_FAILURE_COOLDOWN_MS);
        Step::Next
    }
}

async fn send(
    st: &AppState,
    shaped: &Shaped,
    a: &Acquired,
) -> Result<(http::response::Parts, UpstreamBody), crate::upstream::SendError> {
    let mut headers = shaped.headers.clone();
    st.account_headers
        .insert(&mut headers, a.access.expose(), a.account_id.as_deref());
    st.upstream.post(headers, shaped.body.clone()).await
}
