//! Fault injection and request logging: the outermost middleware. For the next `times`
//! calls whose method and path match a rule, it can delay the call, answer an error without
//! running the handler, drop the connection before the handler runs, drop it **after** the
//! handler has committed the change (no answer is written), or answer malformed JSON
//! (truncated, syntactically invalid, wrongly typed, or an HTML error page).
//!
//! Rule JSON (`POST /_emulator/faults`):
//! `{"method":"PUT","path":"/restapi/v2.1/accounts/*/connect","times":1,"delay_ms":0,
//!   "error":{"status":503,"errorCode":"X","message":"…","retry_after":120} |
//!   "drop":"before"|"after_commit" |
//!   "malformed":"truncated"|"invalid"|"wrong_type"|"html"}`.
//! `method` is optional (any); in `path`, `*` matches within one segment and `**` any rest.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

use crate::http::{ApiError, path_account};
use crate::reqlog::Log;
use crate::reqlog::{Entry, body_for_log, redact_path};
use crate::util::lock;

/// Per-connection switch: notifying it makes the server drop the connection unanswered.
#[derive(Clone, Debug, Default)]
pub struct ConnKill(pub Arc<Notify>);

/// An error to answer instead of running the handler.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorFault {
    /// HTTP status.
    pub status: u16,
    /// `errorCode` of the body; with neither this nor `message`, the body is empty.
    #[serde(rename = "errorCode", default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// `message` of the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A `Retry-After` header (seconds) on the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// When to drop the connection.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DropWhen {
    /// Before the handler runs: nothing is changed.
    Before,
    /// After the handler committed its change; the answer is never written.
    AfterCommit,
}

/// How to spoil the JSON answer (the handler runs normally first).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Malformed {
    /// The first half of the real body.
    Truncated,
    /// Syntactically invalid JSON.
    Invalid,
    /// Valid JSON with wrong types: `"true"`/`"false"` become booleans, numeric strings become
    /// numbers, arrays become strings.
    WrongType,
    /// An HTML error page with `text/html`.
    Html,
}

/// One fault rule as posted.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match (any when absent or `*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path pattern.
    pub path: String,
    /// How many matching calls to affect (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Delay before handling, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Answer this error instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorFault>,
    /// Drop the connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<DropWhen>,
    /// Spoil the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malformed: Option<Malformed>,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    /// Checks the rule is meaningful.
    pub fn validate(&self) -> Result<(), String> {
        let actions = [
            self.error.is_some(),
            self.drop.is_some(),
            self.malformed.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if actions > 1 {
            return Err("give at most one of error, drop, malformed".into());
        }
        if actions == 0 && self.delay_ms.is_none() {
            return Err("give one of error, drop, malformed, or delay_ms".into());
        }
        if self.times == 0 {
            return Err("times must be at least 1".into());
        }
        if let Some(e) = &self.error
            && StatusCode::from_u16(e.status).is_err()
        {
            return Err(format!("invalid status {}", e.status));
        }
        if self.path.is_empty() {
            return Err("path must not be empty".into());
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None | Some("*") => true,
            Some(m) => m.eq_ignore_ascii_case(method),
        };
        method_ok && glob(self.path.as_bytes(), path.as_bytes())
    }

    fn label(&self) -> String {
        if let Some(e) = &self.error {
            format!("error:{}", e.status)
        } else if let Some(d) = self.drop {
            match d {
                DropWhen::Before => "drop:before".into(),
                DropWhen::AfterCommit => "drop:after_commit".into(),
            }
        } else if let Some(m) = self.malformed {
            format!(
                "malformed:{}",
                serde_json::to_value(m)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            )
        } else {
            format!("delay:{}ms", self.delay_ms.unwrap_or(0))
        }
    }
}

/// `*` matches within a segment, `**` matches anything (including `/`).
pub fn glob(p: &[u8], s: &[u8]) -> bool {
    match p {
        [] => s.is_empty(),
        [b'*', b'*', rest @ ..] => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        [b'*', rest @ ..] => {
            let seg = s.iter().position(|c| *c == b'/').unwrap_or(s.len());
            (0..=seg).any(|i| glob(rest, &s[i..]))
        }
        [c, rest @ ..] => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

/// A stored rule with its remaining count.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Rule id.
    pub id: u64,
    /// Calls still to affect.
    pub remaining: u32,
    /// The rule.
    #[serde(flatten)]
    pub spec: FaultSpec,
}

/// The active rules.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<(u64, Vec<Rule>)>,
}

impl Faults {
    /// Adds a rule, returning its id.
    pub fn add(&self, spec: FaultSpec) -> u64 {
        let mut g = lock(&self.rules);
        g.0 += 1;
        let id = g.0;
        g.1.push(Rule {
            id,
            remaining: spec.times,
            spec,
        });
        id
    }

    /// The active rules.
    pub fn list(&self) -> Vec<Rule> {
        lock(&self.rules).1.clone()
    }

    /// Removes all rules.
    pub fn clear(&self) {
        lock(&self.rules).1.clear();
    }

    /// Takes one use of the first rule matching the call.
    fn take(&self, method: &str, path: &str) -> Option<FaultSpec> {
        let mut g = lock(&self.rules);
        let idx =
            g.1.iter()
                .position(|r| r.remaining > 0 && r.spec.matches(method, path))?;
        let rule = &mut g.1[idx];
        rule.remaining -= 1;
        let spec = rule.spec.clone();
        if rule.remaining == 0 {
            g.1.remove(idx);
        }
        Some(spec)
    }
}

const MAX_BODY: usize = 16 * 1024 * 1024;

async fn hang_up(kill: Option<ConnKill>) -> Response {
    match kill {
        Some(k) => {
            k.0.notify_one();
            std::future::pending::<Response>().await
        }
        None => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "EMULATOR_ERROR",
            "cannot drop this connection",
        )
        .into_response(),
    }
}

fn wrong_types(v: &mut Value) {
    match v {
        Value::String(s) => {
            if s == "true" || s == "false" {
                *v = Value::Bool(s == "true");
            } else if let Ok(n) = s.parse::<i64>() {
                *v = Value::from(n);
            }
        }
        Value::Array(items) => {
            let text = serde_json::to_string(items).unwrap_or_default();
            *v = Value::String(text);
        }
        Value::Object(m) => m.values_mut().for_each(wrong_types),
        _ => {}
    }
}

async fn spoil(response: Response, mode: Malformed) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let new: Vec<u8> = match mode {
        Malformed::Truncated => bytes[..bytes.len() / 2].to_vec(),
        Malformed::Invalid => {
            b"{\"configurations\": [{\"connectId\": \"1\", name: unquoted,".to_vec()
        }
        Malformed::WrongType => match serde_json::from_slice::<Value>(&bytes) {
            Ok(mut v) => {
                wrong_types(&mut v);
                serde_json::to_vec(&v).unwrap_or_default()
            }
            Err(_) => bytes.to_vec(),
        },
        Malformed::Html => {
            parts
                .headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>".to_vec()
        }
    };
    if mode != Malformed::Html {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(new))
}

/// The middleware's body: logs every non-control call in `log` and applies the first matching
/// rule of `faults`.
pub async fn observe(faults: &Faults, log: &Log, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_emulator") {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let logged_path = redact_path(
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or(&path),
    );
    let (parts, body) = req.into_parts();
    let kill = parts.extensions.get::<ConnKill>().cloned();
    let mut entry = Entry {
        seq: 0,
        method: method.clone(),
        path: logged_path,
        status: None,
        account_id: path_account(&path).map(str::to_owned),
        body: None,
        fault: None,
    };
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            let r = ApiError::bad_body("The body could not be read.").into_response();
            entry.status = Some(r.status().as_u16());
            log.push(entry);
            return r;
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    entry.body = body_for_log(&bytes, content_type);
    let req = Request::from_parts(parts, Body::from(bytes));

    let Some(fault) = faults.take(&method, &path) else {
        let r = next.run(req).await;
        entry.status = Some(r.status().as_u16());
        log.push(entry);
        return r;
    };
    entry.fault = Some(fault.label());
    tracing::debug!(%method, %path, fault = %fault.label(), "injecting fault");
    if let Some(ms) = fault.delay_ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if let Some(e) = &fault.error {
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = if e.error_code.is_none() && e.message.is_none() {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status;
            r
        } else {
            ApiError {
                status,
                code: e.error_code.clone().unwrap_or_default(),
                message: e.message.clone().unwrap_or_default(),
            }
            .into_response()
        };
        if let Some(secs) = e.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        entry.status = Some(r.status().as_u16());
        log.push(entry);
        return r;
    }
    match fault.drop {
        Some(DropWhen::Before) => {
            log.push(entry);
            return hang_up(kill).await;
        }
        Some(DropWhen::AfterCommit) => {
            let _committed = next.run(req).await;
            log.push(entry);
            return hang_up(kill).await;
        }
        None => {}
    }
    let mut r = next.run(req).await;
    if let Some(mode) = fault.malformed {
        r = spoil(r, mode).await;
    }
    entry.status = Some(r.status().as_u16());
    log.push(entry);
    r
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_segments() {
        let p = b"/restapi/v2.1/accounts/*/connect";
        assert!(glob(p, b"/restapi/v2.1/accounts/abc/connect"));
        assert!(!glob(p, b"/restapi/v2.1/accounts/abc/connect/1"));
        assert!(!glob(p, b"/restapi/v2.1/accounts/a/b/connect"));
        assert!(glob(b"/restapi/**", b"/restapi/v2.1/accounts/a/connect/1"));
        assert!(glob(b"/oauth/token", b"/oauth/token"));
        assert!(!glob(b"/oauth/token", b"/oauth/tokens"));
    }
}
