//! The traits the DocuSign provider implements: [`Provider`], [`Resource`], [`DataSource`].
//!
//! The host (`host::rpc`) owns the protocol: it decodes every DynamicValue with the schema's
//! implied type before calling these traits and encodes the answers, so implementations only
//! see [`Value`]s. It also enforces generic rules for every resource, so implementations need
//! not: unknown type names are errors; a destroy plan (proposed state null) is answered with a
//! null planned state without calling [`Resource::plan`]; write-only attributes are nulled in
//! planned and new state; private bytes are passed through unchanged unless the implementation
//! sets new ones.
//!
//! Lifecycle, as Terraform drives it:
//! * [`Resource::read`] returns `new_state: Value::Null` when the remote object is gone.
//! * [`Resource::plan`] gets a non-null `proposed_new_state`; `prior_state` is null on create.
//!   The default implementation marks computed attributes unknown when the object changes
//!   (see [`plan`](super::plan)).
//! * [`Resource::apply`] creates (prior null), updates, or deletes (planned null; return null).
//! * [`Resource::import`] returns a (possibly partial) state; Terraform then calls `read`.
//! * [`Resource::upgrade_state`] is called on every run with the stored JSON and its version.
//!
//! `Provider::resources()` and `Provider::data_sources()` are called once, when the host service
//! is built; resources that need the configured API client should share it with the provider
//! (for example through an `Arc<OnceLock<..>>` filled by `configure`).

use super::diag::Diagnostics;
use super::path::AttributePath;
use super::schema::Schema;
use super::value::Value;
use async_trait::async_trait;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What the Terraform client declared it supports (tfplugin5 `ClientCapabilities`).
/// Terraform 1.0.3 sends none, so both are false there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// Terraform ≥ 1.11: write-only attributes may be used in config.
    pub write_only_attributes_allowed: bool,
    /// Terraform ≥ 1.9: the provider may defer actions.
    pub deferral_allowed: bool,
}

/// Per-call context.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// Cancelled when Terraform calls `Stop`; long operations should watch it.
    pub cancel: CancellationToken,
    /// Capabilities from the current request (or from `Configure` if the request has none).
    pub client_capabilities: ClientCapabilities,
    /// The Terraform version from `Configure`, once known.
    pub terraform_version: Option<String>,
}

impl Ctx {
    /// True once Terraform asked the provider to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// The provider: its configuration block and its resources and data sources.
#[async_trait]
pub trait Provider: Send + Sync {
    /// The `provider "docusign" {}` block schema.
    fn schema(&self) -> Schema;
    /// All managed resource types (called once).
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    /// All data source types (called once).
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
    /// All list resource types (called once; Terraform 1.14+ `terraform query`). Default: none.
    fn list_resources(&self) -> Vec<Arc<dyn super::list::ListResource>> {
        Vec::new()
    }
    /// Static checks of the provider config (may contain unknowns).
    async fn validate_config(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Configures the provider with a wholly known config (or unknowns Terraform could not
    /// resolve yet). Called once per process before any read, plan, apply or import.
    async fn configure(&self, ctx: &Ctx, config: &Value) -> Diagnostics;
}

/// `ReadResource` input.
#[derive(Debug, Clone, Default)]
pub struct ReadRequest {
    /// Current state (never null).
    pub current_state: Value,
    /// Private bytes from state.
    pub private: Vec<u8>,
}

/// `ReadResource` output.
#[derive(Debug, Clone, Default)]
pub struct ReadResponse {
    /// Refreshed state; `Value::Null` = the object is gone (Terraform drops it from state).
    pub new_state: Value,
    /// Private bytes to store (echo the request's bytes to keep them).
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// `PlanResourceChange` input (never a destroy; the host answers those itself).
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    /// Prior state; null on create.
    pub prior_state: Value,
    /// Terraform's proposal: config merged with prior computed values.
    pub proposed_new_state: Value,
    /// Config (may contain unknowns).
    pub config: Value,
    /// Private bytes from state (or the previous plan on replace).
    pub prior_private: Vec<u8>,
}

impl PlanRequest {
    /// True on create (prior state null).
    pub fn is_create(&self) -> bool {
        self.prior_state.is_null()
    }
}

/// `PlanResourceChange` output.
#[derive(Debug, Clone, Default)]
pub struct PlanResponse {
    /// The planned state (unknown for values decided at apply).
    pub planned_state: Value,
    /// Attribute paths whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Private bytes handed to apply.
    pub planned_private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// What an `ApplyResourceChange` call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyAction {
    /// Prior state null.
    Create,
    /// Both non-null.
    Update,
    /// Planned state null.
    Delete,
}

/// `ApplyResourceChange` input.
#[derive(Debug, Clone, Default)]
pub struct ApplyRequest {
    /// Prior state; null on create.
    pub prior_state: Value,
    /// Final planned state; null on delete.
    pub planned_state: Value,
    /// Config (wholly known; null on delete).
    pub config: Value,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
}

impl ApplyRequest {
    /// Create, update or delete, from the null-ness of prior and planned state.
    pub fn action(&self) -> ApplyAction {
        if self.planned_state.is_null() {
            ApplyAction::Delete
        } else if self.prior_state.is_null() {
            ApplyAction::Create
        } else {
            ApplyAction::Update
        }
    }
}

/// `ApplyResourceChange` output.
#[derive(Debug, Clone, Default)]
pub struct ApplyResponse {
    /// New state, wholly known; null after delete.
    pub new_state: Value,
    /// Private bytes to store.
    pub private: Vec<u8>,
    /// Problems. With errors and a non-null state on create, Terraform saves it as tainted.
    pub diagnostics: Diagnostics,
}

/// `ImportResourceState` output.
#[derive(Debug, Clone, Default)]
pub struct ImportResponse {
    /// The imported state (may be partial; Terraform calls read next).
    pub state: Value,
    /// Private bytes passed to the following read.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// `UpgradeResourceState` output.
#[derive(Debug, Clone, Default)]
pub struct UpgradeResponse {
    /// The state in the current schema, wholly known.
    pub state: Value,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// `ReadDataSource` output.
#[derive(Debug, Clone, Default)]
pub struct ReadDataResponse {
    /// The data source's full object, wholly known.
    pub state: Value,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    /// Full type name, e.g. `docusign_connect_configuration`.
    fn type_name(&self) -> &str;
    /// Schema; `version` is the state schema version.
    fn schema(&self) -> Schema;
    /// Static checks of the config (may contain unknowns).
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Refreshes state from the remote object.
    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> ReadResponse;
    /// Plans a create or update. Default: [`super::plan::mark_computed_unknown_if_changed`],
    /// private bytes passed through, no replacement.
    async fn plan(&self, _ctx: &Ctx, req: PlanRequest) -> PlanResponse {
        let planned_state = super::plan::mark_computed_unknown_if_changed(
            &self.schema(),
            &req.prior_state,
            &req.proposed_new_state,
            &req.config,
        );
        PlanResponse {
            planned_state,
            planned_private: req.prior_private,
            ..Default::default()
        }
    }
    /// Creates, updates or deletes (see [`ApplyRequest::action`]).
    async fn apply(&self, ctx: &Ctx, req: ApplyRequest) -> ApplyResponse;
    /// Imports by ID.
    async fn import(&self, ctx: &Ctx, id: &str) -> ImportResponse;
    /// The identity schema (Terraform 1.12+). Default: none. The identity is derived from
    /// state (see [`super::identity`]).
    fn identity(&self) -> Option<super::identity::IdentitySchema> {
        None
    }
    /// Imports by identity (`import { identity = { … } }`, Terraform 1.12+); `identity` is an
    /// object of the identity schema, attributes optional for import may be null. Default: not
    /// supported.
    async fn import_identity(&self, _ctx: &Ctx, _identity: &Value) -> ImportResponse {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error(
            "Import by identity not supported",
            format!("{} cannot be imported by identity.", self.type_name()),
        );
        ImportResponse {
            diagnostics,
            ..Default::default()
        }
    }
    /// Converts stored JSON state of schema `version` to the current schema. Default: lenient
    /// JSON decode with the current schema (unknown keys dropped, missing ones null).
    async fn upgrade_state(&self, _ctx: &Ctx, _version: i64, raw_json: &[u8]) -> UpgradeResponse {
        match super::json::decode_lenient(raw_json, &self.schema().implied_type()) {
            Ok(state) => UpgradeResponse {
                state,
                diagnostics: Diagnostics::new(),
            },
            Err(e) => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error(
                    "Invalid stored state",
                    format!(
                        "The stored state of this {} could not be read: {e}",
                        self.type_name()
                    ),
                );
                UpgradeResponse {
                    state: Value::Null,
                    diagnostics,
                }
            }
        }
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync {
    /// Full type name, e.g. `docusign_connect_configurations`.
    fn type_name(&self) -> &str;
    /// Schema.
    fn schema(&self) -> Schema;
    /// Static checks of the config (may contain unknowns).
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Reads the data; `config` is wholly known.
    async fn read(&self, ctx: &Ctx, config: &Value) -> ReadDataResponse;
}
