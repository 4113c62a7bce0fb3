//! `docusign_connect_hmac_key`: one of an account's Connect HMAC keys, the secrets DocuSign
//! signs messages with when a configuration sets `include_hmac = true`.
//!
//! DocuSign generates the key (`POST /connect/secret`, no body) and shows it in full only in
//! that answer; `GET /connect/secret` lists the account's keys truncated. So the secret lives in
//! state from the create on (sensitive), a refresh only checks that the key id is still listed,
//! and nothing can be updated: a key is rotated by replacing it (change `keepers`, or
//! `terraform apply -replace`). Delete is `DELETE /connect/secret/{keyId}`.
//!
//! A create first lists the keys (one GET), so that a create whose answer is lost can find the
//! key it made and delete it: without the secret that answer carried, the key is useless.
//!
//! Wire facts this module absorbs (DocuSign's Swagger declares no response shape for
//! `/connect/secret`, and the account-level page documents none either:
//! <https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/createconnectsecret>):
//! * key ids are compared without regard to case;
//! * a delete of a key that is already gone is a success once a list confirms it is gone,
//!   whatever error DocuSign gave for it.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::shared::Shared;
use super::{api_diagnostic, behaviours, import_id};
use crate::client::{Client, Error, HmacSecret};
use crate::framework::provider::{
    Applied, ApplyResult, CreateRequest, Ctx, DeleteRequest, ImportResponse, ReadRequest,
    ReadResponse, Resource, UpdateRequest,
};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::{Diagnostic, Diagnostics, IdentitySchema, Type, Value};

pub const TYPE_NAME: &str = "docusign_connect_hmac_key";

pub fn schema() -> Schema {
    let block = Block::new()
        .description(
            "One of an account's Connect HMAC keys. DocuSign signs the messages of every \
             configuration with `include_hmac = true` with each of the account's keys (headers \
             `X-DocuSign-Signature-1`, `-2`, ...); your listener verifies them with the key's \
             `secret`. Partners create the key on their own account: configurations on client \
             accounts with `integrator_managed = true` are signed with the partner's keys.\n\n\
             DocuSign generates the secret and shows it only once, in the answer to the create, \
             so it is kept in state (sensitive) and cannot be updated: to rotate a key, create \
             the new one, deploy its secret to your listener, then remove the old one, or \
             change `keepers` (or run `terraform apply -replace`) to replace it in one step. \
             DocuSign limits how many keys an account holds; a create beyond the limit fails \
             with DocuSign's error. A create lists the account's keys first (one extra call), \
             so that when its answer is lost (a dropped connection, a timeout) it can find the \
             key DocuSign made and delete it, since the key is useless without its secret, \
             rather than leave it behind.\n\n\
             **Import** by key id (`<keyId>` or `<accountId>:<keyId>`). An imported key has no \
             `secret`: DocuSign never returns it again.",
        )
        .attribute(
            Attribute::new("id", Type::String)
                .computed()
                .use_state_for_unknown()
                .description("The key's id (`keyId`), assigned by DocuSign."),
        )
        .attribute(behaviours::account_id(
            "The account that holds the key; defaults to the provider's account. Changing it \
             replaces the key.",
        ))
        .attribute(
            Attribute::new("keepers", Type::Map(Box::new(Type::String)))
                .optional()
                .requires_replace()
                .description(
                    "Arbitrary values; changing any of them replaces the key, which rotates \
                     it (for example `{ rotation = \"2026-q4\" }`).",
                ),
        )
        .attribute(
            Attribute::new("secret", Type::String)
                .computed()
                .sensitive()
                .use_state_for_unknown()
                .description(
                    "The HMAC secret, as DocuSign showed it at creation. Give it to your \
                     listener to verify the `X-DocuSign-Signature-N` headers (HMAC-SHA256 of \
                     the raw body, Base64). Null after import.",
                ),
        )
        .attribute(
            Attribute::new("created", Type::String)
                .computed()
                .use_state_for_unknown()
                .description("When DocuSign created the key, as DocuSign reports it."),
        );
    Schema::new(0, block)
}

pub struct ConnectHmacKeyResource {
    shared: Arc<Shared>,
}

impl ConnectHmacKeyResource {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

/// The listed key with id `key_id`, if the account still holds it.
async fn find(
    client: &Client,
    account: &str,
    key_id: &str,
) -> crate::client::Result<Option<HmacSecret>> {
    let keys = client.list_hmac_secrets(Some(account)).await?;
    Ok(keys.secrets.into_iter().find(|k| {
        k.key_id
            .as_deref()
            .is_some_and(|id| id.eq_ignore_ascii_case(key_id))
    }))
}

/// The ids of listed keys, as DocuSign spells them.
fn key_ids(keys: &[HmacSecret]) -> Vec<String> {
    keys.iter().filter_map(|k| k.key_id.clone()).collect()
}

/// The diagnostic of a create whose answer was lost (`err`): the key DocuSign may have made
/// cannot be used, since its secret was only in that answer. When exactly one key appeared
/// since `before`, it is that key, and it is deleted; otherwise the diagnostic says what to
/// check. Either way the create failed, and the next apply makes a new key.
async fn after_lost_answer(
    client: &Client,
    account: &str,
    before: &[String],
    err: &Error,
) -> Diagnostics {
    let what = match client.list_hmac_secrets(Some(account)).await {
        Err(e) => format!(
            "Listing the keys to find out failed too ({e}). If DocuSign did create a key, its \
             secret is lost: delete it among the account's Connect keys in DocuSign."
        ),
        Ok(list) => {
            let new: Vec<String> = key_ids(&list.secrets)
                .into_iter()
                .filter(|id| !before.iter().any(|b| b.eq_ignore_ascii_case(id)))
                .collect();
            match new.as_slice() {
                [] => "No new key is listed; should one appear later (a slow create), its \
                       secret is lost: delete it in DocuSign."
                    .to_owned(),
                [id] => match client.delete_hmac_secret(Some(account), id).await {
                    Ok(()) => format!(
                        "DocuSign had created key {id}, but its secret was only in the lost \
                         answer, so the key was deleted."
                    ),
                    Err(e) => format!(
                        "DocuSign had created key {id}, but its secret was only in the lost \
                         answer, and deleting it failed ({e}): delete it in DocuSign."
                    ),
                },
                ids => format!(
                    "Keys {} appeared on the account meanwhile; refusing to guess which one is \
                     this create's. The secret of that one is lost: delete it in DocuSign.",
                    ids.join(", ")
                ),
            }
        }
    };
    let mut d = Diagnostics::new();
    d.error(
        "Failed to generate a Connect HMAC key",
        format!("{err}. {what} Apply again to create a new key."),
    );
    d
}

/// The state of a key: `secret` and `keepers` come from `prior` (DocuSign shows the secret only
/// when it creates the key; keepers are Terraform's own), the rest from DocuSign.
pub(crate) fn state(key: &HmacSecret, prior: &Value, account: &str, secret: Option<&str>) -> Value {
    let keep = |name: &str| {
        prior
            .get_attr(name)
            .filter(|v| v.is_known())
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut out = BTreeMap::new();
    out.insert("id".into(), Value::opt_string(key.key_id.clone()));
    out.insert("account_id".into(), Value::string(account));
    out.insert("keepers".into(), keep("keepers"));
    out.insert(
        "secret".into(),
        secret.map_or_else(|| keep("secret"), Value::string),
    );
    out.insert(
        "created".into(),
        match key.created.as_deref() {
            Some(c) if !c.is_empty() => Value::string(c),
            _ => keep("created"),
        },
    );
    Value::Object(out)
}

/// The warning of a read that no longer finds a key it manages.
fn gone(key_id: &str, account: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.warning(
        "Connect HMAC key no longer exists",
        format!(
            "Account {account} no longer lists HMAC key {key_id}; it was probably deleted \
             outside Terraform. It has been removed from state and the next plan will create a \
             new key (with a new secret)."
        ),
    );
    d
}

/// The key of a create's answer, with its secret, or the error when DocuSign gave no key id.
fn created_key(
    answer: Vec<HmacSecret>,
    account: &str,
) -> Result<(HmacSecret, Option<String>), Diagnostics> {
    match answer.into_iter().next() {
        Some(key) if key.key_id.is_some() => {
            let secret = key.secret.as_ref().map(|s| s.expose().to_owned());
            Ok((key, secret))
        }
        _ => Err(Diagnostic::error(
            "Failed to generate a Connect HMAC key",
            format!(
                "DocuSign answered the create on account {account} without a key id, so the \
                 new key cannot be tracked. Check the account's Connect keys in DocuSign and \
                 remove any key you do not use."
            ),
        )
        .into()),
    }
}

#[async_trait]
impl Resource for ConnectHmacKeyResource {
    fn identity(&self) -> Option<IdentitySchema> {
        Some(super::identity::schema(Some("key_id"), "HMAC key"))
    }

    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        let Some(key_id) = req.current_state.attr_str("id") else {
            return Err(Diagnostics::new());
        };
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.current_state).await?;
        match find(&client, &account, key_id).await {
            Ok(Some(key)) => Ok(ReadResponse {
                new_state: state(&key, &req.current_state, &account, None),
                ..Default::default()
            }),
            Ok(None) => Ok(ReadResponse {
                diagnostics: gone(key_id, &account),
                ..Default::default()
            }),
            Err(e) => Err(api_diagnostic("list Connect HMAC keys", &e).into()),
        }
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.planned_state).await?;
        // The ids before the create: if its answer is lost, the new key is the one id that was
        // not there before, and it is useless without its secret.
        let before = client
            .list_hmac_secrets(Some(&account))
            .await
            .map(|list| key_ids(&list.secrets))
            .map_err(|e| api_diagnostic("list Connect HMAC keys", &e))?;
        let answer = match client.create_hmac_secret(Some(&account)).await {
            Ok(answer) => answer,
            Err(e @ Error::Ambiguous { .. }) => {
                return Err(after_lost_answer(&client, &account, &before, &e).await);
            }
            Err(e) => return Err(api_diagnostic("generate a Connect HMAC key", &e).into()),
        };
        let (key, secret) = created_key(answer.secrets, &account)?;
        let state = state(&key, &req.planned_state, &account, secret.as_deref());
        Ok(Applied::state(state))
    }

    /// Every argument forces replacement, so an update only ever changes nothing.
    async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        Ok(Applied::state(req.planned_state))
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest) -> Result<(), Diagnostics> {
        let Some(key_id) = req.prior_state.attr_str("id") else {
            return Ok(());
        };
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.prior_state).await?;
        let Err(e) = client.delete_hmac_secret(Some(&account), key_id).await else {
            return Ok(());
        };
        match find(&client, &account, key_id).await {
            // Already gone: DocuSign's error for a missing key is not documented.
            Ok(None) => Ok(()),
            _ => Err(api_diagnostic(&format!("delete Connect HMAC key {key_id}"), &e).into()),
        }
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> ImportResponse {
        import_id::import(&self.shared, ctx, id, "keyId", &schema()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Secret;
    use crate::resources::null_object;

    fn key(id: &str, secret: Option<&str>, created: Option<&str>) -> HmacSecret {
        HmacSecret {
            key_id: Some(id.into()),
            secret: secret.map(Secret::new),
            created: created.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn schema_is_valid_and_the_secret_is_sensitive() {
        let s = schema();
        assert_eq!(s.validate(), Ok(()));
        let secret = s.block.attributes.iter().find(|a| a.name == "secret");
        assert!(secret.is_some_and(|a| a.sensitive && a.computed && !a.optional));
    }

    #[test]
    fn a_refresh_keeps_the_secret_from_state_and_never_the_truncated_one() {
        let mut prior = null_object(&schema());
        prior.set_attr("secret", Value::string("full-secret"));
        prior.set_attr(
            "keepers",
            Value::Map(BTreeMap::from([("r".into(), Value::string("1"))])),
        );
        let listed = key("K1", Some("full…"), Some("2026-12-01T00:00:00Z"));
        let st = state(&listed, &prior, "acct", None);
        assert_eq!(st.attr_str("secret"), Some("full-secret"));
        assert_eq!(st.attr_str("id"), Some("K1"));
        assert_eq!(st.attr_str("account_id"), Some("acct"));
        assert_eq!(st.get_attr("keepers"), prior.get_attr("keepers"));
        // At creation the answer's secret is the one stored.
        let st = state(&listed, &null_object(&schema()), "acct", Some("new"));
        assert_eq!(st.attr_str("secret"), Some("new"));
    }
}
