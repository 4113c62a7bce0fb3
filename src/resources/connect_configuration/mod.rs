//! `docusign_connect_configuration`: one DocuSign Connect configuration.
//!
//! * [`table`]: the attribute table (schema, API mapping and docs in one place);
//! * [`schema`]: the schema, including the attributes that are not plain fields;
//! * [`validate`]: plan-time checks on attribute paths;
//! * [`mapping`]: values <-> the client's typed model.
//!
//! Behaviour: create is one POST whose response becomes state; update is one PUT of the
//! complete object (the last object DocuSign returned, kept in private state, overlaid with the
//! plan); refresh is served by the client's per-account list cache (one `GET /connect` per
//! account per process); a configuration gone from DocuSign is removed from state with a
//! warning.

pub mod mapping;
pub mod schema;
pub mod table;
pub mod validate;

use std::sync::Arc;

use async_trait::async_trait;

use super::shared::Shared;
use super::{api_diagnostic, identity, import_id, private};
use crate::framework::plan;
use crate::framework::provider::{
    ApplyAction, ApplyRequest, ApplyResponse, Ctx, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
};
use crate::framework::{AttributePath, Diagnostics, IdentitySchema, Schema, Value};
use table::FIELDS;

pub const TYPE_NAME: &str = "docusign_connect_configuration";

/// The resource.
pub struct ConnectConfigurationResource {
    shared: Arc<Shared>,
}

impl ConnectConfigurationResource {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

#[async_trait]
impl Resource for ConnectConfigurationResource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        validate::validate(config)
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> ReadResponse {
        let state = &req.current_state;
        let mut diagnostics = Diagnostics::new();
        let client = match self.shared.client(ctx) {
            Ok(c) => c,
            Err(d) => return keep(req, d),
        };
        let Some(id) = state.attr_str("id").map(str::to_string) else {
            diagnostics.error(
                "Missing id",
                "The state of this Connect configuration has no id.",
            );
            return keep(req, diagnostics);
        };
        let account = match self
            .shared
            .account_for(ctx, state.attr_str("account_id"))
            .await
        {
            Ok(a) => a,
            Err(d) => return keep(req, d),
        };
        match client.cached_configuration(Some(&account), &id).await {
            Ok(Some(found)) => {
                let new_state = mapping::state_from_model(&found, state, &account);
                ReadResponse {
                    private: private::encode(&found, &new_state),
                    new_state,
                    diagnostics,
                }
            }
            Ok(None) => gone(&account, &id),
            Err(e) if e.is_not_found() => gone(&account, &id),
            Err(e) => keep(req, api_diagnostic("read Connect configuration", &e).into()),
        }
    }

    async fn plan(&self, _ctx: &Ctx, req: PlanRequest) -> PlanResponse {
        let config = &req.config;
        let mut planned = req.proposed_new_state.clone();
        if config
            .get_attr("configuration_type")
            .is_some_and(Value::is_null)
        {
            planned.set_attr(
                "configuration_type",
                Value::string(schema::DEFAULT_CONFIGURATION_TYPE),
            );
        }
        if req.is_create() {
            planned.set_attr("id", Value::Unknown);
            planned.set_attr("disabled_by", Value::Unknown);
            if config.get_attr("account_id").is_some_and(Value::is_null) {
                let default = self
                    .shared
                    .configured_account()
                    .map_or(Value::Unknown, Value::string);
                planned.set_attr("account_id", default);
            }
            // DocuSign decides what the user leaves unset.
            for f in FIELDS {
                if f.presence == super::fields::Presence::OptionalComputed
                    && config.get_attr(f.name).is_some_and(Value::is_null)
                {
                    planned.set_attr(f.name, Value::Unknown);
                }
            }
        }
        // On update every computed value keeps its prior value: the PUT carries the complete
        // object, so nothing the user does not set can change.
        let replace_paths: Vec<AttributePath> = schema::FORCE_NEW
            .iter()
            .map(|n| AttributePath::root().attr(*n))
            .collect();
        let requires_replace = plan::requires_replace(&req.prior_state, &planned, &replace_paths);
        PlanResponse {
            planned_state: planned,
            requires_replace,
            planned_private: req.prior_private,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn apply(&self, ctx: &Ctx, req: ApplyRequest) -> ApplyResponse {
        let client = match self.shared.client(ctx) {
            Ok(c) => c,
            Err(d) => return failed(d),
        };
        let state_for_account = match req.action() {
            ApplyAction::Delete => &req.prior_state,
            _ => &req.planned_state,
        };
        let account = match self
            .shared
            .account_for(ctx, state_for_account.attr_str("account_id"))
            .await
        {
            Ok(a) => a,
            Err(d) => return failed(d),
        };
        match req.action() {
            ApplyAction::Create => {
                let body = mapping::create_body(&req.planned_state, &req.config);
                match client
                    .create_configuration_safely(Some(&account), &body)
                    .await
                {
                    Ok(created) => {
                        let new_state =
                            mapping::state_from_model(&created, &req.planned_state, &account);
                        ApplyResponse {
                            private: private::encode(&created, &new_state),
                            new_state,
                            diagnostics: Diagnostics::new(),
                        }
                    }
                    Err(e) => failed(api_diagnostic("create Connect configuration", &e).into()),
                }
            }
            ApplyAction::Update => {
                let Some(id) = req.prior_state.attr_str("id").map(str::to_string) else {
                    return failed(Diagnostics::from(crate::framework::Diagnostic::error(
                        "Missing id",
                        "The prior state of this Connect configuration has no id.",
                    )));
                };
                let base = match private::decode(&req.planned_private, &req.prior_state) {
                    Some(b) if b.connect_id.as_deref() == Some(id.as_str()) => b,
                    _ => match client.cached_configuration(Some(&account), &id).await {
                        Ok(Some(b)) => b,
                        Ok(None) => {
                            return failed(Diagnostics::from(crate::framework::Diagnostic::error(
                                "Connect configuration disappeared",
                                format!(
                                    "Connect configuration {id} no longer exists in account \
                                     {account}. Run terraform plan again to recreate it."
                                ),
                            )));
                        }
                        Err(e) => {
                            return failed(api_diagnostic("read Connect configuration", &e).into());
                        }
                    },
                };
                let body = mapping::update_body(
                    base,
                    &req.prior_state,
                    &req.planned_state,
                    &req.config,
                    &id,
                );
                match client.update_configuration(Some(&account), &body).await {
                    Ok(updated) => {
                        let new_state =
                            mapping::state_from_model(&updated, &req.planned_state, &account);
                        ApplyResponse {
                            private: private::encode(&updated, &new_state),
                            new_state,
                            diagnostics: Diagnostics::new(),
                        }
                    }
                    Err(e) => ApplyResponse {
                        new_state: req.prior_state.clone(),
                        private: req.planned_private.clone(),
                        diagnostics: api_diagnostic("update Connect configuration", &e).into(),
                    },
                }
            }
            ApplyAction::Delete => {
                let Some(id) = req.prior_state.attr_str("id") else {
                    return ApplyResponse::default();
                };
                match client.delete_configuration(Some(&account), id).await {
                    Ok(()) => ApplyResponse::default(),
                    Err(e) if e.is_not_found() => ApplyResponse::default(),
                    Err(e) => ApplyResponse {
                        new_state: req.prior_state.clone(),
                        private: req.planned_private.clone(),
                        diagnostics: api_diagnostic("delete Connect configuration", &e).into(),
                    },
                }
            }
        }
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> ImportResponse {
        import_id::import(&self.shared, ctx, id, "connectId", &schema::schema()).await
    }

    fn identity(&self) -> Option<IdentitySchema> {
        Some(identity::schema(
            Some("connect_id"),
            "Connect configuration",
        ))
    }

    async fn import_identity(&self, ctx: &Ctx, id: &Value) -> ImportResponse {
        identity::import(&self.shared, ctx, id, Some("connect_id"), &schema::schema()).await
    }
}

fn keep(req: ReadRequest, diagnostics: Diagnostics) -> ReadResponse {
    ReadResponse {
        new_state: req.current_state,
        private: req.private,
        diagnostics,
    }
}

fn failed(diagnostics: Diagnostics) -> ApplyResponse {
    ApplyResponse {
        new_state: Value::Null,
        private: Vec::new(),
        diagnostics,
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
