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

use super::error::{Error, Result};
use super::limiter::Limiter;
use super::retry::{self, Class, RetryPolicy};
use super::secret::Secret;

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

    /// Sends `req` (through `limiter`, with `token` as the bearer), retrying per the policy.
    /// `cancel` (Terraform's `Stop`) ends a wait for the limiter or a retry with
    /// [`Error::Cancelled`]; it never interrupts a request in flight. A 401 is
    /// [`Error::Unauthorized`] (the caller decides whether a new token helps).
    pub async fn execute(
        &self,
        req: &Request,
        token: Option<&Secret>,
        limiter: Option<&Limiter>,
        cancel: &CancellationToken,
    ) -> Result<Response> {
        let client = self.client().await?;
        let mut tally = Tally::new();
        loop {
            if let Some(l) = limiter
                && !l.acquire(cancel).await
            {
                tracing::info!(operation = %req.operation, attempts_sent = tally.attempts,
                    "cancelled by Stop while waiting for the rate limit");
                return Err(Error::Cancelled {
                    operation: req.operation.clone(),
                    waiting: "waiting for the account's rate limit".to_owned(),
                    attempts: tally.attempts,
                });
            }
            tally.attempts += 1;
            let (error, reason, hint) = match attempt(client, req, token, tally.attempts).await {
                Attempt::Answer(resp) => return Ok(resp),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry {
                    error,
                    reason,
                    hint,
                } => (error, reason, hint),
            };
            let delay = self.policy.delay(tally.retries, hint, retry::jitter());
            if let (Some(l), Error::RateLimited { .. }) = (limiter, &error) {
                // Every caller of the account holds back, not just this one.
                l.pause_until(Instant::now() + delay);
            }
            tally.record(&reason);
            if let Some(stop) = tally.give_up(&self.policy, delay) {
                return Err(tally.exhausted(req, stop, error));
            }
            tally.retries += 1;
            tracing::warn!(operation = %req.operation, attempt = tally.attempts, reason = %reason,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), "DocuSign call failed; retrying");
            tokio::select! {
                biased;
                () = cancel.cancelled() => {
                    tracing::info!(operation = %req.operation, attempts_sent = tally.attempts,
                        "cancelled by Stop while waiting to retry");
                    let waiting = if matches!(error, Error::RateLimited { .. }) {
                        format!("waiting {:.1}s for DocuSign's call limit ({reason}) before retrying", delay.as_secs_f64())
                    } else {
                        format!("waiting {:.1}s to retry after {reason}", delay.as_secs_f64())
                    };
                    return Err(Error::Cancelled {
                        operation: req.operation.clone(),
                        waiting,
                        attempts: tally.attempts,
                    });
                }
                () = tokio::time::sleep(delay) => {}
            }
        }
    }
}

/// What one attempt came to.
enum Attempt {
    /// The answer to return: a success, or (with `raw_errors`) a failure for the caller to read.
    Answer(Response),
    /// A failure that retrying cannot help (or that must not be retried).
    Fail(Error),
    /// A failure worth retrying: `reason` names it in the summary, `hint` is the server's wait.
    Retry {
        error: Error,
        reason: String,
        hint: Option<Duration>,
    },
}

/// Sends `req` once and classifies the outcome.
async fn attempt(
    client: &reqwest::Client,
    req: &Request,
    token: Option<&Secret>,
    number: u32,
) -> Attempt {
    let mut rb = client
        .request(req.method.clone(), &req.url)
        .header(ACCEPT, "application/json");
    if let Some(t) = token {
        rb = rb.bearer_auth(t.expose());
    }
    if let Some((body, content_type)) = &req.body {
        rb = rb.header(CONTENT_TYPE, *content_type).body(body.clone());
    }
    let t0 = Instant::now();
    let outcome = send(rb).await;
    let elapsed_ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
    match outcome {
        Ok(resp) => {
            let status = resp.status;
            let attempt = classify_answer(req, resp);
            tracing::debug!(operation = %req.operation, method = %req.method, status,
                attempt = number, elapsed_ms, "DocuSign call answered");
            attempt
        }
        Err(failure) => {
            tracing::debug!(operation = %req.operation, method = %req.method, attempt = number,
                elapsed_ms, "DocuSign call failed without an answer");
            classify_failure(req, failure)
        }
    }
}

/// A failure without an answer: retried unless a non-idempotent request may have been sent.
fn classify_failure(req: &Request, failure: Failure) -> Attempt {
    match failure {
        Failure::TooLarge => Attempt::Fail(Error::Decode {
            operation: req.operation.clone(),
            message: format!("the answer is larger than {MAX_BODY} bytes"),
        }),
        Failure::Send {
            maybe_sent: true,
            message,
            ..
        } if !req.idempotent => Attempt::Fail(Error::Ambiguous {
            operation: req.operation.clone(),
            message,
        }),
        Failure::Send {
            timeout, message, ..
        } => Attempt::Retry {
            error: Error::Transport {
                operation: req.operation.clone(),
                message,
            },
            reason: if timeout {
                "timeout"
            } else {
                "connection error"
            }
            .to_owned(),
            hint: None,
        },
    }
}

/// An answer, by status and DocuSign's `errorCode` (see [`retry::classify`]).
fn classify_answer(req: &Request, resp: Response) -> Attempt {
    let status = resp.status;
    let details = if (200..300).contains(&status) {
        ErrorDetails::default()
    } else {
        ErrorDetails::parse(&resp.body)
    };
    let class = retry::classify(status, details.error_code.as_deref());
    let operation = req.operation.clone();
    let error_code = details.error_code.clone();
    match class {
        Class::Success => Attempt::Answer(resp),
        Class::RateLimited { .. } => {
            let hint = retry::server_hint(&resp.headers, &class, retry::now_unix());
            let reason = error_code
                .clone()
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| format!("HTTP {status}"));
            Attempt::Retry {
                error: Error::RateLimited {
                    operation,
                    status,
                    error_code,
                    message: details.message_or("call limit exceeded"),
                    reset_in: hint,
                },
                reason,
                hint,
            }
        }
        Class::ServerError if !req.idempotent => Attempt::Fail(Error::Ambiguous {
            operation,
            message: format!(
                "HTTP {status}{}: {}",
                error_code
                    .as_deref()
                    .map(|c| format!(", errorCode {c}"))
                    .unwrap_or_default(),
                details.message_or("server error")
            ),
        }),
        Class::ServerError => Attempt::Retry {
            // A 503 may say when to come back (`Retry-After`); it wins over the backoff when
            // longer, as for the call limits.
            hint: retry::server_hint(&resp.headers, &class, retry::now_unix()),
            error: Error::Api {
                operation,
                status,
                error_code,
                message: details.message_or("server error"),
            },
            reason: format!("HTTP {status}"),
        },
        _ if req.raw_errors => Attempt::Answer(resp),
        Class::NotFound => Attempt::Fail(Error::NotFound {
            operation,
            status,
            error_code,
            message: details.message_or("not found"),
        }),
        Class::Unauthorized => Attempt::Fail(Error::Unauthorized {
            operation,
            status: Some(status),
            error_code,
            message: details.message_or("no message"),
        }),
        Class::Fatal => Attempt::Fail(Error::Api {
            operation,
            status,
            error_code,
            message: details.message_or("request failed"),
        }),
    }
}

/// The retry loop's bookkeeping: attempts, retries, and why each retry happened.
struct Tally {
    started: Instant,
    attempts: u32,
    retries: u32,
    reasons: Vec<(String, u32)>,
}

impl Tally {
    fn new() -> Self {
        Tally {
            started: Instant::now(),
            attempts: 0,
            retries: 0,
            reasons: Vec::new(),
        }
    }

    fn record(&mut self, reason: &str) {
        match self.reasons.iter_mut().find(|(r, _)| r == reason) {
            Some((_, n)) => *n += 1,
            None => self.reasons.push((reason.to_owned(), 1)),
        }
    }

    /// Which limit, if any, forbids waiting `delay` for one more attempt.
    fn give_up(&self, policy: &RetryPolicy, delay: Duration) -> Option<String> {
        if self.retries >= policy.max_retries {
            Some(format!("max_retries = {}", policy.max_retries))
        } else if self.started.elapsed() + delay > policy.budget {
            Some(format!("retry budget {}s", policy.budget.as_secs()))
        } else {
            None
        }
    }

    /// The error to end with: `last` itself after a single attempt, else a summary around it.
    fn exhausted(&self, req: &Request, stop: String, last: Error) -> Error {
        if self.attempts == 1 {
            return last;
        }
        let retried_on = self
            .reasons
            .iter()
            .map(|(r, n)| format!("{r} x{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        tracing::warn!(operation = %req.operation, attempts = self.attempts, retried_on = %retried_on, "giving up on DocuSign call");
        Error::RetriesExhausted {
            operation: req.operation.clone(),
            attempts: self.attempts,
            elapsed: self.started.elapsed(),
            retried_on: format!("{retried_on}; stopped by {stop}"),
            last: Box::new(last),
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

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn kind(a: &Attempt) -> String {
        match a {
            Attempt::Answer(r) => format!("answer {}", r.status),
            Attempt::Fail(e) => format!("fail: {e}"),
            Attempt::Retry { reason, .. } => format!("retry on {reason}"),
        }
    }

    #[test]
    fn one_attempt_is_classified_by_method_status_and_error_code() {
        let get = Request::new("read", Method::GET, "http://127.0.0.1:9/x");
        let post = Request::new("create", Method::POST, "http://127.0.0.1:9/x");
        let burst = r#"{"errorCode":"BURST_APIINVOCATION_LIMIT_EXCEEDED","message":"slow down"}"#;
        let cases = [
            (&get, 200, "{}", "answer 200"),
            (&get, 503, "", "retry on HTTP 503"),
            (
                &post,
                503,
                "",
                "fail: create: outcome unknown (HTTP 503: server error); DocuSign may or may not \
                 have applied it, so it was not retried blindly",
            ),
            (
                &post,
                400,
                burst,
                "retry on BURST_APIINVOCATION_LIMIT_EXCEEDED",
            ),
            (
                &get,
                401,
                "",
                "fail: read: unauthorized (HTTP 401): no message",
            ),
            (&get, 404, "", "fail: read: not found (HTTP 404): not found"),
            (
                &get,
                400,
                r#"{"errorCode":"INVALID_REQUEST_PARAMETER","message":"bad"}"#,
                "fail: read: HTTP 400, errorCode INVALID_REQUEST_PARAMETER: bad",
            ),
        ];
        for (req, status, body, expected) in cases {
            let got = kind(&classify_answer(req, answer(status, body)));
            assert_eq!(got, expected, "{} {status}", req.method);
        }
        // With raw errors, a definite refusal is the caller's to read; retryable ones are not.
        let raw = get.clone().raw_errors(true);
        assert_eq!(kind(&classify_answer(&raw, answer(401, ""))), "answer 401");
        assert_eq!(kind(&classify_answer(&raw, answer(400, ""))), "answer 400");
        assert_eq!(
            kind(&classify_answer(&raw, answer(502, ""))),
            "retry on HTTP 502"
        );
    }

    #[test]
    fn a_failure_without_an_answer_is_retried_unless_a_post_may_have_arrived() {
        let failure = |maybe_sent| Failure::Send {
            maybe_sent,
            timeout: true,
            message: "timed out".into(),
        };
        let get = Request::new("read", Method::GET, "u");
        let post = Request::new("create", Method::POST, "u");
        assert_eq!(
            kind(&classify_failure(&get, failure(true))),
            "retry on timeout"
        );
        assert_eq!(
            kind(&classify_failure(&post, failure(false))),
            "retry on timeout"
        );
        assert!(
            kind(&classify_failure(&post, failure(true))).contains("outcome unknown (timed out)")
        );
        assert!(kind(&classify_failure(&get, Failure::TooLarge)).contains("larger than"));
    }

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
