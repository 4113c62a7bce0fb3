//! Logs as hclog JSON lines on stderr, the format go-plugin re-logs with the
//! right level under `provider.terraform-provider-docusign`.
//!
//! Each `tracing` event becomes one line:
//! `{"@level":"debug","@message":"...","@module":"docusign","@timestamp":"...",<fields>}`.
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`; when neither is set
//! (or the value is `off`) no subscriber is installed at all, so disabled
//! logging costs one relaxed atomic load per call site.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The `@module` every line carries.
const MODULE: &str = "docusign";

/// Reads the level Terraform asks for from `TF_LOG_PROVIDER`, else `TF_LOG`.
///
/// Terraform's own rules: the names are case-insensitive, `JSON` means TRACE,
/// and any other non-empty value that is not a level also means TRACE.
pub fn level_from_env() -> LevelFilter {
    let pick = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match pick("TF_LOG_PROVIDER").or_else(|| pick("TF_LOG")) {
        None => LevelFilter::OFF,
        Some(value) => parse_level(&value),
    }
}

/// Maps a `TF_LOG`-style value to a level filter.
pub fn parse_level(value: &str) -> LevelFilter {
    match value.trim().to_ascii_uppercase().as_str() {
        "" | "OFF" => LevelFilter::OFF,
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// Installs the hclog layer as the global subscriber, unless `level` is OFF.
pub fn init(level: LevelFilter) {
    if level == LevelFilter::OFF {
        return;
    }
    // Our own events at the requested level; dependencies (h2, hyper, rustls,
    // tonic) only from WARN up, or their frame-level traces drown the log.
    let filter = Targets::new()
        .with_target(env!("CARGO_CRATE_NAME"), level)
        .with_default(level.min(LevelFilter::WARN));
    let subscriber = tracing_subscriber::registry().with(HclogLayer.with_filter(filter));
    // A second installation (tests calling run twice) keeps the first one.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// A `tracing` layer writing hclog JSON lines to stderr.
struct HclogLayer;

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let line = format_event(event, &timestamp_now());
        let stderr = std::io::stderr();
        let mut lock = stderr.lock();
        // Nowhere left to report a failed write to stderr.
        let _ = lock.write_all(line.as_bytes());
    }
}

/// Renders one event as a JSON line (with trailing newline).
fn format_event(event: &Event<'_>, timestamp: &str) -> String {
    let mut fields = FieldCollector::default();
    event.record(&mut fields);
    let mut object = Map::new();
    object.insert(
        "@level".into(),
        Value::from(hclog_level(*event.metadata().level())),
    );
    object.insert(
        "@message".into(),
        Value::from(fields.message.unwrap_or_default()),
    );
    object.insert("@module".into(), Value::from(MODULE));
    object.insert("@timestamp".into(), Value::from(timestamp));
    for (key, value) in fields.fields {
        // Never let a field shadow the four hclog keys.
        if !key.starts_with('@') {
            object.insert(key, value);
        }
    }
    let mut line = Value::Object(object).to_string();
    line.push('\n');
    line
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

/// Collects the `message` and the other fields of an event.
#[derive(Default)]
struct FieldCollector {
    message: Option<String>,
    fields: Vec<(String, Value)>,
}

impl FieldCollector {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.push((field.name().to_owned(), value));
        }
    }
}

impl Visit for FieldCollector {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(text, ": {cause}");
            source = cause.source();
        }
        self.put(field, Value::from(text));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

/// The current time in hclog's layout `2006-01-02T15:04:05.000000Z07:00` (UTC).
fn timestamp_now() -> String {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_timestamp(since_epoch.as_secs(), since_epoch.subsec_micros())
}

/// Formats seconds since the Unix epoch plus microseconds as
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub(crate) fn format_timestamp(secs: u64, micros: u32) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Converts days since 1970-01-01 into a proleptic Gregorian (year, month, day).
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn timestamps_use_the_hclog_layout() {
        assert_eq!(format_timestamp(0, 0), "1970-01-01T00:00:00.000000Z");
        // 2000-02-29 (a leap day in a century leap year) 12:34:56.
        assert_eq!(
            format_timestamp(951_827_696, 7),
            "2000-02-29T12:34:56.000007Z"
        );
        // 2024-12-31T23:59:59.999999.
        assert_eq!(
            format_timestamp(1_735_689_599, 999_999),
            "2024-12-31T23:59:59.999999Z"
        );
    }

    #[test]
    fn levels_follow_terraform_rules() {
        assert_eq!(parse_level("debug"), LevelFilter::DEBUG);
        assert_eq!(parse_level("WARN"), LevelFilter::WARN);
        assert_eq!(parse_level("json"), LevelFilter::TRACE);
        assert_eq!(parse_level("nonsense"), LevelFilter::TRACE);
        assert_eq!(parse_level("off"), LevelFilter::OFF);
    }

    /// A layer that renders events with a fixed timestamp into a buffer.
    struct Capture(Arc<Mutex<Vec<String>>>);
    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            let line = format_event(event, "T");
            if let Ok(mut lines) = self.0.lock() {
                lines.push(line);
            }
        }
    }

    #[test]
    fn events_become_hclog_json_lines() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(rpc = "GetSchema", count = 3_u64, "slow \"call\"");
        });
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with('\n'));
        let parsed: Value = serde_json::from_str(lines[0].trim_end()).unwrap();
        assert_eq!(parsed["@level"], "warn");
        assert_eq!(parsed["@message"], "slow \"call\"");
        assert_eq!(parsed["@module"], "docusign");
        assert_eq!(parsed["@timestamp"], "T");
        assert_eq!(parsed["rpc"], "GetSchema");
        assert_eq!(parsed["count"], 3);
    }
}
