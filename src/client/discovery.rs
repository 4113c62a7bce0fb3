//! Account discovery: which account to call, and at which REST base URI.
//!
//! `GET {oauth}/oauth/userinfo` lists the accounts the user can reach; the client picks the
//! one named by `account_id`, or the default one, and calls `base_uri + "/restapi"`. A
//! configured `base_uri` skips discovery (userinfo is still needed if no account id is known).
//! Discovery is lazy: done once per client, when the first API call needs it.

use super::error::{Error, Result};
use super::model::{AccountInfo, UserInfo};

/// Where to send an account's calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub account_id: String,
    /// The REST base, ending in `/restapi`.
    pub rest_base: String,
}

/// The REST base for an account `base_uri` (accepts one that already ends in `/restapi`).
pub fn rest_base(base_uri: &str) -> String {
    let trimmed = base_uri.trim().trim_end_matches('/');
    if trimmed.ends_with("/restapi") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/restapi")
    }
}

/// Normalizes an OAuth base URI: adds `https://` when there is no scheme, drops a trailing `/`.
pub fn normalize_oauth_base(uri: &str) -> String {
    let t = uri.trim().trim_end_matches('/');
    if t.contains("://") {
        t.to_owned()
    } else {
        format!("https://{t}")
    }
}

/// Picks the account named `wanted`, or the default account, from userinfo.
pub fn choose(info: &UserInfo, wanted: Option<&str>) -> Result<Target> {
    let account: &AccountInfo = match wanted {
        Some(id) => info
            .accounts
            .iter()
            .find(|a| a.account_id.eq_ignore_ascii_case(id.trim()))
            .ok_or_else(|| Error::AccountNotFound {
                account_id: id.to_owned(),
                user_id: info.sub.clone(),
                reachable: reachable(info),
            })?,
        None => info
            .accounts
            .iter()
            .find(|a| a.is_default == Some(true))
            .or_else(|| info.accounts.first())
            .ok_or_else(|| Error::AccountNotFound {
                account_id: "(default)".to_owned(),
                user_id: info.sub.clone(),
                reachable: Vec::new(),
            })?,
    };
    let base = account
        .base_uri
        .as_deref()
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| {
            Error::config(format!(
                "userinfo gives no base_uri for account {}; set base_uri explicitly",
                account.account_id
            ))
        })?;
    Ok(Target {
        account_id: account.account_id.clone(),
        rest_base: rest_base(base),
    })
}

/// `id (name)` of each reachable account, the default one marked.
pub fn reachable(info: &UserInfo) -> Vec<String> {
    info.accounts
        .iter()
        .map(|a| {
            let mut s = a.account_id.clone();
            if let Some(n) = a.account_name.as_deref().filter(|n| !n.is_empty()) {
                s.push_str(&format!(" ({n})"));
            }
            if a.is_default == Some(true) {
                s.push_str(" [default]");
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> UserInfo {
        serde_json::from_str(
            r#"{"sub":"u","accounts":[
              {"account_id":"A1","is_default":false,"account_name":"First","base_uri":"https://eu.docusign.net"},
              {"account_id":"A2","is_default":true,"account_name":"Main","base_uri":"https://demo.docusign.net/"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn picks_default_or_named_account() {
        let d = choose(&info(), None).unwrap();
        assert_eq!(d.account_id, "A2");
        assert_eq!(d.rest_base, "https://demo.docusign.net/restapi");
        let n = choose(&info(), Some("A1")).unwrap();
        assert_eq!(n.rest_base, "https://eu.docusign.net/restapi");
    }

    #[test]
    fn unknown_account_lists_reachable_ones() {
        let e = choose(&info(), Some("nope")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "account nope is not reachable as user u, who is not a member of it; reachable \
             accounts: A1 (First), A2 (Main) [default]"
        );
    }

    #[test]
    fn base_normalization() {
        assert_eq!(rest_base("https://x.net"), "https://x.net/restapi");
        assert_eq!(rest_base("https://x.net/restapi/"), "https://x.net/restapi");
        assert_eq!(
            normalize_oauth_base("account-d.docusign.com"),
            "https://account-d.docusign.com"
        );
        assert_eq!(
            normalize_oauth_base("http://127.0.0.1:9/"),
            "http://127.0.0.1:9"
        );
    }
}
