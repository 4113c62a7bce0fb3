//! Connect configurations: `/connect` and `/connect/{connectId}`, the cached list, and the
//! create that never makes a duplicate.

use std::sync::Arc;

use reqwest::Method;
use tokio_util::sync::CancellationToken;

use super::{Client, decode, to_json, url};
use crate::client::discovery::Target;
use crate::client::error::{Error, Result};
use crate::client::model::{ConnectConfigResults, ConnectConfiguration};
use crate::client::transport::{Request, Response};
use crate::client::{matching, retry};

impl Client {
    /// `GET /connect`: every custom Connect configuration of the account.
    pub async fn list_configurations(
        &self,
        account: Option<&str>,
    ) -> Result<Vec<ConnectConfiguration>> {
        let t = self.target(account).await?;
        let op = format!("list Connect configurations of account {}", t.account_id);
        let resp = self
            .call(
                &t,
                Request::new(op.clone(), Method::GET, url(&t, &["connect"])?),
            )
            .await?;
        Ok(decode::<ConnectConfigResults>(&op, &resp)?.configurations)
    }

    /// `GET /connect/{connectId}`; [`Error::NotFound`] when absent.
    pub async fn get_configuration(
        &self,
        account: Option<&str>,
        connect_id: &str,
    ) -> Result<ConnectConfiguration> {
        let t = self.target(account).await?;
        let op = format!("read Connect configuration {connect_id}");
        let resp = self
            .call(
                &t,
                Request::new(op.clone(), Method::GET, url(&t, &["connect", connect_id])?),
            )
            .await;
        let resp = self.not_found_if_absent(&t, connect_id, resp).await?;
        let results = decode::<ConnectConfigResults>(&op, &resp)?;
        let mut configs = results.configurations;
        let pos = configs
            .iter()
            .position(|c| c.connect_id.as_deref() == Some(connect_id))
            .or(if configs.len() == 1 { Some(0) } else { None });
        match pos {
            Some(i) => Ok(configs.swap_remove(i)),
            None => Err(Error::NotFound {
                operation: op,
                status: resp.status,
                error_code: None,
                message: "DocuSign returned no configuration with this id".into(),
            }),
        }
    }

    /// The whole list of the account, served from the per-process cache (one `GET /connect`
    /// shared by all readers until the next write through this client).
    pub async fn cached_configurations(
        &self,
        account: Option<&str>,
    ) -> Result<Arc<Vec<ConnectConfiguration>>> {
        let t = self.target(account).await?;
        let cache = self.cache(&t.account_id);
        cache
            .get_or_fetch(|| self.list_configurations(Some(&t.account_id)))
            .await
    }

    /// One configuration from the cached list; `None` when the account has no such id.
    pub async fn cached_configuration(
        &self,
        account: Option<&str>,
        connect_id: &str,
    ) -> Result<Option<ConnectConfiguration>> {
        let list = self.cached_configurations(account).await?;
        Ok(list
            .iter()
            .find(|c| c.connect_id.as_deref() == Some(connect_id))
            .cloned())
    }

    /// `POST /connect`, once: returns DocuSign's answer (with the new `connectId`). An unknown
    /// outcome is [`Error::Ambiguous`]; see [`Client::create_configuration_safely`].
    pub async fn create_configuration(
        &self,
        account: Option<&str>,
        config: &ConnectConfiguration,
    ) -> Result<ConnectConfiguration> {
        let t = self.target(account).await?;
        let op = format!(
            "create Connect configuration {:?}",
            config.name.as_deref().unwrap_or("")
        );
        let mut body = config.clone();
        body.connect_id = None;
        let req = Request::new(op.clone(), Method::POST, url(&t, &["connect"])?)
            .json_body(to_json(&op, &body)?);
        let result = self.call(&t, req).await;
        self.cache(&t.account_id).invalidate();
        decode(&op, &result?)
    }

    /// Create without duplicates: `POST /connect`; after an ambiguous outcome, look for a
    /// configuration matching the whole body: adopt one match, retry the POST if there is none,
    /// stop with [`Error::DuplicateMatch`] if several match.
    ///
    /// An answer that cannot be decoded (malformed, truncated or too large) means DocuSign
    /// answered, so the create probably happened but its id is unknown: the same lookup runs,
    /// and without a match the decode error is returned (never a blind second POST).
    ///
    /// Before each lookup the client waits the retry backoff, so that a request that timed out
    /// on our side but is still being processed has a chance to show up in the list.
    ///
    /// Terraform's `Stop` does not cut that wait or the lookup short (they decide whether an
    /// object exists that the state must record), but it prevents a second POST: without a match
    /// the create ends with [`Error::Cancelled`].
    pub async fn create_configuration_safely(
        &self,
        account: Option<&str>,
        config: &ConnectConfiguration,
    ) -> Result<ConnectConfiguration> {
        let t = self.target(account).await?;
        let started = tokio::time::Instant::now();
        let mut ambiguous = 0u32;
        let policy = *self.inner.http.policy();
        // The lookup after an unknown outcome runs to its end even after Stop.
        let recovery = self.with_cancel(CancellationToken::new());
        loop {
            let (error, committed) =
                match self.create_configuration(Some(&t.account_id), config).await {
                    Err(e @ Error::Ambiguous { .. }) => (e, false),
                    Err(e @ Error::Decode { .. }) => (e, true),
                    other => return other,
                };
            ambiguous += 1;
            tracing::warn!(error = %error, "create outcome unknown; looking for a matching configuration");
            tokio::time::sleep(policy.delay(ambiguous - 1, None, retry::jitter())).await;
            let list = recovery.list_configurations(Some(&t.account_id)).await?;
            let found = matching::find_matching(config, &list);
            let operation = match &error {
                Error::Ambiguous { operation, .. } | Error::Decode { operation, .. } => {
                    operation.clone()
                }
                _ => String::new(),
            };
            match found.as_slice() {
                [one] => {
                    tracing::info!(
                        connect_id = one.connect_id.as_deref().unwrap_or(""),
                        "adopting the configuration the ambiguous create made"
                    );
                    return Ok((*one).clone());
                }
                [] if committed => {
                    let Error::Decode { operation, message } = error else {
                        return Err(error);
                    };
                    return Err(Error::Decode {
                        operation,
                        message: format!(
                            "{message}; DocuSign answered the create, but no configuration \
                             matching the request was found afterwards, so it was not sent \
                             again: check the account for an untracked configuration before \
                             applying again"
                        ),
                    });
                }
                [] if self.cancel.is_cancelled() => {
                    tracing::info!(operation = %operation, "no matching configuration; not sending the create again after Stop");
                    let why = match &error {
                        Error::Ambiguous { message, .. } => message.clone(),
                        other => other.to_string(),
                    };
                    return Err(Error::Cancelled {
                        operation,
                        waiting: format!(
                            "looking for the configuration a create of unknown outcome ({why}) \
                             may have made: none matches the request"
                        ),
                        attempts: ambiguous,
                    });
                }
                [] if ambiguous <= policy.max_retries => {}
                [] => {
                    return Err(Error::RetriesExhausted {
                        operation,
                        attempts: ambiguous,
                        elapsed: started.elapsed(),
                        retried_on: format!(
                            "unknown outcome x{ambiguous}, no matching configuration found after each"
                        ),
                        last: Box::new(error),
                    });
                }
                many => {
                    let mut ids: Vec<String> =
                        many.iter().filter_map(|c| c.connect_id.clone()).collect();
                    ids.sort();
                    return Err(Error::DuplicateMatch {
                        operation,
                        connect_ids: ids,
                    });
                }
            }
        }
    }

    /// `PUT /connect` with the complete object, `connectId` in the body; returns the answer.
    pub async fn update_configuration(
        &self,
        account: Option<&str>,
        config: &ConnectConfiguration,
    ) -> Result<ConnectConfiguration> {
        let id = config
            .connect_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::config("update_configuration: the body has no connectId"))?;
        let t = self.target(account).await?;
        let op = format!("update Connect configuration {id}");
        let req = Request::new(op.clone(), Method::PUT, url(&t, &["connect"])?)
            .json_body(to_json(&op, config)?);
        let result = self.call(&t, req).await;
        self.cache(&t.account_id).invalidate();
        decode(&op, &result?)
    }

    /// `DELETE /connect/{connectId}`; [`Error::NotFound`] when already gone.
    pub async fn delete_configuration(
        &self,
        account: Option<&str>,
        connect_id: &str,
    ) -> Result<()> {
        let t = self.target(account).await?;
        let op = format!("delete Connect configuration {connect_id}");
        let result = self
            .call(
                &t,
                Request::new(op, Method::DELETE, url(&t, &["connect", connect_id])?),
            )
            .await;
        self.cache(&t.account_id).invalidate();
        self.not_found_if_absent(&t, connect_id, result)
            .await
            .map(|_| ())
    }

    /// DocuSign documents only HTTP 400 for an unknown `connectId`: on a 400, confirm with the
    /// list and answer [`Error::NotFound`] if the id is indeed absent.
    async fn not_found_if_absent(
        &self,
        t: &Target,
        connect_id: &str,
        result: Result<Response>,
    ) -> Result<Response> {
        match result {
            Err(Error::Api {
                operation,
                status: 400,
                error_code,
                message,
            }) => {
                let list = self.list_configurations(Some(&t.account_id)).await?;
                if list
                    .iter()
                    .any(|c| c.connect_id.as_deref() == Some(connect_id))
                {
                    Err(Error::Api {
                        operation,
                        status: 400,
                        error_code,
                        message,
                    })
                } else {
                    Err(Error::NotFound {
                        operation,
                        status: 400,
                        error_code,
                        message: format!(
                            "{message} (the account's list has no configuration {connect_id})"
                        ),
                    })
                }
            }
            other => other,
        }
    }
}
