//! The access log's line, written without `tracing-subscriber`'s general formatting.
//!
//! `serve` logs one line per request (`codex_proxy`'s orchestrator:
//! `response status=200 outcome="success" account="acct_…" attempts=1 ms=12`). Through the
//! subscriber's full formatter that line cost about a tenth of a proxied request's
//! instructions (a styled writer per part, a visitor per field, a formatted timestamp).
//! [`LineFormat`] writes exactly the same bytes for that event (checked by a test against
//! the formatter it replaces) and hands every other event, and that one too when the output
//! is styled or inside a span, to the full formatter.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::SystemTime as SystemTimer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The target and the fields (in order) of the access-log event.
const TARGET: &str = "codex_proxy::orchestrator";
const FIELDS: [&str; 6] = ["message", "status", "outcome", "account", "attempts", "ms"];

/// The full formatter as `serve` configures it (no target), with the access log's line
/// written directly.
pub(crate) struct LineFormat {
    full: Format<Full, SystemTimer>,
}

impl LineFormat {
    pub(crate) fn new() -> LineFormat {
        LineFormat {
            full: tracing_subscriber::fmt::format().with_target(false),
        }
    }
}

/// Whether an event is the access log's (its target, level and exact fields).
fn is_access_log(event: &Event<'_>) -> bool {
    let meta = event.metadata();
    meta.target() == TARGET
        && *meta.level() == Level::INFO
        && meta.fields().len() == FIELDS.len()
        && meta.fields().iter().zip(FIELDS).all(|(f, n)| f.name() == n)
}

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        if writer.has_ansi_escapes() || !is_access_log(event) || ctx.event_scope().is_some() {
            return self.full.format_event(ctx, writer, event);
        }
        let Some(stamp) = timestamp(SystemTime::now()) else {
            return self.full.format_event(ctx, writer, event);
        };
        writer.write_str(&stamp)?;
        // The level as the full formatter pads it, and its separator.
        writer.write_str(" INFO ")?;
        let mut fields = Fields {
            writer: &mut writer,
            first: true,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writer.write_char('\n')
    }
}

/// Writes fields as `tracing-subscriber`'s default field formatter does for the access
/// log's kinds of values: the message as it is, every other field as `name=` and its
/// `Debug` form (so strings are quoted), separated by spaces.
struct Fields<'w, 'a> {
    writer: &'w mut Writer<'a>,
    first: bool,
    result: fmt::Result,
}

impl Visit for Fields<'_, '_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        if !std::mem::take(&mut self.first) {
            self.result = self.writer.write_char(' ');
        }
        self.result = self.result.and_then(|()| match field.name() {
            "message" => write!(self.writer, "{value:?}"),
            name => write!(self.writer, "{name}={value:?}"),
        });
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else if value
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
        {
            // What `Debug` writes for a string with nothing to escape: it, quoted.
            self.record_with(field, |w| {
                w.write_char('"')?;
                w.write_str(value)?;
                w.write_char('"')
            });
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "message" {
            self.record_debug(field, &value);
        } else {
            // `Debug` of an integer: its decimal digits.
            self.record_with(field, |w| w.write_str(decimal(value, &mut [0; 20])));
        }
    }
}

impl Fields<'_, '_> {
    /// `name=` and what `value` writes, after a separating space.
    fn record_with(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        if self.result.is_err() {
            return;
        }
        let w = &mut *self.writer;
        self.result = (|| {
            if !std::mem::take(&mut self.first) {
                w.write_char(' ')?;
            }
            w.write_str(field.name())?;
            w.write_char('=')?;
            value(w)
        })();
    }
}

/// The decimal digits of `n`, written at the end of `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// `SystemTime` as the full formatter's timer writes it: RFC 3339 in UTC with
/// microseconds (`2026-12-03T18:32:16.749814Z`) and a space. `None` before 1970 or after
/// 9999 (the full formatter writes those).
fn timestamp(t: SystemTime) -> Option<String> {
    let d = t.duration_since(UNIX_EPOCH).ok()?;
    let secs = d.as_secs();
    let (year, month, day) = civil_from_days(secs / 86_400);
    if year > 9999 {
        return None;
    }
    let rem = secs % 86_400;
    let mut out = *b"0000-00-00T00:00:00.000000Z ";
    let mut put = |at: usize, width: usize, mut n: u64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, month);
    put(8, 2, day);
    put(11, 2, rem / 3600);
    put(14, 2, rem / 60 % 60);
    put(17, 2, rem % 60);
    put(20, 6, u64::from(d.subsec_micros()));
    String::from_utf8(out.to_vec()).ok()
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
#[path = "accesslog_tests.rs"]
mod tests;
