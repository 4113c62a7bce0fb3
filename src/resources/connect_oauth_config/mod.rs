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

use super::behaviours::{self, WriteOnlySecret};
use super::fields::{self, Field};
use super::shared::Shared;
use super::{api_diagnostic, null_object};
use crate::client::ConnectOAuthConfig;
use crate::framework::provider::{
    Applied, ApplyResult, CreateRequest, Ctx, DeleteRequest, ImportResponse, PlanRequest,
    PlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest,
};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::{AttributePath, Diagnostics, IdentitySchema, Severity, Type, Value};
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

/// `client_secret_wo` and `client_secret_wo_version`, the write-only form of `client_secret`.
pub static CLIENT_SECRET: WriteOnlySecret<O> = WriteOnlySecret {
    name: "client_secret",
    noun: "client secret",
    purpose: "",
    set: |m, s| m.client_secret = Some(s),
};

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
        .attribute(
            Attribute::new("id", Type::String)
                .computed()
                .use_state_for_unknown()
                .description("The account id."),
        )
        .attribute(behaviours::account_id(
            "The account that holds the settings; defaults to the provider's account. Changing \
             it replaces the settings.",
        ));
    for f in FIELDS {
        block = block.attribute(f.attribute());
    }
    for a in CLIENT_SECRET.attributes() {
        block = block.attribute(a);
    }
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
    CLIENT_SECRET.write(config, &mut m);
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

pub(crate) fn state(m: &O, prior: &Value, account: &str) -> Value {
    let mut out = BTreeMap::new();
    out.insert("id".into(), Value::string(account));
    out.insert("account_id".into(), Value::string(account));
    fields::read_model(FIELDS, m, prior, &mut out);
    CLIENT_SECRET.state_into(prior, &mut out);
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
    fn identity(&self) -> Option<IdentitySchema> {
        Some(super::identity::schema(None, "OAuth for Connect settings"))
    }

    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(u) = config.attr_str("authorization_server_url") {
            behaviours::require_https(
                u,
                "authorization_server_url",
                "Authorization server URL is not https",
                "calls",
                Severity::Warning,
                &mut d,
            );
        }
        CLIENT_SECRET.validate(config, &mut d);
        d
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.current_state).await?;
        let gone = || ReadResponse {
            diagnostics: gone(&req.current_state, &account),
            ..Default::default()
        };
        match client.get_oauth_config(Some(&account)).await {
            Ok(m) if is_configured(&m) => Ok(ReadResponse {
                new_state: state(&m, &req.current_state, &account),
                ..Default::default()
            }),
            Ok(_) => Ok(gone()),
            Err(e) if e.is_not_found() => Ok(gone()),
            Err(e) => Err(api_diagnostic("read OAuth for Connect settings", &e).into()),
        }
    }

    /// The id is the account; and a warning when the settings go to an account other than the
    /// credentials' own.
    async fn modify_plan(&self, ctx: &Ctx, req: &PlanRequest, plan: &mut PlanResponse) {
        let planned = &mut plan.planned_state;
        if req.is_create() {
            let account = planned.get_attr("account_id").cloned().unwrap_or_default();
            planned.set_attr("id", account);
        }
        if let (Some(target), Ok(client)) =
            (planned.attr_str("account_id"), self.shared.client(ctx))
            && let Some(home) = home_account(&client).await
            && home != target
        {
            plan.diagnostics.warning_at(
                AttributePath::root().attr("account_id"),
                "OAuth for Connect on an account other than the credentials' own",
                format!(
                    "These settings go to account {target}, but the provider's credentials \
                     belong to account {home}. DocuSign uses the OAuth for Connect settings of \
                     the account that owns the credentials (the one holding the integration \
                     key) for integrator-managed configurations, so settings on {target} only \
                     serve configurations that are not integrator-managed."
                ),
            );
        }
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.planned_state).await?;
        let m = body(&req.planned_state, &req.config, false);
        let created = client
            .create_oauth_config(Some(&account), &m)
            .await
            .map_err(|e| api_diagnostic("create OAuth for Connect settings", &e))?;
        Ok(Applied::state(state(
            &created,
            &req.planned_state,
            &account,
        )))
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.planned_state).await?;
        let mut m = body(&req.planned_state, &req.config, true);
        // An unchanged secret is not resent: DocuSign keeps the stored one, as PUT merges.
        if !CLIENT_SECRET.changed(&req.prior_state, &req.planned_state) {
            m.client_secret = None;
        }
        let updated = client
            .update_oauth_config(Some(&account), &m)
            .await
            .map_err(|e| api_diagnostic("update OAuth for Connect settings", &e))?;
        Ok(Applied::state(state(
            &updated,
            &req.planned_state,
            &account,
        )))
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest) -> Result<(), Diagnostics> {
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.prior_state).await?;
        match client.delete_oauth_config(Some(&account)).await {
            Err(e) if !e.is_not_found() => {
                Err(api_diagnostic("delete OAuth for Connect settings", &e).into())
            }
            _ => Ok(()),
        }
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
    fn every_rows_wire_name_is_the_models_serialised_key() {
        crate::resources::fields::assert_wire_names(FIELDS);
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
    fn the_write_only_secret_comes_from_config() {
        let config = obj(&[("client_secret_wo", Value::string("wo"))]);
        let m = body(&obj(&[]), &config, false);
        assert_eq!(m.client_secret.as_ref().map(|s| s.expose()), Some("wo"));
    }
}
