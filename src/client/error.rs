//! [`Error`]: everything the DocuSign client can fail with.
//!
//! Each message names the operation, the HTTP status, DocuSign's `errorCode` and its message, so
//! resource code can turn it into a diagnostic unchanged. No variant ever carries a secret: the
//! client never copies tokens, keys, passwords or request bodies into an error.

use std::time::Duration;

/// The client's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failed DocuSign call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The object does not exist (HTTP 404, or a list that does not contain it).
    #[error("{operation}: not found (HTTP {status}{code}): {message}", code = code(error_code))]
    NotFound {
        operation: String,
        status: u16,
        error_code: Option<String>,
        message: String,
    },

    /// DocuSign refused the credentials: a rejected access token, or a JWT assertion that
    /// DocuSign would not accept (wrong key, unknown integration key or user).
    #[error("{operation}: unauthorized{}: {message}", detail(*status, error_code))]
    Unauthorized {
        operation: String,
        status: Option<u16>,
        error_code: Option<String>,
        message: String,
    },

    /// The impersonated user has not granted consent to the integration key.
    #[error(
        "DocuSign JWT grant{}: consent_required: user {user_id} has not granted consent to \
         integration key {integration_key} for the scopes \"signature impersonation\". Open this \
         URL in a browser, signed in as that user, and accept (or have an organization \
         administrator grant admin consent), then retry: {url}",
        account.as_deref().map(|a| format!(" for account {a}")).unwrap_or_default()
    )]
    ConsentRequired {
        integration_key: String,
        user_id: String,
        url: String,
        /// The account the token was for, when a call on one needed it.
        account: Option<String>,
    },

    /// DocuSign's API call limits (HTTP 429, or `HOURLY_/BURST_APIINVOCATION_LIMIT_EXCEEDED`).
    #[error("{operation}: rate limited (HTTP {status}{code}): {message}{}", reset(reset_in), code = code(error_code))]
    RateLimited {
        operation: String,
        status: u16,
        error_code: Option<String>,
        message: String,
        /// How long until DocuSign says the limit resets, when it said so.
        reset_in: Option<Duration>,
    },

    /// Any other answer DocuSign gave that is not a success.
    #[error("{operation}: HTTP {status}{code}: {message}", code = code(error_code))]
    Api {
        operation: String,
        status: u16,
        error_code: Option<String>,
        message: String,
    },

    /// No answer: connection refused or reset, DNS, TLS, timeout before anything was sent.
    #[error("{operation}: transport error: {message}")]
    Transport { operation: String, message: String },

    /// An answer that is not the JSON the client expected.
    #[error("{operation}: could not decode DocuSign's answer: {message}")]
    Decode { operation: String, message: String },

    /// A write whose outcome is unknown: the request was sent, then the connection dropped or
    /// timed out, or a server error came back. DocuSign may or may not have applied it, so the
    /// client did not retry it blindly.
    #[error(
        "{operation}: outcome unknown ({message}); DocuSign may or may not have applied it, so it \
         was not retried blindly"
    )]
    Ambiguous { operation: String, message: String },

    /// After an ambiguous create, more than one configuration matches what was sent.
    #[error(
        "{operation}: the create's outcome was unknown and {} existing configurations match the \
         request exactly (connectIds {}); refusing to guess which one is ours. Delete the \
         duplicates or import the right one",
        connect_ids.len(), connect_ids.join(", ")
    )]
    DuplicateMatch {
        operation: String,
        connect_ids: Vec<String>,
    },

    /// The client retried and gave up; `last` is the final failure.
    #[error(
        "{operation}: gave up after {attempts} attempts over {:.1}s (retried on: {retried_on}); \
         last error: {last}",
        elapsed.as_secs_f64()
    )]
    RetriesExhausted {
        operation: String,
        attempts: u32,
        elapsed: Duration,
        retried_on: String,
        last: Box<Error>,
    },

    /// Terraform asked the provider to stop (`Stop`, e.g. on Ctrl-C) while the client was
    /// waiting: for a retry backoff or for the account's rate limit. Only waits are cut short; a
    /// request already sent is always allowed to finish.
    #[error(
        "{operation}: cancelled by Terraform (Stop) while {waiting}; the request was not sent \
         {}",
        if *attempts == 0 { "at all".to_owned() } else { format!("again after {attempts} attempt{}", if *attempts == 1 { "" } else { "s" }) }
    )]
    Cancelled {
        operation: String,
        /// What the client was waiting for, e.g. `waiting to retry (after HTTP 503 x1)`.
        waiting: String,
        /// How many times the request had been sent before the wait was cut short.
        attempts: u32,
    },

    /// The requested account is not among those the credentials can reach.
    #[error(
        "account {account_id} is not reachable {}; reachable accounts: {}",
        match user_id {
            Some(u) => format!("as user {u}, who is not a member of it"),
            None => "with these credentials".to_owned(),
        },
        if reachable.is_empty() { "none".to_owned() } else { reachable.join(", ") }
    )]
    AccountNotFound {
        account_id: String,
        /// The impersonated user whose accounts were searched (JWT grant).
        user_id: Option<String>,
        /// `account_id (account name)` of each account the user can reach.
        reachable: Vec<String>,
    },

    /// The client's configuration is invalid (missing or contradictory settings, bad key).
    #[error("invalid DocuSign client configuration: {message}")]
    Config { message: String },
}

impl Error {
    /// The failure under any [`Error::RetriesExhausted`] wrapper.
    pub fn root(&self) -> &Error {
        match self {
            Error::RetriesExhausted { last, .. } => last.root(),
            other => other,
        }
    }

    /// True when Terraform's `Stop` cut a wait short.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.root(), Error::Cancelled { .. })
    }

    /// True for a missing object (possibly after retries).
    pub fn is_not_found(&self) -> bool {
        matches!(self.root(), Error::NotFound { .. })
    }

    /// The HTTP status DocuSign answered with, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self.root() {
            Error::NotFound { status, .. }
            | Error::RateLimited { status, .. }
            | Error::Api { status, .. } => Some(*status),
            Error::Unauthorized { status, .. } => *status,
            _ => None,
        }
    }

    /// DocuSign's `errorCode`, when it gave one.
    pub fn error_code(&self) -> Option<&str> {
        match self.root() {
            Error::NotFound { error_code, .. }
            | Error::Unauthorized { error_code, .. }
            | Error::RateLimited { error_code, .. }
            | Error::Api { error_code, .. } => error_code.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
        }
    }
}

fn code(error_code: &Option<String>) -> String {
    match error_code {
        Some(c) if !c.is_empty() => format!(", errorCode {c}"),
        _ => String::new(),
    }
}

fn detail(status: Option<u16>, error_code: &Option<String>) -> String {
    match (status, error_code) {
        (Some(s), _) => format!(" (HTTP {s}{})", code(error_code)),
        (None, Some(c)) if !c.is_empty() => format!(" ({c})"),
        _ => String::new(),
    }
}

fn reset(reset_in: &Option<Duration>) -> String {
    match reset_in {
        Some(d) => format!(" (limit resets in {}s)", d.as_secs()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_names_operation_status_code_and_message() {
        let e = Error::Api {
            operation: "update Connect configuration 42".into(),
            status: 400,
            error_code: Some("INVALID_REQUEST_PARAMETER".into()),
            message: "bad url".into(),
        };
        assert_eq!(
            e.to_string(),
            "update Connect configuration 42: HTTP 400, errorCode INVALID_REQUEST_PARAMETER: bad url"
        );
    }

    #[test]
    fn unauthorized_with_and_without_status() {
        let with = Error::Unauthorized {
            operation: "list".into(),
            status: Some(401),
            error_code: Some("AUTHORIZATION_INVALID_TOKEN".into()),
            message: "expired".into(),
        };
        assert_eq!(
            with.to_string(),
            "list: unauthorized (HTTP 401, errorCode AUTHORIZATION_INVALID_TOKEN): expired"
        );
        let without = Error::Unauthorized {
            operation: "JWT grant".into(),
            status: None,
            error_code: None,
            message: "m".into(),
        };
        assert_eq!(without.to_string(), "JWT grant: unauthorized: m");
    }

    #[test]
    fn exhausted_wraps_and_root_unwraps() {
        let e = Error::RetriesExhausted {
            operation: "list".into(),
            attempts: 4,
            elapsed: Duration::from_millis(2500),
            retried_on: "HTTP 503 x4".into(),
            last: Box::new(Error::NotFound {
                operation: "list".into(),
                status: 404,
                error_code: None,
                message: "gone".into(),
            }),
        };
        assert!(e.is_not_found());
        assert_eq!(e.status(), Some(404));
        let text = e.to_string();
        assert!(
            text.contains("gave up after 4 attempts over 2.5s"),
            "{text}"
        );
        assert!(text.contains("HTTP 503 x4"), "{text}");
    }

    #[test]
    fn cancelled_names_the_operation_the_wait_and_what_was_sent() {
        let retry = Error::Cancelled {
            operation: "list Connect configurations of account a1".into(),
            waiting: "waiting to retry (after HTTP 503 x1)".into(),
            attempts: 1,
        };
        assert!(retry.is_cancelled());
        assert_eq!(
            retry.to_string(),
            "list Connect configurations of account a1: cancelled by Terraform (Stop) while \
             waiting to retry (after HTTP 503 x1); the request was not sent again after 1 attempt"
        );
        let limit = Error::Cancelled {
            operation: "delete Connect configuration 7".into(),
            waiting: "waiting for the account's rate limit".into(),
            attempts: 0,
        };
        assert_eq!(
            limit.to_string(),
            "delete Connect configuration 7: cancelled by Terraform (Stop) while waiting for the \
             account's rate limit; the request was not sent at all"
        );
    }

    #[test]
    fn missing_consent_names_the_account_and_the_user() {
        let e = Error::ConsentRequired {
            integration_key: "ik-1".into(),
            user_id: "user-b".into(),
            url: "https://consent".into(),
            account: Some("acc-b".into()),
        };
        let text = e.to_string();
        assert!(
            text.starts_with(
                "DocuSign JWT grant for account acc-b: consent_required: user user-b has not \
                 granted consent to integration key ik-1"
            ),
            "{text}"
        );
        assert!(text.ends_with("then retry: https://consent"), "{text}");
    }

    #[test]
    fn account_not_found_lists_reachable() {
        let as_user = Error::AccountNotFound {
            account_id: "acc-b".into(),
            user_id: Some("user-a".into()),
            reachable: vec!["acc-a (A)".into()],
        };
        assert_eq!(
            as_user.to_string(),
            "account acc-b is not reachable as user user-a, who is not a member of it; reachable \
             accounts: acc-a (A)"
        );
        let e = Error::AccountNotFound {
            account_id: "zzz".into(),
            user_id: None,
            reachable: vec!["a1 (Main)".into(), "a2 (Other)".into()],
        };
        assert_eq!(
            e.to_string(),
            "account zzz is not reachable with these credentials; reachable accounts: a1 (Main), a2 (Other)"
        );
    }
}
