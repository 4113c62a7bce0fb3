//! The framework server: every rule Terraform sets for a provider, in framework types.
//!
//! Modelled on terraform-plugin-framework's split between `internal/fwserver` (this module) and
//! `internal/proto5server` (`host::rpc`, which only converts protobuf messages to the request
//! and response types here and back). Each method is one RPC. The rules, for every resource:
//!
//! * **Encoding.** Values arrive as [`DynamicValue`] bytes and are decoded with the schema's
//!   implied type (absent or empty = null); answers are encoded as msgpack. A value that cannot
//!   be decoded or encoded is an error diagnostic, never a transport error.
//! * **Unknown type names** are error diagnostics.
//! * **Write-only attributes** are null in every planned, new, refreshed, imported and upgraded
//!   state. Setting one when the client did not declare `write_only_attributes_allowed`
//!   (Terraform and OpenTofu before 1.11) is an error on that attribute, at validation.
//! * **Unknowns.** State the provider returns (refreshed, new, upgraded, data source) must be
//!   wholly known, or the answer is an error and the state is not replaced.
//! * **Destroy plans** (proposed state null) are answered with a null planned state without
//!   calling the resource (the server declares `plan_destroy`).
//! * **Plans**: computed attributes the config leaves null are unknown when the object changes;
//!   then the attribute behaviours declared on the schema (defaults, use-state-for-unknown);
//!   then the resource's [`Resource::modify_plan`]; then requires-replace for the declared
//!   attributes that change.
//! * **Apply** dispatches to create, update or delete. The failure rule: a failed create leaves
//!   nothing; a failed update or delete keeps the prior state and the plan's private bytes.
//! * **Private bytes** pass through: an empty private answer keeps the request's bytes.
//! * **Upgrade**: stored state without JSON (pre-0.12 flatmap) or from a newer schema version is
//!   refused before the resource is called.
//! * **Import**: a null imported state is "Cannot import non-existent remote object".
//! * **Session**: client capabilities come from each request (falling back to Configure's);
//!   the Terraform version comes from Configure. [`Server::stop`] cancels the token of every
//!   call in flight, then installs a fresh one.
//!
//! * **Identity** (Terraform 1.12+; a resource declares its [`IdentitySchema`], nothing more).
//!   The identity answered with a state is always derived from that state, so it agrees with
//!   the schema and cannot drift; an object without a complete identity (a planned create, a
//!   partial import) is answered without one. Read, plan and apply answer an identity; one that
//!   differs from the identity Terraform holds (current, prior or planned) is an error
//!   ("Unexpected Identity Change") and the stored state and identity are kept. A destroy plan
//!   and a failed call pass the held identity through. Import by identity builds the partial
//!   state from the identity itself: each attribute goes into its state attribute, one optional
//!   for import and left out takes the provider's value ([`Provider::resolve_default`]), one
//!   required and left out is an error. UpgradeResourceIdentity reads the current version only.
//!   Terraform 1.0–1.11 and OpenTofu never send or read these fields, so nothing changes there.
//! * **List resources** (`terraform query`, Terraform 1.14+): each needs a managed resource of
//!   the same name with an identity (else a schema error). The stream carries one event per
//!   object the list reports, with the identity derived from its state, the state itself only
//!   when `include_resource_object` (write-only attributes nulled), at most `limit` objects
//!   (then the list's sink closes, so it stops calling DocuSign), and ends at the first error.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio_util::sync::CancellationToken;

use tokio::sync::mpsc;

use super::list::{ListEvent, ListRequest, ListResource, ListSink};
use super::provider::{
    Applied, ClientCapabilities, CreateRequest, Ctx, DataSource, DeleteRequest, ImportResponse,
    PlanRequest, PlanResponse, Provider, ReadRequest, Resource, UpdateRequest, decode_stored_state,
};
use super::{
    AttributePath, Diagnostic, Diagnostics, IdentitySchema, Schema, Type, Value, json, msgpack,
    plan,
};

#[cfg(test)]
mod identity_tests;
#[cfg(test)]
mod list_tests;
#[cfg(test)]
mod tests;

/// A value as Terraform sends it: msgpack, or JSON from older clients (tfplugin5
/// `DynamicValue`). Not `Debug`-printed in full: it may carry secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DynamicValue {
    /// msgpack bytes, preferred.
    pub msgpack: Vec<u8>,
    /// JSON bytes, when msgpack is empty.
    pub json: Vec<u8>,
}

impl std::fmt::Debug for DynamicValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DynamicValue({} msgpack bytes, {} json bytes)",
            self.msgpack.len(),
            self.json.len()
        )
    }
}

/// What the server supports beyond the base protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerCapabilities {
    /// The server answers destroy plans.
    pub plan_destroy: bool,
    /// Terraform need not call GetProviderSchema before using the provider.
    pub get_provider_schema_optional: bool,
}

/// The server's capabilities.
pub const CAPABILITIES: ServerCapabilities = ServerCapabilities {
    plan_destroy: true,
    get_provider_schema_optional: true,
};

/// GetMetadata's answer.
#[derive(Debug, Clone, Default)]
pub struct MetadataResponse {
    /// Resource type names, sorted.
    pub resources: Vec<String>,
    /// Data source type names, sorted.
    pub data_sources: Vec<String>,
    /// List resource type names, sorted.
    pub list_resources: Vec<String>,
    /// Schema problems (a bug in the provider).
    pub diagnostics: Diagnostics,
}

/// GetProviderSchema's answer.
#[derive(Debug, Clone, Default)]
pub struct SchemaResponse {
    /// The provider block.
    pub provider: Schema,
    /// Resource schemas by type name.
    pub resources: BTreeMap<String, Schema>,
    /// Data source schemas by type name.
    pub data_sources: BTreeMap<String, Schema>,
    /// List resource `config` block schemas by type name.
    pub list_resources: BTreeMap<String, Schema>,
    /// Schema problems (a bug in the provider).
    pub diagnostics: Diagnostics,
}

/// GetResourceIdentitySchemas' answer.
#[derive(Debug, Clone, Default)]
pub struct IdentitySchemasResponse {
    /// Identity schemas by resource type name (resources without one are absent).
    pub schemas: BTreeMap<String, IdentitySchema>,
    /// Schema problems (a bug in the provider).
    pub diagnostics: Diagnostics,
}

/// UpgradeResourceIdentity's input.
#[derive(Debug, Clone, Default)]
pub struct UpgradeIdentityRequest {
    /// Resource type.
    pub type_name: String,
    /// The identity schema version the identity was stored with.
    pub version: i64,
    /// The stored identity as JSON.
    pub raw_json: Vec<u8>,
}

/// UpgradeResourceIdentity's answer.
#[derive(Debug, Clone, Default)]
pub struct UpgradeIdentityResponse {
    /// The identity in the current identity schema.
    pub upgraded_identity: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ValidateListResourceConfig's input.
#[derive(Debug, Clone, Default)]
pub struct ValidateListRequest {
    /// List resource type.
    pub type_name: String,
    /// The `config` block (may hold unknowns).
    pub config: Option<DynamicValue>,
    /// The `limit` argument (a number), when the client sends it.
    pub limit: Option<DynamicValue>,
}

/// ListResource's input.
#[derive(Debug, Clone, Default)]
pub struct ListResourceRequest {
    /// List resource type.
    pub type_name: String,
    /// The `config` block.
    pub config: Option<DynamicValue>,
    /// Send each object's state too.
    pub include_resource_object: bool,
    /// The most objects to send.
    pub limit: i64,
}

/// One event of a ListResource stream.
#[derive(Debug, Clone, Default)]
pub struct ListResult {
    /// The object's identity (absent on an event of diagnostics only).
    pub identity: Option<DynamicValue>,
    /// A name for people.
    pub display_name: String,
    /// The object's state, when requested.
    pub resource_object: Option<DynamicValue>,
    /// Problems; an error is the last event.
    pub diagnostics: Diagnostics,
}

/// Configure's input.
#[derive(Debug, Clone, Default)]
pub struct ConfigureRequest {
    /// Terraform's version (empty when not sent).
    pub terraform_version: String,
    /// The provider block.
    pub config: Option<DynamicValue>,
    /// What the client supports.
    pub client_capabilities: Option<ClientCapabilities>,
}

/// ValidateResourceTypeConfig's and ValidateDataSourceConfig's input.
#[derive(Debug, Clone, Default)]
pub struct ValidateRequest {
    /// Resource or data source type.
    pub type_name: String,
    /// The configuration (may hold unknowns).
    pub config: Option<DynamicValue>,
    /// What the client supports.
    pub client_capabilities: Option<ClientCapabilities>,
}

/// Stored state as Terraform hands it to UpgradeResourceState.
#[derive(Debug, Clone, Default)]
pub struct RawState {
    /// The JSON form (Terraform ≥ 0.12).
    pub json: Vec<u8>,
    /// The pre-0.12 flatmap form.
    pub flatmap: BTreeMap<String, String>,
}

/// UpgradeResourceState's input.
#[derive(Debug, Clone, Default)]
pub struct UpgradeStateRequest {
    /// Resource type.
    pub type_name: String,
    /// The schema version the state was stored with.
    pub version: i64,
    /// The stored state.
    pub raw_state: RawState,
}

/// UpgradeResourceState's answer.
#[derive(Debug, Clone, Default)]
pub struct UpgradeStateResponse {
    /// The state in the current schema.
    pub upgraded_state: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ReadResource's input.
#[derive(Debug, Clone, Default)]
pub struct ReadResourceRequest {
    /// Resource type.
    pub type_name: String,
    /// The current state.
    pub current_state: Option<DynamicValue>,
    /// Private bytes from state.
    pub private: Vec<u8>,
    /// The identity Terraform holds for the object (Terraform 1.12+).
    pub current_identity: Option<DynamicValue>,
    /// What the client supports.
    pub client_capabilities: Option<ClientCapabilities>,
}

/// ReadResource's answer.
#[derive(Debug, Clone, Default)]
pub struct ReadResourceResponse {
    /// The refreshed state (null: the object is gone).
    pub new_state: Option<DynamicValue>,
    /// Private bytes to store.
    pub private: Vec<u8>,
    /// The object's identity.
    pub new_identity: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// PlanResourceChange's input.
#[derive(Debug, Clone, Default)]
pub struct PlanChangeRequest {
    /// Resource type.
    pub type_name: String,
    /// Prior state (null on create).
    pub prior_state: Option<DynamicValue>,
    /// Terraform's proposal (null on destroy).
    pub proposed_new_state: Option<DynamicValue>,
    /// The configuration.
    pub config: Option<DynamicValue>,
    /// Private bytes from state.
    pub prior_private: Vec<u8>,
    /// The identity Terraform holds for the object.
    pub prior_identity: Option<DynamicValue>,
    /// What the client supports.
    pub client_capabilities: Option<ClientCapabilities>,
}

/// PlanResourceChange's answer.
#[derive(Debug, Clone, Default)]
pub struct PlanChangeResponse {
    /// The planned state.
    pub planned_state: Option<DynamicValue>,
    /// Attributes whose change replaces the object.
    pub requires_replace: Vec<AttributePath>,
    /// Private bytes handed to apply.
    pub planned_private: Vec<u8>,
    /// The object's identity after the change (absent when not known yet).
    pub planned_identity: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ApplyResourceChange's input.
#[derive(Debug, Clone, Default)]
pub struct ApplyChangeRequest {
    /// Resource type.
    pub type_name: String,
    /// Prior state (null on create).
    pub prior_state: Option<DynamicValue>,
    /// Planned state (null on delete).
    pub planned_state: Option<DynamicValue>,
    /// The configuration (null on delete).
    pub config: Option<DynamicValue>,
    /// Private bytes from the plan.
    pub planned_private: Vec<u8>,
    /// The identity the plan answered.
    pub planned_identity: Option<DynamicValue>,
}

/// ApplyResourceChange's answer.
#[derive(Debug, Clone, Default)]
pub struct ApplyChangeResponse {
    /// The new state.
    pub new_state: Option<DynamicValue>,
    /// Private bytes to store.
    pub private: Vec<u8>,
    /// The object's identity.
    pub new_identity: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ImportResourceState's input.
#[derive(Debug, Clone, Default)]
pub struct ImportStateRequest {
    /// Resource type.
    pub type_name: String,
    /// The id the user gave (empty when importing by identity).
    pub id: String,
    /// The identity the user gave (`import { identity = { … } }`, Terraform 1.12+).
    pub identity: Option<DynamicValue>,
    /// What the client supports.
    pub client_capabilities: Option<ClientCapabilities>,
}

/// One imported object.
#[derive(Debug, Clone, Default)]
pub struct ImportedResource {
    /// Its resource type.
    pub type_name: String,
    /// Its (possibly partial) state.
    pub state: DynamicValue,
    /// Private bytes for the read that follows.
    pub private: Vec<u8>,
    /// Its identity, when the state holds all of it.
    pub identity: Option<DynamicValue>,
}

/// ImportResourceState's answer.
#[derive(Debug, Clone, Default)]
pub struct ImportStateResponse {
    /// The imported objects (none on failure).
    pub imported: Vec<ImportedResource>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ReadDataSource's input.
#[derive(Debug, Clone, Default)]
pub struct ReadDataSourceRequest {
    /// Data source type.
    pub type_name: String,
    /// The configuration.
    pub config: Option<DynamicValue>,
    /// What the client supports.
    pub client_capabilities: Option<ClientCapabilities>,
}

/// ReadDataSource's answer.
#[derive(Debug, Clone, Default)]
pub struct ReadDataSourceResponse {
    /// The data.
    pub state: Option<DynamicValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// A resource type with its schema computed once.
struct ResourceEntry {
    resource: Arc<dyn Resource>,
    schema: Schema,
    ty: Type,
    /// Its identity schema and that schema's type.
    identity: Option<(IdentitySchema, Type)>,
}

/// A list resource type with its `config` schema computed once.
struct ListEntry {
    list: Arc<dyn ListResource>,
    schema: Schema,
    ty: Type,
}

/// A data source type with its schema computed once.
struct DataSourceEntry {
    data_source: Arc<dyn DataSource>,
    schema: Schema,
    ty: Type,
}

/// Per-process session facts shared by all calls.
#[derive(Default)]
struct Session {
    cancel: CancellationToken,
    terraform_version: Option<String>,
    configure_caps: ClientCapabilities,
}

/// The server around one provider.
pub struct Server {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_ty: Type,
    resources: BTreeMap<String, ResourceEntry>,
    data_sources: BTreeMap<String, DataSourceEntry>,
    list_resources: BTreeMap<String, ListEntry>,
    session: Mutex<Session>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("resources", &self.resources.keys().collect::<Vec<_>>())
            .field(
                "data_sources",
                &self.data_sources.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Decodes a request value (absent or empty = null).
fn decode(dv: Option<&DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let res = if !dv.msgpack.is_empty() {
        msgpack::decode(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        json::decode(&dv.json, ty)
    } else {
        return Ok(Value::Null);
    };
    res.map_err(|e| {
        let d = Diagnostic::error(
            format!("Invalid {what}"),
            format!(
                "Terraform sent a {what} the provider could not decode: {}",
                e.message
            ),
        );
        let d = if e.path.is_root() { d } else { d.at(e.path) };
        d.into()
    })
}

/// Encodes an answer as msgpack.
fn encode(v: &Value, ty: &Type, what: &str) -> Result<DynamicValue, Diagnostics> {
    msgpack::encode(v, ty)
        .map(|msgpack| DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                format!("Provider produced an invalid {what}"),
                format!("This is a bug in the provider: {e}"),
            )
            .into()
        })
}

/// A state the provider returns, made ready for Terraform: write-only attributes nulled, wholly
/// known (`require_known`), encoded. Any problem is added to `diags` and gives `Err`.
fn outgoing(
    mut v: Value,
    schema: &Schema,
    ty: &Type,
    what: &str,
    require_known: bool,
    diags: &mut Diagnostics,
) -> Result<DynamicValue, ()> {
    plan::null_write_only(&schema.block, &mut v);
    if require_known && !v.is_wholly_known() {
        diags.error(
            format!("Provider returned an unknown value in the {what}"),
            "This is a bug in the provider: state values must be wholly known.",
        );
        return Err(());
    }
    encode(&v, ty, what).map_err(|d| diags.extend(d))
}

/// Errors for write-only attributes set in config when the client cannot handle them.
pub fn write_only_check(schema: &Schema, config: &Value, caps: ClientCapabilities) -> Diagnostics {
    let mut d = Diagnostics::new();
    if caps.write_only_attributes_allowed {
        return d;
    }
    for p in plan::write_only_set_in(&schema.block, config) {
        d.error_at(
            p,
            "Write-only attribute not supported",
            "This attribute is write-only, which needs Terraform 1.11 or OpenTofu 1.11 or \
             later. Upgrade Terraform or OpenTofu, or remove the attribute from the \
             configuration.",
        );
    }
    d
}

fn or_private(new: Vec<u8>, old: Vec<u8>) -> Vec<u8> {
    if new.is_empty() { old } else { new }
}

/// True when Terraform sent a value (an empty DynamicValue counts as none).
fn is_sent(dv: Option<&DynamicValue>) -> bool {
    dv.is_some_and(|d| !d.msgpack.is_empty() || !d.json.is_empty())
}

/// An object of type `ty` with every attribute null.
fn null_object(ty: &Type) -> Value {
    match ty {
        Type::Object(attrs) => Value::Object(
            attrs
                .keys()
                .map(|k| (k.clone(), Value::Null))
                .collect::<BTreeMap<_, _>>(),
        ),
        _ => Value::Null,
    }
}

/// The identity Terraform holds for an object of `e`, decoded (null when it sent none or the
/// resource has no identity).
fn identity_in(e: &ResourceEntry, dv: Option<&DynamicValue>) -> Result<Value, Diagnostics> {
    match &e.identity {
        Some((_, ty)) => decode(dv, ty, "identity"),
        None => Ok(Value::Null),
    }
}

/// The identity to answer with `state`: derived from it (`None` when the resource has no
/// identity or the state does not hold all of it). One that differs from `held`, the identity
/// Terraform holds (null: none), is an error added to `diags`, and `Err`: an object's identity
/// never changes, as terraform-plugin-framework also refuses.
fn identity_out(
    e: &ResourceEntry,
    state: &Value,
    held: &Value,
    operation: &str,
    diags: &mut Diagnostics,
) -> Result<Option<DynamicValue>, ()> {
    let Some((schema, ty)) = &e.identity else {
        return Ok(None);
    };
    let Some(derived) = schema.from_state(state) else {
        return Ok(None);
    };
    if !held.is_null() && *held != derived {
        diags.error(
            "Unexpected Identity Change",
            format!(
                "During the {operation} operation, the provider found an identity different from \
                 the one Terraform holds for this object. This is a bug in the provider. Held \
                 identity: {}. New identity: {}.",
                describe_identity(held),
                describe_identity(&derived)
            ),
        );
        return Err(());
    }
    encode(&derived, ty, "identity")
        .map(Some)
        .map_err(|d| diags.extend(d))
}

/// `name = "value"` pairs of an identity, for messages (identities hold ids, never secrets).
fn describe_identity(v: &Value) -> String {
    match v.as_entries() {
        Some(m) => m
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => format!("{k} = {s:?}"),
                None => format!("{k} = null"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => "null".into(),
    }
}

/// The error for an identity attribute an import by identity left out or left empty.
fn missing_identity_attribute(type_name: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        "Missing identity attribute",
        format!("Importing {type_name} by identity needs a value for {name}."),
    )
    .at(AttributePath::attr_path(name))
}

impl Server {
    /// Builds the server; calls `schema()`, `resources()` and `data_sources()` once.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let provider_ty = provider_schema.implied_type();
        let resources = provider
            .resources()
            .into_iter()
            .map(|resource| {
                let schema = resource.schema();
                let ty = schema.implied_type();
                let identity = resource.identity().map(|i| {
                    let t = i.implied_type();
                    (i, t)
                });
                let entry = ResourceEntry {
                    resource,
                    schema,
                    ty,
                    identity,
                };
                (entry.resource.type_name().to_owned(), entry)
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|data_source| {
                let schema = data_source.schema();
                let ty = schema.implied_type();
                let entry = DataSourceEntry {
                    data_source,
                    schema,
                    ty,
                };
                (entry.data_source.type_name().to_owned(), entry)
            })
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|list| {
                let schema = list.schema();
                let ty = schema.implied_type();
                (list.type_name().to_owned(), ListEntry { list, schema, ty })
            })
            .collect();
        Self {
            provider,
            provider_schema,
            provider_ty,
            resources,
            data_sources,
            list_resources,
            session: Mutex::new(Session::default()),
        }
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        // A panic while holding this lock cannot leave it inconsistent (plain fields).
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A context for one call: the current cancel token, the request's capabilities (or
    /// Configure's when the request carries none) and the Terraform version.
    pub fn ctx(&self, caps: Option<ClientCapabilities>) -> Ctx {
        let s = self.session();
        Ctx {
            cancel: s.cancel.clone(),
            client_capabilities: caps.unwrap_or(s.configure_caps),
            terraform_version: s.terraform_version.clone(),
        }
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("The provider does not support resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("The provider does not support data source type {type_name:?}."),
            )
            .into()
        })
    }

    fn list_entry(&self, type_name: &str) -> Result<&ListEntry, Diagnostics> {
        self.list_resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown list resource type",
                format!("The provider does not support list resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn schema_diagnostics(&self) -> Diagnostics {
        let mut d = Diagnostics::new();
        let mut check = |kind: &str, name: &str, s: &Schema| {
            if let Err(errs) = s.validate() {
                d.error(
                    format!("Invalid {kind} schema for {name}"),
                    format!("This is a bug in the provider: {}", errs.join("; ")),
                );
            }
        };
        check("provider", "the provider", &self.provider_schema);
        for (n, e) in &self.resources {
            check("resource", n, &e.schema);
        }
        for (n, e) in &self.data_sources {
            check("data source", n, &e.schema);
        }
        for (n, e) in &self.list_resources {
            check("list resource", n, &e.schema);
        }
        for (n, e) in &self.resources {
            if let Some((i, _)) = &e.identity
                && let Err(errs) = i.validate(&e.ty)
            {
                d.error(
                    format!("Invalid identity schema for {n}"),
                    format!("This is a bug in the provider: {}", errs.join("; ")),
                );
            }
        }
        for n in self.list_resources.keys() {
            if self.resources.get(n).is_none_or(|e| e.identity.is_none()) {
                d.error(
                    format!("Invalid list resource {n}"),
                    "This is a bug in the provider: a list resource needs a managed resource \
                     type of the same name with an identity.",
                );
            }
        }
        d
    }

    /// GetMetadata.
    pub fn metadata(&self) -> MetadataResponse {
        MetadataResponse {
            resources: self.resources.keys().cloned().collect(),
            data_sources: self.data_sources.keys().cloned().collect(),
            list_resources: self.list_resources.keys().cloned().collect(),
            diagnostics: self.schema_diagnostics(),
        }
    }

    /// GetProviderSchema.
    pub fn schemas(&self) -> SchemaResponse {
        SchemaResponse {
            provider: self.provider_schema.clone(),
            resources: self
                .resources
                .iter()
                .map(|(n, e)| (n.clone(), e.schema.clone()))
                .collect(),
            data_sources: self
                .data_sources
                .iter()
                .map(|(n, e)| (n.clone(), e.schema.clone()))
                .collect(),
            list_resources: self
                .list_resources
                .iter()
                .map(|(n, e)| (n.clone(), e.schema.clone()))
                .collect(),
            diagnostics: self.schema_diagnostics(),
        }
    }

    /// GetResourceIdentitySchemas.
    pub fn identity_schemas(&self) -> IdentitySchemasResponse {
        IdentitySchemasResponse {
            schemas: self
                .resources
                .iter()
                .filter_map(|(n, e)| e.identity.as_ref().map(|(i, _)| (n.clone(), i.clone())))
                .collect(),
            diagnostics: self.schema_diagnostics(),
        }
    }

    /// PrepareProviderConfig / ValidateProviderConfig.
    pub async fn validate_provider_config(&self, config: Option<&DynamicValue>) -> Diagnostics {
        let ctx = self.ctx(None);
        match decode(config, &self.provider_ty, "provider configuration") {
            Ok(config) => {
                let mut d =
                    write_only_check(&self.provider_schema, &config, ctx.client_capabilities);
                d.extend(self.provider.validate_config(&ctx, &config).await);
                d
            }
            Err(d) => d,
        }
    }

    /// ConfigureProvider: records the session facts, then configures the provider.
    pub async fn configure(&self, req: ConfigureRequest) -> Diagnostics {
        {
            let mut s = self.session();
            s.terraform_version = Some(req.terraform_version).filter(|v| !v.is_empty());
            s.configure_caps = req.client_capabilities.unwrap_or_default();
        }
        let ctx = self.ctx(req.client_capabilities);
        match decode(
            req.config.as_ref(),
            &self.provider_ty,
            "provider configuration",
        ) {
            Ok(config) => self.provider.configure(&ctx, &config).await,
            Err(d) => d,
        }
    }

    /// ValidateResourceTypeConfig.
    pub async fn validate_resource_config(&self, req: ValidateRequest) -> Diagnostics {
        let ctx = self.ctx(req.client_capabilities);
        let run = async {
            let e = self.resource(&req.type_name)?;
            let config = decode(req.config.as_ref(), &e.ty, "resource configuration")?;
            let mut d = write_only_check(&e.schema, &config, ctx.client_capabilities);
            d.extend(e.resource.validate(&ctx, &config).await);
            Ok::<_, Diagnostics>(d)
        };
        run.await.unwrap_or_else(|d| d)
    }

    /// ValidateDataSourceConfig.
    pub async fn validate_data_source_config(&self, req: ValidateRequest) -> Diagnostics {
        let ctx = self.ctx(req.client_capabilities);
        let run = async {
            let e = self.data_source(&req.type_name)?;
            let config = decode(req.config.as_ref(), &e.ty, "data source configuration")?;
            let mut d = write_only_check(&e.schema, &config, ctx.client_capabilities);
            d.extend(e.data_source.validate(&ctx, &config).await);
            Ok::<_, Diagnostics>(d)
        };
        run.await.unwrap_or_else(|d| d)
    }

    /// UpgradeResourceState.
    pub async fn upgrade_resource_state(&self, req: UpgradeStateRequest) -> UpgradeStateResponse {
        let ctx = self.ctx(None);
        let run = async {
            let e = self.resource(&req.type_name)?;
            let raw = &req.raw_state;
            if raw.json.is_empty() {
                let detail = if raw.flatmap.is_empty() {
                    "Terraform sent no stored state to upgrade."
                } else {
                    "The stored state uses the pre-0.12 flatmap format, which this provider \
                     does not read. Remove the resource from state and import it again."
                };
                return Err(Diagnostic::error("Unsupported stored state", detail).into());
            }
            if req.version > e.schema.version {
                return Err(Diagnostic::error(
                    "Stored state is from a newer provider",
                    format!(
                        "The state has schema version {}, but this provider only knows up to \
                         version {}. Upgrade the provider.",
                        req.version, e.schema.version
                    ),
                )
                .into());
            }
            // The current version needs no upgrade: decode it with the type built once, not
            // the resource's schema rebuilt on each of the plan's per-instance calls.
            let resp = if req.version == e.schema.version {
                decode_stored_state(&raw.json, &e.ty, e.resource.type_name())
            } else {
                e.resource.upgrade_state(&ctx, req.version, &raw.json).await
            };
            let mut diags = resp.diagnostics;
            if diags.has_errors() && resp.state.is_null() {
                return Err(diags);
            }
            let state = outgoing(
                resp.state,
                &e.schema,
                &e.ty,
                "upgraded state",
                true,
                &mut diags,
            );
            Ok(UpgradeStateResponse {
                upgraded_state: state.ok(),
                diagnostics: diags,
            })
        };
        run.await
            .unwrap_or_else(|diagnostics| UpgradeStateResponse {
                upgraded_state: None,
                diagnostics,
            })
    }

    /// ReadResource. On any failure the current state and private bytes are kept.
    pub async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        let ctx = self.ctx(req.client_capabilities);
        let run = async {
            let e = self.resource(&req.type_name)?;
            let current = decode(req.current_state.as_ref(), &e.ty, "current state")?;
            let held = identity_in(e, req.current_identity.as_ref())?;
            let read = ReadRequest {
                current_state: current,
                private: req.private.clone(),
            };
            let resp = e.resource.read(&ctx, read).await?;
            let mut diags = resp.diagnostics;
            let Ok(identity) = identity_out(e, &resp.new_state, &held, "read", &mut diags) else {
                return Err(diags);
            };
            match outgoing(
                resp.new_state,
                &e.schema,
                &e.ty,
                "refreshed state",
                true,
                &mut diags,
            ) {
                Ok(state) => Ok(ReadResourceResponse {
                    new_state: Some(state),
                    private: or_private(resp.private, req.private.clone()),
                    new_identity: identity,
                    diagnostics: diags,
                }),
                Err(()) => Err(diags),
            }
        };
        run.await
            .unwrap_or_else(|diagnostics| ReadResourceResponse {
                new_state: req.current_state.clone(),
                private: req.private.clone(),
                new_identity: req.current_identity.clone(),
                diagnostics,
            })
    }

    /// PlanResourceChange (see the module docs for the order of the rules).
    pub async fn plan_resource_change(&self, req: PlanChangeRequest) -> PlanChangeResponse {
        let ctx = self.ctx(req.client_capabilities);
        let run = async {
            let e = self.resource(&req.type_name)?;
            let prior = decode(req.prior_state.as_ref(), &e.ty, "prior state")?;
            let proposed = decode(req.proposed_new_state.as_ref(), &e.ty, "proposed new state")?;
            let config = decode(req.config.as_ref(), &e.ty, "configuration")?;
            let held = identity_in(e, req.prior_identity.as_ref())?;
            if proposed.is_null() {
                tracing::debug!(type_name = %req.type_name, "destroy plan: planned state null");
                return Ok(PlanChangeResponse {
                    planned_state: Some(encode(&Value::Null, &e.ty, "planned state")?),
                    planned_private: req.prior_private.clone(),
                    planned_identity: req.prior_identity.clone(),
                    ..Default::default()
                });
            }
            let mut planned =
                plan::mark_computed_unknown_if_changed(&e.schema, &prior, &proposed, &config);
            plan::apply_behaviours(&e.schema, &prior, &config, &mut planned, &|name| {
                self.provider.default_value(name)
            });
            let request = PlanRequest {
                prior_state: prior,
                proposed_new_state: proposed,
                config,
                prior_private: req.prior_private.clone(),
            };
            let mut resp = PlanResponse {
                planned_state: planned,
                planned_private: req.prior_private.clone(),
                ..Default::default()
            };
            e.resource.modify_plan(&ctx, &request, &mut resp).await;
            for p in
                plan::declared_replacements(&e.schema, &request.prior_state, &resp.planned_state)
            {
                if !resp.requires_replace.contains(&p) {
                    resp.requires_replace.push(p);
                }
            }
            let mut diags = resp.diagnostics;
            // An update keeps the object's identity; a create or a replacement has none yet.
            let updating = !request.prior_state.is_null() && resp.requires_replace.is_empty();
            let identity = if updating {
                match identity_out(e, &resp.planned_state, &held, "plan", &mut diags) {
                    Ok(identity) => identity,
                    Err(()) => return Err(diags),
                }
            } else {
                None
            };
            let state = outgoing(
                resp.planned_state,
                &e.schema,
                &e.ty,
                "planned state",
                false,
                &mut diags,
            );
            Ok(PlanChangeResponse {
                planned_state: state.ok(),
                requires_replace: resp.requires_replace,
                planned_private: or_private(resp.planned_private, req.prior_private.clone()),
                planned_identity: identity,
                diagnostics: diags,
            })
        };
        // A failed plan carries its diagnostics only: Terraform discards the rest of it.
        run.await.unwrap_or_else(|diagnostics| PlanChangeResponse {
            diagnostics,
            ..Default::default()
        })
    }

    /// ApplyResourceChange: dispatch, and the failure rule.
    pub async fn apply_resource_change(&self, req: ApplyChangeRequest) -> ApplyChangeResponse {
        let ctx = self.ctx(None);
        // What a failure leaves: nothing after a create, the prior state (and the identity
        // Terraform holds) otherwise.
        let failed = |diagnostics: Diagnostics, creating: bool| ApplyChangeResponse {
            new_state: if creating {
                None
            } else {
                req.prior_state.clone()
            },
            private: if creating {
                Vec::new()
            } else {
                req.planned_private.clone()
            },
            new_identity: if creating {
                None
            } else {
                req.planned_identity.clone()
            },
            diagnostics,
        };
        let e = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => return failed(d, false),
        };
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                decode(req.prior_state.as_ref(), &e.ty, "prior state")?,
                decode(req.planned_state.as_ref(), &e.ty, "planned state")?,
                decode(req.config.as_ref(), &e.ty, "configuration")?,
                identity_in(e, req.planned_identity.as_ref())?,
            ))
        })();
        let (prior, planned, config, held) = match decoded {
            Ok(v) => v,
            Err(d) => return failed(d, false),
        };
        let creating = prior.is_null();
        let planned_private = req.planned_private.clone();
        let result = if planned.is_null() {
            tracing::debug!(rpc = "ApplyResourceChange", type_name = %req.type_name, action = "delete", "rpc");
            let delete = DeleteRequest {
                prior_state: prior,
                planned_private,
            };
            e.resource
                .delete(&ctx, delete)
                .await
                .map(|()| Applied::state(Value::Null))
        } else if creating {
            tracing::debug!(rpc = "ApplyResourceChange", type_name = %req.type_name, action = "create", "rpc");
            let create = CreateRequest {
                planned_state: planned,
                config,
                planned_private,
            };
            e.resource.create(&ctx, create).await
        } else {
            tracing::debug!(rpc = "ApplyResourceChange", type_name = %req.type_name, action = "update", "rpc");
            let update = UpdateRequest {
                prior_state: prior,
                planned_state: planned,
                config,
                planned_private,
            };
            e.resource.update(&ctx, update).await
        };
        let applied = match result {
            Ok(a) if !a.diagnostics.has_errors() => a,
            Ok(a) => return failed(a.diagnostics, creating),
            Err(d) => return failed(d, creating),
        };
        let mut diags = applied.diagnostics;
        let Ok(identity) = identity_out(e, &applied.state, &held, "apply", &mut diags) else {
            return failed(diags, creating);
        };
        match outgoing(
            applied.state,
            &e.schema,
            &e.ty,
            "new state",
            true,
            &mut diags,
        ) {
            Ok(state) => ApplyChangeResponse {
                new_state: Some(state),
                private: or_private(applied.private, req.planned_private.clone()),
                new_identity: identity,
                diagnostics: diags,
            },
            Err(()) => failed(diags, creating),
        }
    }

    /// ImportResourceState.
    pub async fn import_resource_state(&self, req: ImportStateRequest) -> ImportStateResponse {
        let ctx = self.ctx(req.client_capabilities);
        let run = async {
            let e = self.resource(&req.type_name)?;
            let resp = if is_sent(req.identity.as_ref()) {
                self.import_by_identity(&ctx, e, &req.type_name, req.identity.as_ref())
                    .await?
            } else {
                e.resource.import(&ctx, &req.id).await
            };
            let mut diags = resp.diagnostics;
            if resp.state.is_null() {
                if !diags.has_errors() {
                    diags.error(
                        "Cannot import non-existent remote object",
                        format!("No {} with ID {:?} was found.", req.type_name, req.id),
                    );
                }
                return Err(diags);
            }
            let Ok(identity) = identity_out(e, &resp.state, &Value::Null, "import", &mut diags)
            else {
                return Err(diags);
            };
            let Ok(state) = outgoing(
                resp.state,
                &e.schema,
                &e.ty,
                "imported state",
                false,
                &mut diags,
            ) else {
                return Err(diags);
            };
            Ok(ImportStateResponse {
                imported: vec![ImportedResource {
                    type_name: req.type_name.clone(),
                    state,
                    private: resp.private,
                    identity,
                }],
                diagnostics: diags,
            })
        };
        run.await.unwrap_or_else(|diagnostics| ImportStateResponse {
            imported: Vec::new(),
            diagnostics,
        })
    }

    /// ReadDataSource.
    pub async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let ctx = self.ctx(req.client_capabilities);
        let run = async {
            let e = self.data_source(&req.type_name)?;
            let config = decode(req.config.as_ref(), &e.ty, "data source configuration")?;
            let resp = e.data_source.read(&ctx, &config).await;
            let mut diags = resp.diagnostics;
            match outgoing(
                resp.state,
                &e.schema,
                &e.ty,
                "data source state",
                true,
                &mut diags,
            ) {
                Ok(state) => Ok(ReadDataSourceResponse {
                    state: Some(state),
                    diagnostics: diags,
                }),
                Err(()) => Err(diags),
            }
        };
        run.await
            .unwrap_or_else(|diagnostics| ReadDataSourceResponse {
                state: None,
                diagnostics,
            })
    }

    /// The partial state of an import by identity: every attribute null but the identity's,
    /// each in its state attribute; one optional for import and left out takes the provider's
    /// value for that state attribute. The read Terraform makes next fills in the rest.
    async fn import_by_identity(
        &self,
        ctx: &Ctx,
        e: &ResourceEntry,
        type_name: &str,
        sent: Option<&DynamicValue>,
    ) -> Result<ImportResponse, Diagnostics> {
        let Some((schema, ty)) = &e.identity else {
            return Err(Diagnostic::error(
                "Import by identity not supported",
                format!("{type_name} has no identity; import it by ID."),
            )
            .into());
        };
        let identity = decode(sent, ty, "import identity")?;
        let mut state = null_object(&e.ty);
        let mut diags = Diagnostics::new();
        for a in &schema.attributes {
            let mut v = identity.get_attr(&a.name).cloned().unwrap_or_default();
            if !v.is_wholly_known() {
                diags.push(
                    Diagnostic::error(
                        "Unknown identity attribute",
                        format!(
                            "Importing {type_name} by identity needs a known value for {}.",
                            a.name
                        ),
                    )
                    .at(AttributePath::attr_path(&a.name)),
                );
                continue;
            }
            if v.is_null() && a.optional_for_import {
                v = self
                    .provider
                    .resolve_default(ctx, &a.state_attribute)
                    .await?
                    .unwrap_or_default();
            }
            if v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()) {
                diags.push(missing_identity_attribute(type_name, &a.name));
                continue;
            }
            state.set_attr(a.state_attribute.clone(), v);
        }
        // Only errors are collected above: none means nothing to report.
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(ImportResponse {
            state,
            ..Default::default()
        })
    }

    /// UpgradeResourceIdentity: the stored identity, of version `version`, in the current
    /// identity schema. Only the current version exists, so any other is refused; Terraform
    /// calls this only for a stored version lower than the schema's.
    pub fn upgrade_resource_identity(
        &self,
        req: UpgradeIdentityRequest,
    ) -> UpgradeIdentityResponse {
        let run = || {
            let e = self.resource(&req.type_name)?;
            let Some((schema, ty)) = &e.identity else {
                return Err(Diagnostics::from(Diagnostic::error(
                    "Resource has no identity",
                    format!("{} has no identity to upgrade.", req.type_name),
                )));
            };
            let why = match req.version.cmp(&schema.version) {
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => {
                    Some("It was written by a newer version of the provider; upgrade the provider.")
                }
                std::cmp::Ordering::Less => Some("This provider has no such identity version."),
            };
            if let Some(why) = why {
                return Err(Diagnostic::error(
                    "Unsupported identity version",
                    format!(
                        "The stored identity has version {}, but this provider's identity is \
                         at version {}. {why}",
                        req.version, schema.version
                    ),
                )
                .into());
            }
            let v = json::decode(&req.raw_json, ty).map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid stored identity",
                    format!("The stored identity could not be read: {e}"),
                ))
            })?;
            let complete = v.is_wholly_known()
                && schema
                    .attributes
                    .iter()
                    .all(|a| v.get_attr(&a.name).is_some_and(|x| !x.is_null()));
            if !complete {
                return Err(Diagnostic::error(
                    "Invalid stored identity",
                    "The stored identity is incomplete.",
                )
                .into());
            }
            encode(&v, ty, "upgraded identity")
        };
        match run() {
            Ok(dv) => UpgradeIdentityResponse {
                upgraded_identity: Some(dv),
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostics) => UpgradeIdentityResponse {
                upgraded_identity: None,
                diagnostics,
            },
        }
    }

    /// ValidateListResourceConfig: the `config` block, and a `limit` below zero.
    pub async fn validate_list_resource_config(&self, req: ValidateListRequest) -> Diagnostics {
        let ctx = self.ctx(None);
        let run = async {
            let e = self.list_entry(&req.type_name)?;
            let config = decode(req.config.as_ref(), &e.ty, "list configuration")?;
            let mut d = Diagnostics::new();
            let limit = decode(req.limit.as_ref(), &Type::Number, "limit")?;
            if limit.as_number().is_some_and(|n| n.as_f64() < 0.0) {
                d.error(
                    "Invalid limit",
                    "The limit of a list block must be zero or more.",
                );
            }
            d.extend(e.list.validate(&ctx, &config).await);
            Ok::<_, Diagnostics>(d)
        };
        run.await.unwrap_or_else(|d| d)
    }

    /// ListResource: runs the list and answers the stream Terraform reads (see the module
    /// docs). The list runs in its own task; the stream ends when it is done, at the first
    /// error, or after `limit` objects (the list's sink then closes).
    pub fn list_resource(&self, req: ListResourceRequest) -> mpsc::Receiver<ListResult> {
        let (out, rx) = mpsc::channel(16);
        let started = (|| {
            let l = self.list_entry(&req.type_name)?;
            let e = self.resource(&req.type_name)?;
            let Some(identity) = e.identity.clone() else {
                return Err(Diagnostics::from(Diagnostic::error(
                    "List resource without identity",
                    "This is a bug in the provider: the listed resource type has no identity.",
                )));
            };
            let config = decode(req.config.as_ref(), &l.ty, "list configuration")?;
            Ok((
                l.list.clone(),
                identity,
                e.schema.clone(),
                e.ty.clone(),
                config,
            ))
        })();
        let (list, identity, schema, ty, config) = match started {
            Ok(v) => v,
            Err(diagnostics) => {
                let _ = out.try_send(ListResult {
                    diagnostics,
                    ..Default::default()
                });
                return rx;
            }
        };
        let ctx = self.ctx(None);
        let request = ListRequest {
            config,
            include_resource_object: req.include_resource_object,
            limit: req.limit,
        };
        tokio::spawn(stream_list(list, identity, schema, ty, ctx, request, out));
        rx
    }

    /// StopProvider: cancels every call in flight; later calls get a fresh token.
    pub fn stop(&self) {
        let mut s = self.session();
        s.cancel.cancel();
        s.cancel = CancellationToken::new();
    }
}

/// The body of a ListResource stream: reads what `list` reports and sends the events.
async fn stream_list(
    list: Arc<dyn ListResource>,
    (identity, identity_ty): (IdentitySchema, Type),
    schema: Schema,
    ty: Type,
    ctx: Ctx,
    req: ListRequest,
    out: mpsc::Sender<ListResult>,
) {
    let limit = req.limit;
    let include = req.include_resource_object;
    if limit <= 0 {
        return;
    }
    let (sink, mut events) = ListSink::channel();
    let lister = tokio::spawn(async move { list.list(&ctx, req, &sink).await });
    let mut sent: i64 = 0;
    while let Some(event) = events.recv().await {
        let found = match event {
            ListEvent::Diagnostics(diagnostics) => {
                let last = diagnostics.has_errors();
                let event = ListResult {
                    diagnostics,
                    ..Default::default()
                };
                if out.send(event).await.is_err() || last {
                    break;
                }
                continue;
            }
            ListEvent::Found(found) => found,
        };
        let mut diagnostics = Diagnostics::new();
        let encoded = match identity.from_state(&found.state) {
            Some(id) => encode(&id, &identity_ty, "identity"),
            None => Err(Diagnostic::error(
                "Listed object without identity",
                format!(
                    "The provider listed {:?} without the values its identity is made of. This \
                     is a bug in the provider.",
                    found.display_name
                ),
            )
            .into()),
        };
        let object = if include {
            outgoing(
                found.state,
                &schema,
                &ty,
                "listed object",
                true,
                &mut diagnostics,
            )
            .ok()
        } else {
            None
        };
        let event = match encoded {
            Ok(id) if !diagnostics.has_errors() => ListResult {
                identity: Some(id),
                display_name: found.display_name,
                resource_object: object,
                diagnostics,
            },
            Ok(_) => ListResult {
                diagnostics,
                ..Default::default()
            },
            Err(d) => ListResult {
                diagnostics: d,
                ..Default::default()
            },
        };
        let last = event.diagnostics.has_errors();
        if out.send(event).await.is_err() || last {
            break; // Terraform went away, or the stream ends at an error.
        }
        sent += 1;
        if sent >= limit {
            break;
        }
    }
    // Closing the receiving end tells the list to stop; waiting for it keeps any call it is
    // making inside this task.
    drop(out);
    drop(events);
    let _ = lister.await;
}
