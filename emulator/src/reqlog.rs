//! The request log behind `GET /_emulator/requests`: every call except the control surface's
//! own, in order, including rejected, rate-limited, faulted and dropped ones. Secrets
//! (passwords, client secrets, HMAC keys, assertions, tokens) are redacted from bodies and
//! query strings; headers (and so bearer tokens) are never recorded.

use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Mutex;

use crate::util::lock;

/// The replacement for a redacted value.
pub const REDACTED: &str = "[REDACTED]";

const SECRET_KEYS: &[&str] = &[
    "password",
    "clientsecret",
    "client_secret",
    "secretkey",
    "secret",
    "assertion",
    "access_token",
    "refresh_token",
    "token",
    "code",
    "privatekey",
    "private_key",
];

/// Whether a field name holds a secret.
pub fn is_secret_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_KEYS.contains(&lower.as_str())
}

/// One logged call.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Position in the log, from 1.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path and (redacted) query.
    pub path: String,
    /// Status answered; `null` when the connection was dropped without an answer.
    pub status: Option<u16>,
    /// The `{accountId}` of REST paths.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The request body, redacted (JSON as JSON, forms as an object of fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The injected fault that shaped this call, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// The log.
#[derive(Debug, Default)]
pub struct Log {
    entries: Mutex<Vec<Entry>>,
    next: Mutex<u64>,
}

impl Log {
    /// Appends an entry, assigning its `seq`.
    pub fn push(&self, mut entry: Entry) {
        let mut next = lock(&self.next);
        *next += 1;
        entry.seq = *next;
        lock(&self.entries).push(entry);
    }

    /// All entries in order.
    pub fn all(&self) -> Vec<Entry> {
        lock(&self.entries).clone()
    }

    /// Clears the log (sequence numbers continue).
    pub fn clear(&self) {
        lock(&self.entries).clear();
    }
}

/// Redacts secret fields anywhere in a JSON value.
pub fn redact_json(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if is_secret_key(k) && !val.is_null() {
                    *val = Value::String(REDACTED.to_owned());
                } else {
                    redact_json(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Redacts the values of secret query parameters in `path?query`.
pub fn redact_path(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_key(k) => format!("{k}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

/// The logged form of a request body: redacted JSON, a redacted form as an object, or a
/// size note for anything else; `None` when empty.
pub fn body_for_log(bytes: &[u8], content_type: Option<&str>) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    if let Ok(mut v) = serde_json::from_slice::<Value>(bytes) {
        redact_json(&mut v);
        return Some(v);
    }
    if content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
        let mut m = Map::new();
        for (k, v) in form_urlencoded::parse(bytes) {
            let value = if is_secret_key(&k) {
                REDACTED.to_owned()
            } else {
                v.into_owned()
            };
            m.insert(k.into_owned(), Value::String(value));
        }
        return Some(Value::Object(m));
    }
    Some(Value::String(format!(
        "[unparsed body: {} bytes]",
        bytes.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_nested_secrets_only() {
        let mut v = json!({"name": "n", "password": "p", "oAuthConfiguration": {"clientSecret": "s", "clientId": "c"}});
        redact_json(&mut v);
        assert_eq!(
            v,
            json!({"name": "n", "password": REDACTED, "oAuthConfiguration": {"clientSecret": REDACTED, "clientId": "c"}})
        );
    }

    #[test]
    fn redacts_forms_and_queries() {
        let v = body_for_log(
            b"grant_type=x&assertion=abc.def",
            Some("application/x-www-form-urlencoded"),
        );
        assert_eq!(v, Some(json!({"grant_type": "x", "assertion": REDACTED})));
        assert_eq!(
            redact_path("/a?x=1&access_token=t"),
            format!("/a?x=1&access_token={REDACTED}")
        );
        assert_eq!(redact_path("/a"), "/a");
    }
}
