//! The HTTP transport: one request with timeouts, the per-account limiter, the bearer token and
//! the retry loop.
//!
//! * 429, 5xx, connection errors and DocuSign's `HOURLY_/BURST_APIINVOCATION_LIMIT_EXCEEDED`
//!   (even as HTTP 400) are retried with exponential backoff and jitter, honoring the
//!   rate-limit headers (see [`super::retry`]).
//! * A non-idempotent request (POST) is never retried once it may have reached DocuSign: a
//!   dropped connection, a timeout or a 5xx after sending it is [`Error::Ambiguous`]. Rate-limit
//!   refusals and connection failures before sending are retried: DocuSign did nothing.
//! * A 401 re-mints a JWT token once for the request, then fails clearly.
//! * Terraform's `Stop` (the cancellation token passed in) cuts short the waits only: the
//!   limiter's and the retry backoff, answering [`Error::Cancelled`]. A request already sent is
//!   never aborted (a POST's outcome would become unknown).
//! * Logs name the operation, status, attempt and timing; never headers or bodies.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, redirect};
use serde::Deserialize;
use tokio::sync::OnceCell;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::auth::Auth;
use super::error::{Error, Result};
use super::limiter::Limiter;
use super::retry::{self, Class, RetryPolicy};

/// Answers larger than this are refused.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// One request to send (and maybe resend).
#[derive(Debug, Clone)]
pub struct Request {
    pub operation: String,
    pub method: Method,
    pub url: String,
    pub body: Option<(Vec<u8>, &'static str)>,
    /// Safe to resend after an unknown outcome (GET, PUT of a whole object, DELETE).
    pub idempotent: bool,
    /// Return non-retryable failure answers as `Ok` for the caller to interpret.
    pub raw_errors: bool,
}

impl Request {
    /// A request; idempotent unless it is a POST.
    pub fn new(operation: impl Into<String>, method: Method, url: impl Into<String>) -> Self {
        let idempotent = method != Method::POST;
        Request {
            operation: operation.into(),
            method,
            url: url.into(),
            body: None,
            idempotent,
            raw_errors: false,
        }
    }

    /// A JSON body.
    pub fn json_body(mut self, body: Vec<u8>) -> Self {
        self.body = Some((body, "application/json"));
        self
    }

    /// A form body (already encoded).
    pub fn form_body(mut self, body: String) -> Self {
        self.body = Some((body.into_bytes(), "application/x-www-form-urlencoded"));
        self
    }

    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    pub fn raw_errors(mut self, yes: bool) -> Self {
        self.raw_errors = yes;
        self
    }
}

/// An answer, read in full.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// DocuSign's error body: `{"errorCode": ..., "message": ...}` (OAuth: `error`,
/// `error_description`).
#[derive(Debug, Default, Deserialize)]
pub struct ErrorDetails {
    #[serde(default, rename = "errorCode", alias = "error")]
    pub error_code: Option<String>,
    #[serde(default, alias = "error_description")]
    pub message: Option<String>,
}

impl ErrorDetails {
    /// Parses an error body; a non-JSON body gives a short, printable excerpt as the message.
    pub fn parse(body: &[u8]) -> ErrorDetails {
        if body.is_empty() {
            return ErrorDetails::default();
        }
        match serde_json::from_slice::<ErrorDetails>(body) {
            Ok(d) => d,
            Err(_) => {
                let text: String = String::from_utf8_lossy(body)
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                ErrorDetails {
                    error_code: None,
                    message: Some(format!("non-JSON answer ({} bytes): {text}", body.len())),
                }
            }
        }
    }

    fn message_or(&self, fallback: &str) -> String {
        match &self.message {
            Some(m) if !m.is_empty() => m.clone(),
            _ => fallback.to_owned(),
        }
    }
}

/// The shared HTTP machinery of one client (lazily built reqwest client + retry policy).
#[derive(Debug)]
pub struct Http {
    client: OnceCell<reqwest::Client>,
    policy: RetryPolicy,
    timeout: Duration,
    user_agent: String,
}

enum Failure {
    /// Nothing came back. `maybe_sent`: DocuSign may have received the request.
    Send {
        maybe_sent: bool,
        timeout: bool,
        message: String,
    },
    TooLarge,
}

impl Http {
    /// No I/O: the reqwest client is built on first use.
    pub fn new(policy: RetryPolicy, timeout: Duration, user_agent: String) -> Self {
        Http {
            client: OnceCell::new(),
            policy,
            timeout,
            user_agent,
        }
    }

    /// The retry policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    async fn client(&self) -> Result<&reqwest::Client> {
        self.client
            .get_or_try_init(|| async {
                reqwest::Client::builder()
                    .timeout(self.timeout)
                    .connect_timeout(self.timeout.min(Duration::from_secs(15)))
                    .redirect(redirect::Policy::none())
                    .user_agent(self.user_agent.clone())
                    .build()
                    .map_err(|e| {
                        Error::config(format!("could not build the HTTP client: {}", chain(&e)))
                    })
            })
            .await
    }

    /// Sends `req` (through `limiter`, with a token from `auth`), retrying per the policy.
    /// `cancel` (Terraform's `Stop`) ends a wait for the limiter or a retry with
    /// [`Error::Cancelled`]; it never interrupts a request in flight.
    pub async fn execute(
        &self,
        req: &Request,
        auth: Option<&Auth>,
        limiter: Option<&Limiter>,
        cancel: &CancellationToken,
    ) -> Result<Response> {
        let client = self.client().await?;
        let started = Instant::now();
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut reasons: Vec<(String, u32)> = Vec::new();
        let mut reminted = false;
        loop {
            if let Some(l) = limiter
                && !l.acquire(cancel).await
            {
                tracing::info!(operation = %req.operation, attempts_sent = attempts,
                    "cancelled by Stop while waiting for the rate limit");
                return Err(Error::Cancelled {
                    operation: req.operation.clone(),
                    waiting: "waiting for the account's rate limit".to_owned(),
                    attempts,
                });
            }
            attempts += 1;
            let token = match auth {
                Some(a) => Some(a.token(self, cancel).await?),
                None => None,
            };
            let mut rb = client
                .request(req.method.clone(), &req.url)
                .header(ACCEPT, "application/json");
            if let Some(t) = &token {
                rb = rb.bearer_auth(t.expose());
            }
            if let Some((body, content_type)) = &req.body {
                rb = rb.header(CONTENT_TYPE, *content_type).body(body.clone());
            }
            let t0 = Instant::now();
            let outcome = send(rb).await;
            let elapsed_ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);

            let (error, reason, hint) = match outcome {
                Err(Failure::TooLarge) => {
                    return Err(Error::Decode {
                        operation: req.operation.clone(),
                        message: format!("the answer is larger than {MAX_BODY} bytes"),
                    });
                }
                Err(Failure::Send {
                    maybe_sent,
                    timeout,
                    message,
                }) => {
                    tracing::debug!(operation = %req.operation, method = %req.method, attempt = attempts,
                        elapsed_ms, maybe_sent, timeout, "DocuSign call failed without an answer");
                    if maybe_sent && !req.idempotent {
                        return Err(Error::Ambiguous {
                            operation: req.operation.clone(),
                            message,
                        });
                    }
                    let reason = if timeout {
                        "timeout"
                    } else {
                        "connection error"
                    };
                    let err = Error::Transport {
                        operation: req.operation.clone(),
                        message,
                    };
                    (err, reason.to_owned(), None)
                }
                Ok(resp) => {
                    let details = if (200..300).contains(&resp.status) {
                        ErrorDetails::default()
                    } else {
                        ErrorDetails::parse(&resp.body)
                    };
                    let class = retry::classify(resp.status, details.error_code.as_deref());
                    tracing::debug!(operation = %req.operation, method = %req.method, status = resp.status,
                        attempt = attempts, elapsed_ms, error_code = details.error_code.as_deref().unwrap_or(""),
                        "DocuSign call answered");
                    let op = req.operation.clone();
                    let status = resp.status;
                    match class {
                        Class::Success => return Ok(resp),
                        Class::Unauthorized if auth.is_some() => {
                            let a = auth.ok_or_else(|| Error::config("no auth"))?;
                            if !reminted && a.can_remint() {
                                if let Some(t) = &token {
                                    a.invalidate(t).await;
                                }
                                reminted = true;
                                tracing::info!(operation = %req.operation, "DocuSign rejected the access token; minting a new one");
                                continue;
                            }
                            if req.raw_errors {
                                return Ok(resp);
                            }
                            let why = if reminted {
                                "DocuSign rejected the access token, and again right after a new one was minted via JWT grant; check that the user is an account administrator and the integration key is allowed for this account"
                            } else {
                                "DocuSign rejected the access token; it may have expired or been revoked: provide a new access_token or use JWT grant credentials"
                            };
                            return Err(Error::Unauthorized {
                                operation: op,
                                status: Some(status),
                                error_code: details.error_code.clone(),
                                message: format!("{why} ({})", details.message_or("no message")),
                            });
                        }
                        Class::RateLimited { .. } => {
                            let hint = retry::server_hint(&resp.headers, &class, retry::now_unix());
                            let reason = details
                                .error_code
                                .clone()
                                .filter(|c| !c.is_empty())
                                .unwrap_or_else(|| format!("HTTP {status}"));
                            let err = Error::RateLimited {
                                operation: op,
                                status,
                                error_code: details.error_code.clone(),
                                message: details.message_or("call limit exceeded"),
                                reset_in: hint,
                            };
                            (err, reason, hint)
                        }
                        Class::ServerError if !req.idempotent => {
                            return Err(Error::Ambiguous {
                                operation: op,
                                message: format!(
                                    "HTTP {status}{}: {}",
                                    details
                                        .error_code
                                        .as_deref()
                                        .map(|c| format!(", errorCode {c}"))
                                        .unwrap_or_default(),
                                    details.message_or("server error")
                                ),
                            });
                        }
                        Class::ServerError => {
                            // A 503 may say when to come back (`Retry-After`); it wins over the
                            // backoff when longer, as for the call limits.
                            let hint = retry::server_hint(&resp.headers, &class, retry::now_unix());
                            let err = Error::Api {
                                operation: op,
                                status,
                                error_code: details.error_code.clone(),
                                message: details.message_or("server error"),
                            };
                            (err, format!("HTTP {status}"), hint)
                        }
                        _ if req.raw_errors => return Ok(resp),
                        Class::NotFound => {
                            return Err(Error::NotFound {
                                operation: op,
                                status,
                                error_code: details.error_code.clone(),
                                message: details.message_or("not found"),
                            });
                        }
                        Class::Unauthorized => {
                            return Err(Error::Unauthorized {
                                operation: op,
                                status: Some(status),
                                error_code: details.error_code.clone(),
                                message: details.message_or("unauthorized"),
                            });
                        }
                        Class::Fatal => {
                            return Err(Error::Api {
                                operation: op,
                                status,
                                error_code: details.error_code.clone(),
                                message: details.message_or("request failed"),
                            });
                        }
                    }
                }
            };

            match reasons.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, n)) => *n += 1,
                None => reasons.push((reason.clone(), 1)),
            }
            let delay = self.policy.delay(retries, hint, retry::jitter());
            if let (Some(l), Error::RateLimited { .. }) = (limiter, &error) {
                // Every caller of the account holds back, not just this one.
                l.pause_until(Instant::now() + delay);
            }
            let out_of_retries = retries >= self.policy.max_retries;
            let out_of_time = started.elapsed() + delay > self.policy.budget;
            if out_of_retries || out_of_time {
                if attempts == 1 {
                    return Err(error);
                }
                let retried_on = reasons
                    .iter()
                    .map(|(r, n)| format!("{r} x{n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let limit = if out_of_retries {
                    format!("max_retries = {}", self.policy.max_retries)
                } else {
                    format!("retry budget {}s", self.policy.budget.as_secs())
                };
                tracing::warn!(operation = %req.operation, attempts, retried_on = %retried_on, "giving up on DocuSign call");
                return Err(Error::RetriesExhausted {
                    operation: req.operation.clone(),
                    attempts,
                    elapsed: started.elapsed(),
                    retried_on: format!("{retried_on}; stopped by {limit}"),
                    last: Box::new(error),
                });
            }
            retries += 1;
            tracing::warn!(operation = %req.operation, attempt = attempts, reason = %reason,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), "DocuSign call failed; retrying");
            tokio::select! {
                biased;
                () = cancel.cancelled() => {
                    let sent = attempts;
                    tracing::info!(operation = %req.operation, attempts_sent = sent,
                        "cancelled by Stop while waiting to retry");
                    let waiting = if matches!(error, Error::RateLimited { .. }) {
                        format!("waiting {:.1}s for DocuSign's call limit ({reason}) before retrying", delay.as_secs_f64())
                    } else {
                        format!("waiting {:.1}s to retry after {reason}", delay.as_secs_f64())
                    };
                    return Err(Error::Cancelled {
                        operation: req.operation.clone(),
                        waiting,
                        attempts: sent,
                    });
                }
                () = tokio::time::sleep(delay) => {}
            }
        }
    }
}

async fn send(rb: reqwest::RequestBuilder) -> Result<Response, Failure> {
    let mut resp = rb.send().await.map_err(send_failure)?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(Failure::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(Failure::Send {
                    maybe_sent: true,
                    timeout: e.is_timeout(),
                    message: format!("HTTP {status} answer cut off: {}", chain(&e)),
                });
            }
        }
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn send_failure(e: reqwest::Error) -> Failure {
    let not_sent = e.is_connect() || e.is_builder();
    Failure::Send {
        maybe_sent: !not_sent,
        timeout: e.is_timeout(),
        message: chain(&e),
    }
}

/// An error and its sources, one line.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}

/// A serde_json error, described briefly.
pub fn describe_json_error(e: &serde_json::Error) -> String {
    let mut text = e.to_string();
    if text.len() > 300 {
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_details_from_docusign_oauth_and_junk() {
        let d = ErrorDetails::parse(br#"{"errorCode":"INVALID_REQUEST_PARAMETER","message":"m"}"#);
        assert_eq!(d.error_code.as_deref(), Some("INVALID_REQUEST_PARAMETER"));
        assert_eq!(d.message.as_deref(), Some("m"));
        let o = ErrorDetails::parse(br#"{"error":"consent_required","error_description":"x"}"#);
        assert_eq!(o.error_code.as_deref(), Some("consent_required"));
        let j = ErrorDetails::parse(b"<html>\n<b>Bad gateway</b></html>");
        let m = j.message.unwrap();
        assert!(
            m.starts_with("non-JSON answer (32 bytes): <html><b>Bad gateway"),
            "{m}"
        );
        assert!(ErrorDetails::parse(b"").error_code.is_none());
    }
}
