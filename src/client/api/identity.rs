//! Who the credentials act as (`/oauth/userinfo`), and discovery: which account and REST base
//! a call goes to.

use reqwest::Method;

use super::{Client, decode};
use crate::client::discovery::{self, Target};
use crate::client::error::Result;
use crate::client::model::{AccountInfo, UserInfo};
use crate::client::transport::Request;

impl Client {
    /// `GET /oauth/userinfo` of the default account's user, fetched once per user.
    pub async fn userinfo(&self) -> Result<UserInfo> {
        self.userinfo_in(None).await
    }

    /// `GET /oauth/userinfo` as the user a call on `account` impersonates (`None`: the default
    /// account), fetched once per user: the accounts that user is a member of.
    pub async fn userinfo_in(&self, account: Option<&str>) -> Result<UserInfo> {
        let inner = &self.inner;
        let account = account.or(inner.account_id.as_deref());
        let user = inner.auth.user_for(account)?.unwrap_or_default();
        let cell = {
            let mut map = match inner.userinfo.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            map.entry(user.to_ascii_lowercase()).or_default().clone()
        };
        cell.get_or_try_init(|| async {
            let op = "DocuSign account discovery (GET /oauth/userinfo)";
            let req = Request::new(
                op,
                Method::GET,
                format!("{}/oauth/userinfo", inner.oauth_base),
            );
            let resp = inner
                .auth
                .send(&inner.http, &req, account, None, &self.cancel)
                .await?;
            decode::<UserInfo>(op, &resp)
        })
        .await
        .cloned()
    }

    /// The accounts the default account's user can reach.
    pub async fn accounts(&self) -> Result<Vec<AccountInfo>> {
        Ok(self.userinfo().await?.accounts)
    }

    /// The account and REST base a call for `account` goes to (`None` = the default account).
    pub async fn target(&self, account: Option<&str>) -> Result<Target> {
        let inner = &self.inner;
        let explicit = account.map(str::trim).filter(|a| !a.is_empty());
        match explicit {
            Some(a) if Some(a) != inner.account_id.as_deref() => self.resolve(Some(a)).await,
            _ => inner
                .default_target
                .get_or_try_init(|| self.resolve(inner.account_id.as_deref()))
                .await
                .cloned(),
        }
    }

    async fn resolve(&self, account: Option<&str>) -> Result<Target> {
        match (&self.inner.base_uri, account) {
            (Some(rest), Some(a)) => Ok(Target {
                account_id: a.to_owned(),
                rest_base: rest.clone(),
            }),
            (Some(rest), None) => {
                let t = discovery::choose(&self.userinfo_in(None).await?, None)?;
                Ok(Target {
                    account_id: t.account_id,
                    rest_base: rest.clone(),
                })
            }
            (None, wanted) => discovery::choose(&self.userinfo_in(wanted).await?, wanted),
        }
    }
}
