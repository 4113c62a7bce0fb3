//! Connect HMAC secrets: `/connect/secret`.

use reqwest::Method;

use super::{Client, decode, url};
use crate::client::error::{Error, Result};
use crate::client::model::HmacSecrets;
use crate::client::transport::{Request, Response, describe_json_error};

impl Client {
    /// `POST /connect/secret`: generates a new HMAC secret (shown in full only in this answer).
    pub async fn create_hmac_secret(&self, account: Option<&str>) -> Result<HmacSecrets> {
        let t = self.target(account).await?;
        let op = format!(
            "generate a Connect HMAC secret for account {}",
            t.account_id
        );
        let resp = self
            .call(
                &t,
                Request::new(op.clone(), Method::POST, url(&t, &["connect", "secret"])?),
            )
            .await?;
        decode_secrets(&op, &resp)
    }

    /// `GET /connect/secret`: the account's HMAC secrets (truncated by DocuSign).
    pub async fn list_hmac_secrets(&self, account: Option<&str>) -> Result<HmacSecrets> {
        let t = self.target(account).await?;
        let op = format!("list the Connect HMAC secrets of account {}", t.account_id);
        let resp = self
            .call(
                &t,
                Request::new(op.clone(), Method::GET, url(&t, &["connect", "secret"])?),
            )
            .await?;
        decode_secrets(&op, &resp)
    }

    /// `DELETE /connect/secret/{keyId}`.
    pub async fn delete_hmac_secret(&self, account: Option<&str>, key_id: &str) -> Result<()> {
        let t = self.target(account).await?;
        let op = format!("delete Connect HMAC secret {key_id}");
        self.call(
            &t,
            Request::new(op, Method::DELETE, url(&t, &["connect", "secret", key_id])?),
        )
        .await
        .map(|_| ())
    }
}

fn decode_secrets(op: &str, resp: &Response) -> Result<HmacSecrets> {
    // Undocumented shape: `{"secrets":[...]}`, a bare array, or one secret object.
    let value: serde_json::Value = decode(op, resp)?;
    let shaped = match value {
        serde_json::Value::Array(items) => serde_json::json!({ "secrets": items }),
        serde_json::Value::Object(ref m) if !m.contains_key("secrets") => {
            serde_json::json!({ "secrets": [value] })
        }
        other => other,
    };
    serde_json::from_value(shaped).map_err(|e| Error::Decode {
        operation: op.to_owned(),
        message: describe_json_error(&e),
    })
}
