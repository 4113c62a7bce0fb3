//! Sending one message to one configuration's listener: the URL policy, the authentication
//! (settings read at each attempt, so fixing them lets a retry through), the POST, and with
//! `requiresAcknowledgement` the retries (a non-2xx answer, a timeout or any other failure is
//! retried after `retry_backoff`, doubling, up to `max_retries`), each leaving log and failure
//! entries.

use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

use crate::delivery::auth::{self, OAuthSettings};
use crate::delivery::journal::{Attempt, Entry};
use crate::delivery::message::{Envelope, Event, Message};
use crate::model;
use crate::shared::Shared;
use crate::state::StoredConfig;
use crate::util;
use crate::util::lock;

/// One message on its way to one configuration.
#[derive(Debug, Clone)]
pub struct Job {
    /// The journal record.
    pub record: u64,
    /// The configuration.
    pub connect_id: String,
    /// `urlToPublishTo`.
    pub url: String,
    /// The message.
    pub message: Message,
    /// Log and failure details.
    pub entry: Entry,
    /// The account whose OAuth settings / HMAC keys authenticate the message.
    pub settings_account_id: String,
    /// The configuration's own `oAuthConfiguration` when `enableOAuthPerConfiguration`.
    pub own_oauth: Option<Map<String, Value>>,
    /// `includeOAuth`.
    pub oauth: bool,
    /// `includeHMAC`.
    pub hmac: bool,
    /// `userName`/`password` for Basic authentication.
    pub basic: Option<(String, String)>,
    /// `requireMutualTls` or `signMessageWithX509Certificate`.
    pub mutual_tls: bool,
    /// `requiresAcknowledgement`.
    pub requires_ack: bool,
    /// `enableLog`.
    pub enable_log: bool,
}

fn sentence(status: &str) -> String {
    let mut c = status.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Log details of a message.
pub fn entry(env: &Envelope, event: &Event, connect_id: &str, cfg: &Map<String, Value>) -> Entry {
    Entry {
        account_id: env.account_id.clone(),
        connect_id: connect_id.to_owned(),
        url: model::text(cfg, "urlToPublishTo").to_owned(),
        envelope_id: env.id.clone(),
        status: sentence(event.envelope_status()),
        subject: env.subject.clone(),
        user_name: env.sender.user_name.clone(),
        email: env.sender.email.clone(),
    }
}

impl Job {
    /// The job for `stored`, whose message is `message`.
    pub fn new(
        env: &Envelope,
        event: &Event,
        connect_id: &str,
        stored: &StoredConfig,
        message: Message,
    ) -> Job {
        let cfg = &stored.body;
        let user = model::text(cfg, "userName");
        let basic =
            (!user.is_empty()).then(|| (user.to_owned(), model::text(cfg, "password").to_owned()));
        let own_oauth = stored
            .delivery
            .per_configuration_oauth
            .then(|| {
                cfg.get("oAuthConfiguration")
                    .and_then(Value::as_object)
                    .cloned()
            })
            .flatten();
        Job {
            record: 0,
            connect_id: connect_id.to_owned(),
            url: model::text(cfg, "urlToPublishTo").to_owned(),
            message,
            entry: entry(env, event, connect_id, cfg),
            settings_account_id: stored.delivery.settings_account_id.clone(),
            own_oauth,
            oauth: model::flag(cfg, "includeOAuth"),
            hmac: model::flag(cfg, "includeHMAC"),
            basic,
            mutual_tls: model::flag(cfg, "requireMutualTls")
                || model::flag(cfg, "signMessageWithX509Certificate"),
            requires_ack: model::flag(cfg, "requiresAcknowledgement"),
            enable_log: model::flag(cfg, "enableLog"),
        }
    }
}

/// Whether the emulator may deliver to `url`: https (http only when allowed), and a loopback
/// host unless any host is allowed.
async fn check_url(shared: &Shared, url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("'{url}' is not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if shared.delivery.allow_http => {}
        "http" => {
            return Err(format!(
                "'{url}' is plain http; the emulator delivers over http only with --allow-http-listeners"
            ));
        }
        other => return Err(format!("'{url}': scheme {other} is not deliverable")),
    }
    if shared.delivery.config.allow_any_host {
        return Ok(parsed);
    }
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            let d = d.to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                true
            } else {
                let port = parsed.port_or_known_default().unwrap_or(443);
                match tokio::net::lookup_host((d.as_str(), port)).await {
                    Ok(addrs) => {
                        let addrs: Vec<_> = addrs.collect();
                        !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
                    }
                    Err(_) => false,
                }
            }
        }
        None => false,
    };
    if loopback {
        Ok(parsed)
    } else {
        Err(format!(
            "'{url}' is not a loopback address; the emulator delivers elsewhere only with --allow-any-host"
        ))
    }
}

/// What an attempt sent, for the journal.
struct Sent {
    authentication: Vec<String>,
}

async fn bearer(shared: &Shared, settings: &OAuthSettings) -> Result<String, String> {
    if let Some(t) = shared.delivery.tokens.get(settings) {
        return Ok(t);
    }
    let clients = shared.delivery.clients()?;
    let (token, ttl) = auth::client_credentials(&clients.plain, settings).await?;
    if let Some(ttl) = ttl {
        shared.delivery.tokens.put(settings, &token, ttl);
    }
    Ok(token)
}

/// The authentication headers of one attempt (settings read now).
async fn headers(
    shared: &Shared,
    job: &Job,
    body: &[u8],
    sent: &mut Sent,
) -> Result<Vec<(String, String)>, String> {
    let (oauth, secrets) = {
        let data = lock(&shared.data);
        let acct = data.account(&job.settings_account_id);
        let oauth = match (&job.own_oauth, acct.and_then(|a| a.oauth.as_ref())) {
            (Some(own), _) => Some(OAuthSettings::from_stored(own)),
            (None, Some(m)) => Some(OAuthSettings::from_stored(m)),
            (None, None) => None,
        };
        let secrets: Vec<String> = acct
            .map(|a| a.hmac_keys.iter().map(|k| k.secret.clone()).collect())
            .unwrap_or_default();
        (oauth, secrets)
    };
    let mut out = Vec::new();
    if job.oauth {
        let Some(settings) = oauth else {
            return Err(format!(
                "includeOAuth is set but OAuth for Connect is not set up on account {}{}",
                job.settings_account_id,
                if job
                    .settings_account_id
                    .eq_ignore_ascii_case(&job.entry.account_id)
                {
                    ""
                } else {
                    " (the integrator account whose settings integratorManaged uses)"
                }
            ));
        };
        let token = bearer(shared, &settings).await?;
        out.push(("Authorization".to_owned(), format!("Bearer {token}")));
        sent.authentication.push("Authorization: Bearer".into());
    } else if let Some((user, password)) = &job.basic {
        out.push(("Authorization".to_owned(), auth::basic(user, password)));
        sent.authentication.push("Authorization: Basic".into());
    }
    if job.hmac {
        if secrets.is_empty() {
            return Err(format!(
                "includeHMAC is set but account {} has no HMAC key",
                job.settings_account_id
            ));
        }
        for (name, value) in auth::hmac_headers(&secrets, body) {
            sent.authentication.push(name.clone());
            out.push((name, value));
        }
        out.push(("X-Authorization-Digest".to_owned(), "HMACSHA256".to_owned()));
    }
    Ok(out)
}

async fn attempt(
    shared: &Shared,
    job: &Job,
    body: &[u8],
    sent: &mut Sent,
) -> Result<u16, (Option<u16>, String)> {
    let url = check_url(shared, &job.url).await.map_err(|e| (None, e))?;
    let headers = headers(shared, job, body, sent)
        .await
        .map_err(|e| (None, e))?;
    let clients = shared.delivery.clients().map_err(|e| (None, e))?;
    let http = if job.mutual_tls {
        &clients.mutual
    } else {
        &clients.plain
    };
    let mut req = http
        .post(url)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body.to_vec());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.map_err(|e| {
        (
            None,
            format!(
                "posting to {} failed: {}",
                job.url,
                crate::delivery::describe(&e)
            ),
        )
    })?;
    let status = resp.status().as_u16();
    if resp.status().is_success() {
        Ok(status)
    } else {
        Err((
            Some(status),
            format!("the listener {} answered HTTP {status}", job.url),
        ))
    }
}

fn backoff(base: Duration, retry: u32) -> Duration {
    let factor = 1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

/// Delivers `job`, retrying as its configuration says; the journal holds the outcome.
pub async fn run(shared: Arc<Shared>, job: Job) {
    let engine = &shared.delivery;
    let mut retry = 0u32;
    loop {
        let body = job.message.body(retry);
        let mut sent = Sent {
            authentication: Vec::new(),
        };
        let result = {
            let _permit = engine.permit().await;
            attempt(&shared, &job, &body, &mut sent).await
        };
        let at = util::rfc3339(util::now_secs());
        let (status, error) = match &result {
            Ok(s) => (Some(*s), None),
            Err((s, e)) => (*s, Some(e.clone())),
        };
        let last = result.is_ok() || !job.requires_ack || retry >= engine.config.max_retries;
        let state = match (&result, last) {
            (Ok(_), _) => "delivered",
            (Err(_), true) => "failed",
            (Err(_), false) => "pending",
        };
        {
            let mut journal = lock(&engine.journal);
            journal.attempt(
                job.record,
                Attempt {
                    retry_count: retry,
                    at,
                    status,
                    error: error.clone(),
                    authentication: sent.authentication,
                    client_certificate: job.mutual_tls,
                },
                state,
            );
            if job.enable_log {
                journal.log(&job.entry, retry, error.as_deref().unwrap_or(""), &body);
            }
            match &error {
                None => journal.clear_failure(&job.entry.account_id, job.record),
                Some(e) => journal.fail(job.record, &job.entry, retry, e),
            }
        }
        if let Some(e) = &error {
            tracing::warn!(
                account = %job.entry.account_id,
                connect_id = %job.connect_id,
                retry_count = retry,
                "Connect delivery failed: {e}"
            );
        }
        if last {
            return;
        }
        tokio::time::sleep(backoff(engine.config.retry_backoff, retry)).await;
        retry += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let b = Duration::from_millis(10);
        assert_eq!(backoff(b, 0), b);
        assert_eq!(backoff(b, 3), Duration::from_millis(80));
        assert_eq!(
            backoff(Duration::from_secs(30), 40),
            Duration::from_secs(3600)
        );
    }
}
