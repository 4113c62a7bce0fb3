//! OAuth for Connect: `/connect/oauth`, the settings DocuSign uses to authenticate to
//! listeners.

use reqwest::Method;

use super::{Client, decode, to_json, url};
use crate::client::error::Result;
use crate::client::model::ConnectOAuthConfig;
use crate::client::transport::Request;

impl Client {
    /// `GET /connect/oauth`.
    pub async fn get_oauth_config(&self, account: Option<&str>) -> Result<ConnectOAuthConfig> {
        let t = self.target(account).await?;
        let op = format!(
            "read the OAuth for Connect configuration of account {}",
            t.account_id
        );
        let resp = self
            .call(
                &t,
                Request::new(op.clone(), Method::GET, url(&t, &["connect", "oauth"])?),
            )
            .await?;
        decode(&op, &resp)
    }

    /// `POST /connect/oauth`.
    pub async fn create_oauth_config(
        &self,
        account: Option<&str>,
        config: &ConnectOAuthConfig,
    ) -> Result<ConnectOAuthConfig> {
        self.write_oauth(account, Method::POST, "create", config)
            .await
    }

    /// `PUT /connect/oauth`.
    pub async fn update_oauth_config(
        &self,
        account: Option<&str>,
        config: &ConnectOAuthConfig,
    ) -> Result<ConnectOAuthConfig> {
        self.write_oauth(account, Method::PUT, "update", config)
            .await
    }

    async fn write_oauth(
        &self,
        account: Option<&str>,
        method: Method,
        verb: &str,
        config: &ConnectOAuthConfig,
    ) -> Result<ConnectOAuthConfig> {
        let t = self.target(account).await?;
        let op = format!(
            "{verb} the OAuth for Connect configuration of account {}",
            t.account_id
        );
        let req = Request::new(op.clone(), method, url(&t, &["connect", "oauth"])?)
            .json_body(to_json(&op, config)?);
        let resp = self.call(&t, req).await?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(config.clone());
        }
        decode(&op, &resp)
    }

    /// `DELETE /connect/oauth`.
    pub async fn delete_oauth_config(&self, account: Option<&str>) -> Result<()> {
        let t = self.target(account).await?;
        let op = format!(
            "delete the OAuth for Connect configuration of account {}",
            t.account_id
        );
        self.call(
            &t,
            Request::new(op, Method::DELETE, url(&t, &["connect", "oauth"])?),
        )
        .await
        .map(|_| ())
    }
}
