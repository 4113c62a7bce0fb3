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
//! Room to grow: resource identity (an identity schema per resource, identity values next to
//! state in read, plan, apply and import, and an `upgrade_resource_identity` method) and list
//! resources (a third registry beside resources and data sources, with a streaming method) are
//! additive: new optional request/response fields, new defaulted trait methods, new methods
//! here. Nothing existing changes shape.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio_util::sync::CancellationToken;

use super::provider::{
    Applied, ClientCapabilities, CreateRequest, Ctx, DataSource, DeleteRequest, PlanRequest,
    PlanResponse, Provider, ReadRequest, Resource, UpdateRequest,
};
use super::{AttributePath, Diagnostic, Diagnostics, Schema, Type, Value, json, msgpack, plan};

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
    /// Schema problems (a bug in the provider).
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
}

/// ApplyResourceChange's answer.
#[derive(Debug, Clone, Default)]
pub struct ApplyChangeResponse {
    /// The new state.
    pub new_state: Option<DynamicValue>,
    /// Private bytes to store.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// ImportResourceState's input.
#[derive(Debug, Clone, Default)]
pub struct ImportStateRequest {
    /// Resource type.
    pub type_name: String,
    /// The id the user gave.
    pub id: String,
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
                let entry = ResourceEntry {
                    resource,
                    schema,
                    ty,
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
        Self {
            provider,
            provider_schema,
            provider_ty,
            resources,
            data_sources,
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
        d
    }

    /// GetMetadata.
    pub fn metadata(&self) -> MetadataResponse {
        MetadataResponse {
            resources: self.resources.keys().cloned().collect(),
            data_sources: self.data_sources.keys().cloned().collect(),
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
            let resp = e.resource.upgrade_state(&ctx, req.version, &raw.json).await;
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
            let read = ReadRequest {
                current_state: current,
                private: req.private.clone(),
            };
            let resp = e.resource.read(&ctx, read).await?;
            let mut diags = resp.diagnostics;
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
                    diagnostics: diags,
                }),
                Err(()) => Err(diags),
            }
        };
        run.await
            .unwrap_or_else(|diagnostics| ReadResourceResponse {
                new_state: req.current_state.clone(),
                private: req.private.clone(),
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
            if proposed.is_null() {
                tracing::debug!(type_name = %req.type_name, "destroy plan: planned state null");
                return Ok(PlanChangeResponse {
                    planned_state: Some(encode(&Value::Null, &e.ty, "planned state")?),
                    planned_private: req.prior_private.clone(),
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
        // What a failure leaves: nothing after a create, the prior state otherwise.
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
            ))
        })();
        let (prior, planned, config) = match decoded {
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
            let resp = e.resource.import(&ctx, &req.id).await;
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

    /// StopProvider: cancels every call in flight; later calls get a fresh token.
    pub fn stop(&self) {
        let mut s = self.session();
        s.cancel.cancel();
        s.cancel = CancellationToken::new();
    }
}
