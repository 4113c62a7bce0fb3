//! What delivery leaves behind: DocuSign's Connect logs (`enableLog`, at most 100 per
//! account, newest kept) and failures (one per undelivered message, updated on each retry and
//! removed once a retry gets through), and the emulator's own record of every delivery and
//! attempt (`GET /_emulator/deliveries`). Kept in memory only.

use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};

use crate::util;

/// DocuSign's limit of Connect log entries per account.
pub const MAX_LOGS: usize = 100;

/// One attempt to deliver a message.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// `retryCount` of the message sent (0 for the first send).
    pub retry_count: u32,
    /// When (RFC 3339).
    pub at: String,
    /// The listener's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why the attempt failed, if it did.
    pub error: Option<String>,
    /// The authentication sent: e.g. `["Authorization: Bearer", "X-DocuSign-Signature-1"]`.
    pub authentication: Vec<String>,
    /// Whether the emulator's client certificate was offered (mutual TLS).
    pub client_certificate: bool,
}

/// One message to one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Sequence number.
    pub id: u64,
    /// The account the event was raised on.
    pub account_id: String,
    /// The configuration.
    pub configuration_id: String,
    /// The event.
    pub event: String,
    /// The envelope.
    pub envelope_id: String,
    /// `urlToPublishTo`.
    pub url: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: Vec<Attempt>,
}

/// Per-account DocuSign logs and failures.
#[derive(Default)]
struct AccountJournal {
    logs: VecDeque<Value>,
    failures: Vec<Value>,
}

/// The journal of all deliveries.
#[derive(Default)]
pub struct Journal {
    next_id: u64,
    accounts: HashMap<String, AccountJournal>,
    records: Vec<Record>,
}

/// What a log or failure entry says about the message.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The account.
    pub account_id: String,
    /// The configuration.
    pub connect_id: String,
    /// `urlToPublishTo`.
    pub url: String,
    /// The envelope.
    pub envelope_id: String,
    /// The envelope status in DocuSign's log spelling (`Completed`, …).
    pub status: String,
    /// The envelope subject.
    pub subject: String,
    /// The sender's name.
    pub user_name: String,
    /// The sender's e-mail.
    pub email: String,
}

fn key(account: &str) -> String {
    account.to_ascii_lowercase()
}

impl Journal {
    /// Starts a record; returns its id.
    pub fn begin(&mut self, mut record: Record) -> u64 {
        self.next_id += 1;
        record.id = self.next_id;
        self.records.push(record);
        self.next_id
    }

    /// Adds an attempt to record `id` and sets its state.
    pub fn attempt(&mut self, id: u64, attempt: Attempt, state: &str) {
        if let Some(r) = self.records.iter_mut().find(|r| r.id == id) {
            r.attempts.push(attempt);
            state.clone_into(&mut r.state);
        }
    }

    /// Sets the state of record `id`.
    pub fn set_state(&mut self, id: u64, state: &str) {
        if let Some(r) = self.records.iter_mut().find(|r| r.id == id) {
            state.clone_into(&mut r.state);
        }
    }

    /// Every record, oldest first.
    pub fn records(&self) -> Vec<Record> {
        self.records.clone()
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{}", 70_000_000 + self.next_id)
    }

    /// A Connect log entry (for configurations with `enableLog`).
    pub fn log(&mut self, e: &Entry, retry_count: u32, error: &str, payload: &[u8]) {
        let id = self.new_id();
        let now = util::rfc3339(util::now_secs());
        let uri = format!("/restapi/v2.1/accounts/{}/connect/logs/{id}", e.account_id);
        let entry = json!({
            "logId": id, "accountId": e.account_id, "connectId": e.connect_id,
            "configUrl": e.url, "envelopeId": e.envelope_id, "created": now, "lastTry": now,
            "retryCount": retry_count.to_string(), "status": e.status, "subject": e.subject,
            "userName": e.user_name, "email": e.email, "error": error, "logUri": uri,
            "connectDebugLog": [{
                "eventDateTime": now,
                "eventDescription": if error.is_empty() { "Message delivered".to_owned() } else { format!("Delivery failed: {error}") },
                "payload": String::from_utf8_lossy(payload),
                "connectConfig": e.connect_id,
                "errorDetails": error,
            }]
        });
        let logs = &mut self.accounts.entry(key(&e.account_id)).or_default().logs;
        logs.push_back(entry);
        while logs.len() > MAX_LOGS {
            logs.pop_front();
        }
    }

    /// Records or updates the failure of record `record` (the message of one configuration).
    pub fn fail(&mut self, record: u64, e: &Entry, retry_count: u32, error: &str) {
        let now = util::rfc3339(util::now_secs());
        let marker = record.to_string();
        let has = self
            .accounts
            .get(&key(&e.account_id))
            .is_some_and(|a| a.failures.iter().any(|f| f["_record"] == marker.as_str()));
        if !has {
            let id = self.new_id();
            let base = format!("/restapi/v2.1/accounts/{}/connect", e.account_id);
            let entry = json!({
                "_record": marker, "failureId": id, "accountId": e.account_id,
                "connectId": e.connect_id, "configUrl": e.url, "envelopeId": e.envelope_id,
                "created": now, "status": e.status, "subject": e.subject,
                "userName": e.user_name, "email": e.email,
                "failureUri": format!("{base}/failures/{id}"),
                "retryUri": format!("{base}/envelopes/{}/retry_queue", e.envelope_id),
            });
            self.accounts
                .entry(key(&e.account_id))
                .or_default()
                .failures
                .push(entry);
        }
        if let Some(f) = self.accounts.get_mut(&key(&e.account_id)).and_then(|a| {
            a.failures
                .iter_mut()
                .find(|f| f["_record"] == marker.as_str())
        }) && let Value::Object(m) = f
        {
            m.insert("lastTry".into(), Value::String(now));
            m.insert("retryCount".into(), Value::String(retry_count.to_string()));
            m.insert("error".into(), Value::String(error.to_owned()));
        }
    }

    /// Removes the failure of record `record` (a retry got through).
    pub fn clear_failure(&mut self, account: &str, record: u64) {
        let marker = record.to_string();
        if let Some(a) = self.accounts.get_mut(&key(account)) {
            a.failures.retain(|f| f["_record"] != marker.as_str());
        }
    }

    /// The account's log entries, oldest first, with or without `connectDebugLog`.
    pub fn logs(&self, account: &str, debug: bool) -> Vec<Value> {
        self.accounts
            .get(&key(account))
            .map(|a| {
                a.logs
                    .iter()
                    .map(|l| {
                        let mut l = l.clone();
                        if !debug && let Value::Object(m) = &mut l {
                            m.remove("connectDebugLog");
                        }
                        l
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One log entry.
    pub fn log_entry(&self, account: &str, id: &str, debug: bool) -> Option<Value> {
        self.logs(account, debug)
            .into_iter()
            .find(|l| l["logId"] == id)
    }

    /// Deletes the account's logs, or one of them; false if `id` is unknown.
    pub fn delete_logs(&mut self, account: &str, id: Option<&str>) -> bool {
        let Some(a) = self.accounts.get_mut(&key(account)) else {
            return id.is_none();
        };
        match id {
            None => {
                a.logs.clear();
                true
            }
            Some(id) => {
                let before = a.logs.len();
                a.logs.retain(|l| l["logId"] != id);
                a.logs.len() != before
            }
        }
    }

    /// The account's failures.
    pub fn failures(&self, account: &str) -> Vec<Value> {
        self.accounts
            .get(&key(account))
            .map(|a| {
                a.failures
                    .iter()
                    .map(|f| {
                        let mut f = f.clone();
                        if let Value::Object(m) = &mut f {
                            m.remove("_record");
                        }
                        f
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Deletes one failure, or all with `all`; false if `id` is unknown.
    pub fn delete_failure(&mut self, account: &str, id: &str) -> bool {
        let Some(a) = self.accounts.get_mut(&key(account)) else {
            return id == "all";
        };
        if id == "all" {
            a.failures.clear();
            return true;
        }
        let before = a.failures.len();
        a.failures.retain(|f| f["failureId"] != id);
        a.failures.len() != before
    }

    /// Forgets everything (the control surface's reset).
    pub fn clear(&mut self) {
        self.accounts.clear();
        self.records.clear();
    }
}
