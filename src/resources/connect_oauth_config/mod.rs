//! `docusign_connect_oauth_config`: an account's OAuth for Connect settings (one per account).
//!
//! A partner sets these once on its own account; configurations it creates on client accounts
//! with `integrator_managed = true` and `include_oauth = true` then use them. Create is
//! `POST /connect/oauth`, update `PUT`, delete `DELETE`. DocuSign never returns the client
//! secret, so drift is never computed on it: a new secret is sent when `client_secret` changes
//! or when `client_secret_wo_version` changes.
//!
//! Wire facts this module absorbs:
//! * `GET /connect/oauth` on an account without settings answers 200 with an empty object, so
//!   "no `authorizationServerUrl` and no `clientId`" means "not configured" ([`is_configured`]).
//! * `PUT /connect/oauth` merges: an omitted (or `null`) field keeps its stored value. An update
//!   therefore sends an empty value (`""`, `{}`) for every optional field the configuration no
//!   longer sets, or a removed `scope` would come back on every refresh (a perpetual diff). Empty
//!   values read back as null.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::fields::{self, Field};
use super::shared::Shared;
use super::{api_diagnostic, identity, null_object};
use crate::client::{ConnectOAuthConfig, Secret};
use crate::framework::plan;
use crate::framework::provider::{
    ApplyAction, ApplyRequest, ApplyResponse, Ctx, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::{AttributePath, Diagnostics, IdentitySchema, Type, Value};
use crate::wire_field;

pub const TYPE_NAME: &str = "docusign_connect_oauth_config";

type O = ConnectOAuthConfig;

/// The plain attributes.
pub static FIELDS: &[Field<O>] = &[
    wire_field!(O, "authorization_server_url", "authorizationServerUrl", authorization_server_url, String, Required,
        "The token URL of your authorization server; DocuSign obtains tokens there with the client credentials grant."),
    wire_field!(O, "client_id", "clientId", client_id, String, Required,
        "The OAuth client id DocuSign uses at your authorization server."),
    wire_field!(O, "client_secret", "clientSecret", client_secret, String, Optional,
        "The OAuth client secret. DocuSign never returns it, so drift cannot be detected; prefer `client_secret_wo`.")
        .secret(),
    wire_field!(O, "scope", "scope", scope, String, Optional,
        "The scope DocuSign requests, e.g. `api://<client id>/.default` for Microsoft Entra ID."),
    wire_field!(O, "custom_parameters", "customParameters", custom_parameters, StringMap, Optional,
        "Extra parameters DocuSign sends in the token request."),
];

pub fn schema() -> Schema {
    let mut block = Block::new()
        .description(
            "An account's *OAuth for Connect* settings: DocuSign obtains a token from your \
             authorization server with the client credentials grant and sends it with Connect \
             messages. There is one per account. Partners set it on their own account (the one \
             that holds the integration key); configurations created on client accounts with \
             `integrator_managed = true` and `include_oauth = true` use it.\n\n\
             **Import** by account id. DocuSign never returns the client secret, so import \
             never reads, replaces or rotates it: the account id comes from the import id (no \
             replacement), the secret stays as DocuSign holds it, and `client_secret` and \
             `client_secret_wo_version` are empty in the imported state. With a configuration \
             that sets neither, the plan after import is empty. With `client_secret` (or \
             `client_secret_wo_version`) set, the first plan after import shows a single \
             in-place update of that argument (its value hidden): Terraform cannot know \
             whether it matches what DocuSign holds, so applying it sends the configured \
             secret once; later plans are empty again. Drift is never detected on the secret.",
        )
        .attribute(Attribute::new("id", Type::String).computed().description("The account id."))
        .attribute(Attribute::new("account_id", Type::String).optional().computed().description(
            "The account that holds the settings; defaults to the provider's account. Changing \
             it replaces the settings.",
        ));
    for f in FIELDS {
        block = block.attribute(f.attribute());
    }
    block = block
        .attribute(
            Attribute::new("client_secret_wo", Type::String)
                .optional()
                .sensitive()
                .write_only()
                .description(
                    "Write-only client secret: sent to DocuSign, never stored in state or plan. \
                     Requires Terraform 1.11 or later. Change `client_secret_wo_version` to send a \
                     new value. Conflicts with `client_secret`.",
                ),
        )
        .attribute(
            Attribute::new("client_secret_wo_version", Type::Number)
                .optional()
                .description(
                    "Any number; change it to make Terraform send `client_secret_wo` again.",
                ),
        );
    Schema::new(0, block)
}

pub struct ConnectOAuthConfigResource {
    shared: Arc<Shared>,
}

impl ConnectOAuthConfigResource {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

/// Whether a `GET /connect/oauth` answer describes existing settings (DocuSign answers an empty
/// object when the account has none).
pub fn is_configured(m: &O) -> bool {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    set(&m.authorization_server_url) || set(&m.client_id)
}

fn body(planned: &Value, config: &Value, clear_unset: bool) -> O {
    let mut m = O::default();
    fields::write_model(FIELDS, planned, &mut m);
    if let Some(s) = config.attr_str("client_secret_wo") {
        m.client_secret = Some(Secret::new(s));
    }
    if clear_unset {
        if planned.get_attr("scope").is_none_or(Value::is_null) {
            m.scope = Some(String::new());
        }
        if planned
            .get_attr("custom_parameters")
            .is_none_or(Value::is_null)
        {
            m.custom_parameters = Some(BTreeMap::new());
        }
    }
    m
}

/// Whether the write must carry the secret: on create always; on update only when
/// `client_secret` or `client_secret_wo_version` changed (an unchanged secret is not resent,
/// and DocuSign keeps the stored one because PUT merges).
fn secret_changed(prior: &Value, planned: &Value) -> bool {
    ["client_secret", "client_secret_wo_version"]
        .iter()
        .any(|a| prior.get_attr(a) != planned.get_attr(a))
}

pub(crate) fn state(m: &O, prior: &Value, account: &str) -> Value {
    let mut out = BTreeMap::new();
    out.insert("id".into(), Value::string(account));
    out.insert("account_id".into(), Value::string(account));
    fields::read_model(FIELDS, m, prior, &mut out);
    out.insert("client_secret_wo".into(), Value::Null);
    out.insert(
        "client_secret_wo_version".into(),
        prior
            .get_attr("client_secret_wo_version")
            .filter(|v| v.is_known())
            .cloned()
            .unwrap_or(Value::Null),
    );
    Value::Object(out)
}

/// The account the credentials belong to: the user's default account in `/oauth/userinfo`
/// (DocuSign uses the OAuth for Connect settings of the token's home account for
/// integrator-managed configurations). `None` when it cannot be told; the check is advisory.
async fn home_account(client: &crate::client::Client) -> Option<String> {
    match client.userinfo().await {
        Ok(info) => info
            .accounts
            .iter()
            .find(|a| a.is_default == Some(true))
            .map(|a| a.account_id.clone()),
        Err(e) => {
            tracing::debug!(error = %e, "cannot tell the credentials' home account");
            None
        }
    }
}

/// The diagnostics of a read that found no settings: a warning for managed settings deleted
/// outside Terraform; nothing right after import (Terraform then reports that there is nothing
/// to import; an imported state has no `authorization_server_url` yet).
fn gone(current: &Value, account: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    if current.attr_str("authorization_server_url").is_some() {
        d.warning(
            "OAuth for Connect settings no longer exist",
            format!(
                "Account {account} has no OAuth for Connect settings any more; they were \
                 probably deleted outside Terraform. They have been removed from state and the \
                 next plan will create them again."
            ),
        );
    }
    d
}

#[async_trait]
impl Resource for ConnectOAuthConfigResource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(u) = config.attr_str("authorization_server_url")
            && !u.to_ascii_lowercase().starts_with("https://")
        {
            d.error_at(
                AttributePath::root().attr("authorization_server_url"),
                "Authorization server URL must be https",
                format!("DocuSign only calls https:// token URLs; got {u:?}."),
            );
        }
        let secret = config.get_attr("client_secret").unwrap_or(&Value::Null);
        let secret_wo = config.get_attr("client_secret_wo").unwrap_or(&Value::Null);
        if !secret.is_null() && !secret_wo.is_null() {
            d.error_at(
                AttributePath::root().attr("client_secret_wo"),
                "Conflicting client secrets",
                "Set either client_secret or client_secret_wo, not both.",
            );
        }
        d
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> ReadResponse {
        let keep = |d: Diagnostics| ReadResponse {
            new_state: req.current_state.clone(),
            private: req.private.clone(),
            diagnostics: d,
        };
        let client = match self.shared.client(ctx) {
            Ok(c) => c,
            Err(d) => return keep(d),
        };
        let account = match self.shared.account_of(ctx, &req.current_state).await {
            Ok(a) => a,
            Err(d) => return keep(d),
        };
        match client.get_oauth_config(Some(&account)).await {
            Ok(m) if is_configured(&m) => ReadResponse {
                new_state: state(&m, &req.current_state, &account),
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            },
            Ok(_) => ReadResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: gone(&req.current_state, &account),
            },
            Err(e) if e.is_not_found() => ReadResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: gone(&req.current_state, &account),
            },
            Err(e) => keep(api_diagnostic("read OAuth for Connect settings", &e).into()),
        }
    }

    async fn plan(&self, ctx: &Ctx, req: PlanRequest) -> PlanResponse {
        let mut planned = req.proposed_new_state.clone();
        let mut diagnostics = Diagnostics::new();
        if req.is_create() {
            let account = match req.config.attr_str("account_id") {
                Some(a) => Some(a.to_string()),
                None if req
                    .config
                    .get_attr("account_id")
                    .is_some_and(Value::is_unknown) =>
                {
                    None
                }
                None => self.shared.configured_account(),
            };
            let v = account.map_or(Value::Unknown, Value::string);
            planned.set_attr("id", v.clone());
            planned.set_attr("account_id", v);
        }
        if let (Some(target), Ok(client)) =
            (planned.attr_str("account_id"), self.shared.client(ctx))
            && let Some(home) = home_account(&client).await
            && home != target
        {
            diagnostics.warning_at(
                        AttributePath::root().attr("account_id"),
                        "OAuth for Connect on an account other than the credentials' own",
                        format!(
                            "These settings go to account {target}, but the provider's credentials \
                             belong to account {home}. DocuSign uses the OAuth for Connect settings \
                             of the account that owns the credentials (the one holding the \
                             integration key) for integrator-managed configurations, so settings \
                             on {target} only serve configurations that are not integrator-managed."
                        ),
                    );
        }
        let replace = [AttributePath::root().attr("account_id")];
        PlanResponse {
            requires_replace: plan::requires_replace(&req.prior_state, &planned, &replace),
            planned_state: planned,
            planned_private: req.prior_private,
            diagnostics,
        }
    }

    async fn apply(&self, ctx: &Ctx, req: ApplyRequest) -> ApplyResponse {
        let client = match self.shared.client(ctx) {
            Ok(c) => c,
            Err(d) => {
                return ApplyResponse {
                    diagnostics: d,
                    ..Default::default()
                };
            }
        };
        let basis = if req.action() == ApplyAction::Delete {
            &req.prior_state
        } else {
            &req.planned_state
        };
        let account = match self.shared.account_of(ctx, basis).await {
            Ok(a) => a,
            Err(d) => {
                return ApplyResponse {
                    diagnostics: d,
                    ..Default::default()
                };
            }
        };
        let keep_prior = |d: Diagnostics| ApplyResponse {
            new_state: req.prior_state.clone(),
            private: Vec::new(),
            diagnostics: d,
        };
        match req.action() {
            ApplyAction::Create => {
                match client
                    .create_oauth_config(
                        Some(&account),
                        &body(&req.planned_state, &req.config, false),
                    )
                    .await
                {
                    Ok(m) => ApplyResponse {
                        new_state: state(&m, &req.planned_state, &account),
                        ..Default::default()
                    },
                    Err(e) => ApplyResponse {
                        diagnostics: api_diagnostic("create OAuth for Connect settings", &e).into(),
                        ..Default::default()
                    },
                }
            }
            ApplyAction::Update => {
                let mut m = body(&req.planned_state, &req.config, true);
                if !secret_changed(&req.prior_state, &req.planned_state) {
                    m.client_secret = None;
                }
                match client.update_oauth_config(Some(&account), &m).await {
                    Ok(m) => ApplyResponse {
                        new_state: state(&m, &req.planned_state, &account),
                        ..Default::default()
                    },
                    Err(e) => {
                        keep_prior(api_diagnostic("update OAuth for Connect settings", &e).into())
                    }
                }
            }
            ApplyAction::Delete => match client.delete_oauth_config(Some(&account)).await {
                Ok(()) => ApplyResponse::default(),
                Err(e) if e.is_not_found() => ApplyResponse::default(),
                Err(e) => {
                    keep_prior(api_diagnostic("delete OAuth for Connect settings", &e).into())
                }
            },
        }
    }

    fn identity(&self) -> Option<IdentitySchema> {
        Some(identity::schema(None, "OAuth for Connect settings"))
    }

    async fn import_identity(&self, ctx: &Ctx, id: &Value) -> ImportResponse {
        identity::import(&self.shared, ctx, id, None, &schema()).await
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> ImportResponse {
        let id = id.trim();
        if id.is_empty() || id.contains(':') {
            let mut d = Diagnostics::new();
            d.error(
                "Invalid import id",
                format!("Expected an account id; got {id:?}."),
            );
            return ImportResponse {
                diagnostics: d,
                ..Default::default()
            };
        }
        let mut st = null_object(&schema());
        st.set_attr("id", Value::string(id));
        st.set_attr("account_id", Value::string(id));
        ImportResponse {
            state: st,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut o = null_object(&schema());
        for (k, v) in pairs {
            o.set_attr(*k, v.clone());
        }
        o
    }

    #[test]
    fn schema_is_valid() {
        assert_eq!(schema().validate(), Ok(()));
    }

    #[test]
    fn an_empty_answer_is_not_configured() {
        assert!(!is_configured(&O::default()));
        let blank = O {
            client_id: Some("  ".into()),
            ..O::default()
        };
        assert!(!is_configured(&blank));
        let set = O {
            client_id: Some("cid".into()),
            ..O::default()
        };
        assert!(is_configured(&set));
    }

    #[test]
    fn updates_clear_unset_optional_fields_and_creates_do_not() {
        let planned = obj(&[
            ("authorization_server_url", Value::string("https://a/t")),
            ("client_id", Value::string("cid")),
        ]);
        let json = |m: &O| serde_json::to_value(m).unwrap();
        let update = json(&body(&planned, &Value::Null, true));
        assert_eq!(update["scope"], serde_json::json!(""));
        assert_eq!(update["customParameters"], serde_json::json!({}));
        let create = json(&body(&planned, &Value::Null, false));
        assert!(create.get("scope").is_none(), "{create}");
        assert!(create.get("customParameters").is_none(), "{create}");
        let with_scope = obj(&[("scope", Value::string("s"))]);
        let update = json(&body(&with_scope, &Value::Null, true));
        assert_eq!(update["scope"], serde_json::json!("s"));
    }

    #[test]
    fn the_secret_is_resent_only_when_it_or_its_version_changes() {
        let a = obj(&[("client_secret", Value::string("x"))]);
        let b = obj(&[("client_secret", Value::string("y"))]);
        assert!(!secret_changed(&a, &a));
        assert!(secret_changed(&a, &b));
        let v1 = obj(&[("client_secret_wo_version", Value::from(1_i64))]);
        let v2 = obj(&[("client_secret_wo_version", Value::from(2_i64))]);
        assert!(secret_changed(&v1, &v2));
        // After import both are null in the prior state.
        assert!(secret_changed(&obj(&[]), &a));
    }

    #[test]
    fn the_write_only_secret_comes_from_config() {
        let config = obj(&[("client_secret_wo", Value::string("wo"))]);
        let m = body(&obj(&[]), &config, false);
        assert_eq!(m.client_secret.as_ref().map(|s| s.expose()), Some("wo"));
    }
}
