//! `docusign_connect_configuration`: one DocuSign Connect configuration.
//!
//! * [`table`]: the attribute table (schema, API mapping and docs in one place);
//! * [`schema`]: the schema, including the attributes that are not plain fields;
//! * [`validate`]: plan-time checks on attribute paths;
//! * [`mapping`]: values <-> the client's typed model;
//! * `private`: the last object DocuSign returned, kept in private state.
//!
//! Behaviour: create is one POST whose response becomes state; update is one PUT of the
//! complete object (the last object DocuSign returned, kept in private state, overlaid with the
//! plan); refresh is served by the client's per-account list cache (one `GET /connect` per
//! account per process); a configuration gone from DocuSign is removed from state with a
//! warning.

pub mod mapping;
mod private;
pub mod schema;
pub mod table;
pub mod validate;

use std::sync::Arc;

use async_trait::async_trait;

use super::shared::Shared;
use super::{api_diagnostic, import_id};
use crate::client::{Client, ConnectConfiguration};
use crate::framework::provider::{
    Applied, ApplyResult, CreateRequest, Ctx, DeleteRequest, ImportResponse, ReadRequest,
    ReadResponse, Resource, UpdateRequest,
};
use crate::framework::{Diagnostic, Diagnostics, IdentitySchema, Schema, Value};

pub const TYPE_NAME: &str = "docusign_connect_configuration";

/// The resource.
pub struct ConnectConfigurationResource {
    shared: Arc<Shared>,
}

impl ConnectConfigurationResource {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// The object an update starts from: the last one DocuSign returned, from private state,
    /// or else read again.
    async fn base(
        &self,
        client: &Client,
        account: &str,
        id: &str,
        req: &UpdateRequest,
    ) -> Result<ConnectConfiguration, Diagnostics> {
        if let Some(b) = private::decode(&req.planned_private, &req.prior_state)
            && b.connect_id.as_deref() == Some(id)
        {
            return Ok(b);
        }
        match client.cached_configuration(Some(account), id).await {
            Ok(Some(b)) => Ok(b),
            Ok(None) => Err(Diagnostic::error(
                "Connect configuration disappeared",
                format!(
                    "Connect configuration {id} no longer exists in account {account}. Run \
                     terraform plan again to recreate it."
                ),
            )
            .into()),
            Err(e) => Err(api_diagnostic("read Connect configuration", &e).into()),
        }
    }
}

/// The `id` of a state, or an error naming which state lacks it.
fn id_of(state: &Value, which: &str) -> Result<String, Diagnostics> {
    state.attr_str("id").map(str::to_string).ok_or_else(|| {
        Diagnostic::error(
            "Missing id",
            format!("The {which} of this Connect configuration has no id."),
        )
        .into()
    })
}

/// The state and private bytes of an object DocuSign returned.
fn saved(m: &ConnectConfiguration, prior: &Value, account: &str) -> Applied {
    let state = mapping::state_from_model(m, prior, account);
    Applied {
        private: private::encode(m, &state),
        state,
        diagnostics: Diagnostics::new(),
    }
}

#[async_trait]
impl Resource for ConnectConfigurationResource {
    fn identity(&self) -> Option<IdentitySchema> {
        Some(super::identity::schema(
            Some("connect_id"),
            "Connect configuration",
        ))
    }

    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        validate::validate(config)
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        let state = &req.current_state;
        let client = self.shared.client(ctx)?;
        let id = id_of(state, "state")?;
        let account = self.shared.account_of(ctx, state).await?;
        match client.cached_configuration(Some(&account), &id).await {
            Ok(Some(found)) => {
                let a = saved(&found, state, &account);
                Ok(ReadResponse {
                    new_state: a.state,
                    private: a.private,
                    diagnostics: a.diagnostics,
                })
            }
            Ok(None) => Ok(gone(&account, &id)),
            Err(e) if e.is_not_found() => Ok(gone(&account, &id)),
            Err(e) => Err(api_diagnostic("read Connect configuration", &e).into()),
        }
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.planned_state).await?;
        let body = mapping::create_body(&req.planned_state, &req.config);
        let created = client
            .create_configuration_safely(Some(&account), &body)
            .await
            .map_err(|e| api_diagnostic("create Connect configuration", &e))?;
        Ok(saved(&created, &req.planned_state, &account))
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.planned_state).await?;
        let id = id_of(&req.prior_state, "prior state")?;
        let base = self.base(&client, &account, &id, &req).await?;
        let body =
            mapping::update_body(base, &req.prior_state, &req.planned_state, &req.config, &id);
        let updated = client
            .update_configuration(Some(&account), &body)
            .await
            .map_err(|e| api_diagnostic("update Connect configuration", &e))?;
        Ok(saved(&updated, &req.planned_state, &account))
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest) -> Result<(), Diagnostics> {
        let Some(id) = req.prior_state.attr_str("id") else {
            return Ok(());
        };
        let client = self.shared.client(ctx)?;
        let account = self.shared.account_of(ctx, &req.prior_state).await?;
        match client.delete_configuration(Some(&account), id).await {
            Err(e) if !e.is_not_found() => {
                Err(api_diagnostic("delete Connect configuration", &e).into())
            }
            _ => Ok(()),
        }
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> ImportResponse {
        import_id::import(&self.shared, ctx, id, "connectId", &schema::schema()).await
    }
}

fn gone(account: &str, id: &str) -> ReadResponse {
    let mut diagnostics = Diagnostics::new();
    diagnostics.warning(
        "Connect configuration no longer exists",
        format!(
            "Connect configuration {id} was not found in DocuSign account {account}; it was \
             probably deleted outside Terraform. It has been removed from state, and the next \
             plan will create it again. To stop managing it instead, remove it from the \
             configuration."
        ),
    );
    ReadResponse {
        new_state: Value::Null,
        private: Vec::new(),
        diagnostics,
    }
}
