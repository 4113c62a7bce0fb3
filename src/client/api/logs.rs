//! Connect logs and failures: `/connect/logs` and `/connect/failures` (read-only here).

use reqwest::Method;

use super::{Client, decode, url_parsed};
use crate::client::error::Result;
use crate::client::model::ConnectLogs;
use crate::client::transport::Request;

/// Optional filters of the log and failure lists (UTC date-time strings).
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub from_date: Option<String>,
    pub to_date: Option<String>,
}

impl Client {
    /// `GET /connect/logs`.
    pub async fn list_logs(&self, account: Option<&str>, query: &LogQuery) -> Result<ConnectLogs> {
        self.get_logs(account, "logs", query).await
    }

    /// `GET /connect/failures`.
    pub async fn list_failures(
        &self,
        account: Option<&str>,
        query: &LogQuery,
    ) -> Result<ConnectLogs> {
        self.get_logs(account, "failures", query).await
    }

    async fn get_logs(
        &self,
        account: Option<&str>,
        kind: &str,
        query: &LogQuery,
    ) -> Result<ConnectLogs> {
        let t = self.target(account).await?;
        let op = format!("list Connect {kind} of account {}", t.account_id);
        let mut u = url_parsed(&t, &["connect", kind])?;
        if let Some(f) = &query.from_date {
            u.query_pairs_mut().append_pair("from_date", f);
        }
        if let Some(to) = &query.to_date {
            u.query_pairs_mut().append_pair("to_date", to);
        }
        let resp = self
            .call(&t, Request::new(op.clone(), Method::GET, u.to_string()))
            .await?;
        decode(&op, &resp)
    }
}
