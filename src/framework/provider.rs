//! The traits the DocuSign provider implements: [`Provider`], [`Resource`], [`DataSource`].
//!
//! The server ([`super::server`]) owns Terraform's rules: it decodes every value with the
//! schema's implied type before calling these traits and encodes the answers, so
//! implementations only see [`Value`]s. For every resource it answers a destroy plan itself,
//! plans computed attributes and the behaviours declared on the schema (defaults,
//! use-state-for-unknown, requires-replace), nulls write-only attributes, and applies one
//! failure rule: a failed create leaves nothing, a failed update or delete keeps the prior state.
//!
//! Lifecycle, as Terraform drives it:
//! * [`Resource::read`] returns `new_state: Value::Null` when the remote object is gone; an
//!   `Err` keeps the current state.
//! * [`Resource::modify_plan`] may adjust the plan the server made (create or update only).
//! * [`Resource::create`], [`Resource::update`], [`Resource::delete`]: the server dispatches.
//! * [`Resource::import`] returns a (possibly partial) state; Terraform then calls `read`.
//! * Stored state of the current schema version is decoded by the server, on every run;
//!   [`Resource::upgrade_state`] is called only for state of an older version.
//!
//! `Provider::resources()` and `Provider::data_sources()` are called once, when the server is
//! built; resources that need the configured API client share it with the provider (for
//! example through an `Arc<OnceLock<..>>` filled by `configure`).
//!
//! Terraform 1.12+ and 1.14+ abilities are declared, not coded: a resource names its identity
//! attributes ([`Resource::identity`]; the server derives, checks, imports by and upgrades
//! identities), and a provider lists its [`ListResource`]s ([`Provider::list_resources`]; the
//! server runs the stream). Both are defaulted, so a resource without them does not change.

use super::diag::Diagnostics;
use super::identity::IdentitySchema;
use super::list::ListResource;
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
    /// All list resource types (called once; `terraform query`, Terraform 1.14+). Each lists a
    /// managed resource type of the same name, which must declare an identity. Default: none.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }
    /// Static checks of the provider config (may contain unknowns).
    async fn validate_config(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Configures the provider with a wholly known config (or unknowns Terraform could not
    /// resolve yet). Called once per process before any read, plan, apply or import.
    async fn configure(&self, ctx: &Ctx, config: &Value) -> Diagnostics;
    /// The provider's value for resource attributes declared
    /// [`default_from_provider`](super::schema::Attribute::default_from_provider) under this
    /// name, when the provider knows it (after `configure`).
    fn default_value(&self, _attribute: &str) -> Option<Value> {
        None
    }
    /// The provider's value for `attribute` when it is needed now, even if finding it takes a
    /// call (an import by identity that leaves out an attribute optional for import). Default:
    /// [`Self::default_value`].
    async fn resolve_default(
        &self,
        _ctx: &Ctx,
        attribute: &str,
    ) -> Result<Option<Value>, Diagnostics> {
        Ok(self.default_value(attribute))
    }
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
    /// Private bytes to store (empty: keep the request's).
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// `PlanResourceChange` input (never a destroy; the server answers those itself).
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

/// A create's input.
#[derive(Debug, Clone, Default)]
pub struct CreateRequest {
    /// The final planned state.
    pub planned_state: Value,
    /// Config (wholly known), where write-only values are.
    pub config: Value,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
}

/// An update's input.
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    /// The prior state.
    pub prior_state: Value,
    /// The final planned state.
    pub planned_state: Value,
    /// Config (wholly known), where write-only values are.
    pub config: Value,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
}

/// A delete's input.
#[derive(Debug, Clone, Default)]
pub struct DeleteRequest {
    /// The state of the object to delete.
    pub prior_state: Value,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
}

/// A successful create or update.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// New state, wholly known.
    pub state: Value,
    /// Private bytes to store (empty: keep the plan's).
    pub private: Vec<u8>,
    /// Warnings (an error here counts as a failure).
    pub diagnostics: Diagnostics,
}

impl Applied {
    /// A new state with no private bytes of its own and no warnings.
    pub fn state(state: Value) -> Self {
        Self {
            state,
            ..Default::default()
        }
    }
}

/// What a create or update returns; `Err` follows the failure rule (see the module docs).
pub type ApplyResult = Result<Applied, Diagnostics>;

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
    /// Schema; `version` is the state schema version. Plan behaviours are declared on its
    /// attributes.
    fn schema(&self) -> Schema;
    /// Static checks of the config (may contain unknowns).
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Refreshes state from the remote object; `Err` keeps the current state and private bytes.
    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> Result<ReadResponse, Diagnostics>;
    /// Adjusts the plan the server made for a create or update (`plan` holds the planned
    /// state, the replacements found and the private bytes). Default: nothing.
    async fn modify_plan(&self, _ctx: &Ctx, _req: &PlanRequest, _plan: &mut PlanResponse) {}
    /// Creates the object. On `Err`, nothing is stored.
    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult;
    /// Updates the object in place. On `Err`, the prior state is kept.
    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult;
    /// Deletes the object (already gone counts as deleted). On `Err`, the prior state is kept.
    async fn delete(&self, ctx: &Ctx, req: DeleteRequest) -> Result<(), Diagnostics>;
    /// The identity schema (Terraform 1.12+): which state attributes name the remote object.
    /// Default: none. The server derives every identity from state, and imports by identity
    /// itself (see [`super::server`]).
    fn identity(&self) -> Option<IdentitySchema> {
        None
    }
    /// Imports by ID. Default: import is not supported.
    async fn import(&self, _ctx: &Ctx, _id: &str) -> ImportResponse {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error(
            "Resource import not supported",
            format!("{} cannot be imported.", self.type_name()),
        );
        ImportResponse {
            diagnostics,
            ..Default::default()
        }
    }
    /// Converts stored JSON state of an older schema `version` to the current schema. The
    /// server decodes state of the current version itself and calls this only for older ones.
    /// Default: lenient JSON decode with the current schema (unknown keys dropped, missing ones
    /// null).
    async fn upgrade_state(&self, _ctx: &Ctx, _version: i64, raw_json: &[u8]) -> UpgradeResponse {
        decode_stored_state(raw_json, &self.schema().implied_type(), self.type_name())
    }
}

/// Stored JSON state read leniently as `ty` (unknown attributes dropped, missing ones null);
/// a malformed document is an error naming the resource type.
pub fn decode_stored_state(raw_json: &[u8], ty: &super::Type, type_name: &str) -> UpgradeResponse {
    match super::json::decode_lenient(raw_json, ty) {
        Ok(state) => UpgradeResponse {
            state,
            diagnostics: Diagnostics::new(),
        },
        Err(e) => {
            let mut diagnostics = Diagnostics::new();
            diagnostics.error(
                "Invalid stored state",
                format!("The stored state of this {type_name} could not be read: {e}"),
            );
            UpgradeResponse {
                state: Value::Null,
                diagnostics,
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
