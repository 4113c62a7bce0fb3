//! The tfplugin5 `Provider` service: protobuf ⇄ framework adapter.
//!
//! [`ProviderService`] turns every RPC into framework calls on a [`framework::Provider`] and its
//! resources and data sources, and enforces the protocol rules that hold for every resource:
//!
//! * DynamicValues are decoded with the schema's implied type and answered as msgpack; a value
//!   that cannot be decoded or encoded is an error diagnostic, never a gRPC error.
//! * Unknown resource or data source type names are error diagnostics.
//! * A destroy plan (proposed new state null) is answered with a null planned state without
//!   calling the resource (we advertise `plan_destroy`).
//! * Write-only attributes are always null in planned, new, read, imported and upgraded state;
//!   setting one when the client did not declare `write_only_attributes_allowed` (Terraform
//!   < 1.11) is an error diagnostic on that attribute, at validate time.
//! * Private bytes pass through: an empty private answer keeps the request's bytes.
//! * Client capabilities are read from each request (falling back to Configure's);
//!   `terraform_version` comes from Configure.
//! * `Stop` cancels the token of every in-flight call, then installs a fresh one; it never
//!   stops the server.
//!
//! Each RPC is logged at debug level with its type name; values are never logged.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::framework::{
    self, ApplyRequest, AttributePath, ClientCapabilities, Ctx, DataSource, Diagnostic,
    Diagnostics, PathStep, PlanRequest, ReadRequest, Resource, Schema, Severity, Type, Value, json,
    msgpack, plan,
};
use crate::protocol::tfplugin5 as pb;
use pb::provider_server::Provider as ProviderRpc;

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

/// The tfplugin5 service around a framework provider.
pub struct ProviderService {
    provider: Arc<dyn framework::Provider>,
    provider_schema: Schema,
    provider_ty: Type,
    resources: BTreeMap<String, ResourceEntry>,
    data_sources: BTreeMap<String, DataSourceEntry>,
    session: Mutex<Session>,
}

impl std::fmt::Debug for ProviderService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderService")
            .field("resources", &self.resources.keys().collect::<Vec<_>>())
            .field(
                "data_sources",
                &self.data_sources.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

type RpcResult<T> = Result<Response<T>, Status>;

impl ProviderService {
    /// Builds the service; calls `schema()`, `resources()` and `data_sources()` once.
    pub fn new(provider: Arc<dyn framework::Provider>) -> Self {
        let provider_schema = provider.schema();
        let provider_ty = provider_schema.implied_type();
        let mut resources = BTreeMap::new();
        for resource in provider.resources() {
            let schema = resource.schema();
            let ty = schema.implied_type();
            resources.insert(
                resource.type_name().to_owned(),
                ResourceEntry {
                    resource,
                    schema,
                    ty,
                },
            );
        }
        let mut data_sources = BTreeMap::new();
        for data_source in provider.data_sources() {
            let schema = data_source.schema();
            let ty = schema.implied_type();
            data_sources.insert(
                data_source.type_name().to_owned(),
                DataSourceEntry {
                    data_source,
                    schema,
                    ty,
                },
            );
        }
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
    fn ctx(&self, caps: Option<&pb::ClientCapabilities>) -> Ctx {
        let s = self.session();
        Ctx {
            cancel: s.cancel.clone(),
            client_capabilities: caps.map_or(s.configure_caps, caps_from_pb),
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
}

fn caps_from_pb(c: &pb::ClientCapabilities) -> ClientCapabilities {
    ClientCapabilities {
        write_only_attributes_allowed: c.write_only_attributes_allowed,
        deferral_allowed: c.deferral_allowed,
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions

/// Decodes a request DynamicValue (absent or empty = null).
fn decode_dv(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
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

/// Encodes a response value as msgpack.
fn encode_dv(v: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostics> {
    msgpack::encode(v, ty)
        .map(|msgpack| pb::DynamicValue {
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

/// Encodes a response value, adding a diagnostic (and returning None) on failure.
fn encode_into(
    v: &Value,
    ty: &Type,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match encode_dv(v, ty, what) {
        Ok(dv) => Some(dv),
        Err(d) => {
            diags.extend(d);
            None
        }
    }
}

fn path_to_pb(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    pb::AttributePath {
        steps: p
            .steps
            .iter()
            .map(|s| Step {
                selector: Some(match s {
                    PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                    PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

fn diags_to_pb(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.attribute.as_ref().map(path_to_pb),
        })
        .collect()
}

const MARKDOWN: i32 = pb::StringKind::Markdown as i32;

fn block_to_pb(b: &framework::Block) -> pb::schema::Block {
    use pb::schema::nested_block::NestingMode;
    pb::schema::Block {
        version: 0,
        attributes: b
            .attributes
            .iter()
            .map(|a| pb::schema::Attribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                description: a.description.clone(),
                required: a.required,
                optional: a.optional,
                computed: a.computed,
                sensitive: a.sensitive,
                description_kind: MARKDOWN,
                deprecated: a.deprecated,
                write_only: a.write_only,
                deprecation_message: String::new(),
            })
            .collect(),
        block_types: b
            .block_types
            .iter()
            .map(|nb| pb::schema::NestedBlock {
                type_name: nb.type_name.clone(),
                block: Some(block_to_pb(&nb.block)),
                nesting: match nb.nesting {
                    framework::Nesting::Single => NestingMode::Single,
                    framework::Nesting::List => NestingMode::List,
                    framework::Nesting::Set => NestingMode::Set,
                    framework::Nesting::Map => NestingMode::Map,
                    framework::Nesting::Group => NestingMode::Group,
                } as i32,
                min_items: nb.min_items,
                max_items: nb.max_items,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: MARKDOWN,
        deprecated: b.deprecated,
        deprecation_message: String::new(),
    }
}

/// Converts a framework schema to its tfplugin5 form (descriptions as markdown).
pub fn schema_to_pb(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block_to_pb(&s.block)),
    }
}

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

/// Errors for write-only attributes set in config when the client cannot handle them.
fn write_only_check(block: &framework::Block, config: &Value, ctx: &Ctx) -> Diagnostics {
    let mut d = Diagnostics::new();
    if ctx.client_capabilities.write_only_attributes_allowed {
        return d;
    }
    for p in plan::write_only_set_in(block, config) {
        d.error_at(
            p,
            "Write-only attribute not supported",
            "This attribute is write-only, which needs Terraform 1.11 or later. Upgrade Terraform \
             or remove the attribute from the configuration.",
        );
    }
    d
}

/// Error if a value that goes into state still contains unknowns.
fn require_known(v: &Value, what: &str, diags: &mut Diagnostics) -> bool {
    if v.is_wholly_known() {
        return true;
    }
    diags.error(
        format!("Provider returned an unknown value in the {what}"),
        "This is a bug in the provider: state values must be wholly known.",
    );
    false
}

fn or_private(new: Vec<u8>, old: Vec<u8>) -> Vec<u8> {
    if new.is_empty() { old } else { new }
}

// ---------------------------------------------------------------------------------------------
// The service

#[tonic::async_trait]
impl ProviderRpc for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        tracing::debug!(rpc = "GetMetadata", "rpc");
        use pb::get_metadata::{DataSourceMetadata, ResourceMetadata};
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: diags_to_pb(&self.schema_diagnostics()),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| DataSourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|n| ResourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        tracing::debug!(
            rpc = "GetSchema",
            resources = self.resources.len(),
            data_sources = self.data_sources.len(),
            "rpc"
        );
        let resource_schemas: HashMap<_, _> = self
            .resources
            .iter()
            .map(|(n, e)| (n.clone(), schema_to_pb(&e.schema)))
            .collect();
        let data_source_schemas: HashMap<_, _> = self
            .data_sources
            .iter()
            .map(|(n, e)| (n.clone(), schema_to_pb(&e.schema)))
            .collect();
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_pb(&self.provider_schema)),
            resource_schemas,
            data_source_schemas,
            diagnostics: diags_to_pb(&self.schema_diagnostics()),
            server_capabilities: Some(server_capabilities()),
            ..Default::default()
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> RpcResult<pb::get_resource_identity_schemas::Response> {
        tracing::debug!(rpc = "GetResourceIdentitySchemas", "rpc");
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> RpcResult<pb::prepare_provider_config::Response> {
        tracing::debug!(rpc = "PrepareProviderConfig", "rpc");
        let req = request.into_inner();
        let ctx = self.ctx(None);
        let mut diags = Diagnostics::new();
        let mut prepared = None;
        match decode_dv(
            req.config.as_ref(),
            &self.provider_ty,
            "provider configuration",
        ) {
            Ok(config) => {
                diags.extend(write_only_check(&self.provider_schema.block, &config, &ctx));
                diags.extend(self.provider.validate_config(&ctx, &config).await);
                // Terraform ignores prepared_config; echo the config so old versions see no change.
                prepared = req.config;
            }
            Err(d) => diags.extend(d),
        }
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: prepared,
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> RpcResult<pb::configure::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "Configure", terraform_version = %req.terraform_version, "rpc");
        {
            let mut s = self.session();
            s.terraform_version = Some(req.terraform_version.clone()).filter(|v| !v.is_empty());
            s.configure_caps = req
                .client_capabilities
                .as_ref()
                .map(caps_from_pb)
                .unwrap_or_default();
        }
        let ctx = self.ctx(req.client_capabilities.as_ref());
        let diags = match decode_dv(
            req.config.as_ref(),
            &self.provider_ty,
            "provider configuration",
        ) {
            Ok(config) => self.provider.configure(&ctx, &config).await,
            Err(d) => d,
        };
        Ok(Response::new(pb::configure::Response {
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> RpcResult<pb::validate_resource_type_config::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateResourceTypeConfig", type_name = %req.type_name, "rpc");
        let ctx = self.ctx(req.client_capabilities.as_ref());
        let diags = async {
            let e = self.resource(&req.type_name)?;
            let config = decode_dv(req.config.as_ref(), &e.ty, "resource configuration")?;
            let mut diags = write_only_check(&e.schema.block, &config, &ctx);
            diags.extend(e.resource.validate(&ctx, &config).await);
            Ok::<_, Diagnostics>(diags)
        }
        .await
        .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_resource_type_config::Response {
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn validate_data_source_config(
        &self,
        request: Request<pb::validate_data_source_config::Request>,
    ) -> RpcResult<pb::validate_data_source_config::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateDataSourceConfig", type_name = %req.type_name, "rpc");
        let ctx = self.ctx(None);
        let diags = async {
            let e = self.data_source(&req.type_name)?;
            let config = decode_dv(req.config.as_ref(), &e.ty, "data source configuration")?;
            let mut diags = write_only_check(&e.schema.block, &config, &ctx);
            diags.extend(e.data_source.validate(&ctx, &config).await);
            Ok::<_, Diagnostics>(diags)
        }
        .await
        .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_data_source_config::Response {
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "UpgradeResourceState", type_name = %req.type_name, version = req.version, "rpc");
        let ctx = self.ctx(None);
        let (state, diags) = async {
            let e = self.resource(&req.type_name)?;
            let raw = req.raw_state.unwrap_or_default();
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
            let mut resp = e.resource.upgrade_state(&ctx, req.version, &raw.json).await;
            plan::null_write_only(&e.schema.block, &mut resp.state);
            let mut diags = resp.diagnostics;
            if diags.has_errors() && resp.state.is_null() {
                return Err(diags);
            }
            if !require_known(&resp.state, "upgraded state", &mut diags) {
                return Err(diags);
            }
            let dv = encode_into(&resp.state, &e.ty, "upgraded state", &mut diags);
            Ok((dv, diags))
        }
        .await
        .unwrap_or_else(|d| (None, d));
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: state,
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadResource", type_name = %req.type_name, "rpc");
        let ctx = self.ctx(req.client_capabilities.as_ref());
        let private_in = req.private.clone();
        let (state, private, diags) = async {
            let e = self.resource(&req.type_name)?;
            let current = decode_dv(req.current_state.as_ref(), &e.ty, "current state")?;
            let resp = e
                .resource
                .read(
                    &ctx,
                    ReadRequest {
                        current_state: current,
                        private: req.private.clone(),
                    },
                )
                .await;
            let mut new_state = resp.new_state;
            plan::null_write_only(&e.schema.block, &mut new_state);
            let mut diags = resp.diagnostics;
            if !require_known(&new_state, "refreshed state", &mut diags) {
                return Err(diags);
            }
            let dv = encode_into(&new_state, &e.ty, "refreshed state", &mut diags);
            Ok((dv, or_private(resp.private, req.private), diags))
        }
        .await
        .unwrap_or_else(|d| (req.current_state.clone(), private_in, d));
        Ok(Response::new(pb::read_resource::Response {
            new_state: state,
            diagnostics: diags_to_pb(&diags),
            private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "PlanResourceChange", type_name = %req.type_name, "rpc");
        let ctx = self.ctx(req.client_capabilities.as_ref());
        let result = async {
            let e = self.resource(&req.type_name)?;
            let prior = decode_dv(req.prior_state.as_ref(), &e.ty, "prior state")?;
            let proposed = decode_dv(req.proposed_new_state.as_ref(), &e.ty, "proposed new state")?;
            let config = decode_dv(req.config.as_ref(), &e.ty, "configuration")?;
            if proposed.is_null() {
                tracing::debug!(type_name = %req.type_name, "destroy plan: planned state null");
                let dv = encode_dv(&Value::Null, &e.ty, "planned state")?;
                return Ok((
                    Some(dv),
                    Vec::new(),
                    req.prior_private.clone(),
                    Diagnostics::new(),
                ));
            }
            let resp = e
                .resource
                .plan(
                    &ctx,
                    PlanRequest {
                        prior_state: prior,
                        proposed_new_state: proposed,
                        config,
                        prior_private: req.prior_private.clone(),
                    },
                )
                .await;
            let mut planned = resp.planned_state;
            plan::null_write_only(&e.schema.block, &mut planned);
            let mut diags = resp.diagnostics;
            let dv = encode_into(&planned, &e.ty, "planned state", &mut diags);
            let replace = resp.requires_replace.iter().map(path_to_pb).collect();
            Ok((
                dv,
                replace,
                or_private(resp.planned_private, req.prior_private.clone()),
                diags,
            ))
        }
        .await;
        let (planned_state, requires_replace, planned_private, diags) =
            result.unwrap_or_else(|d| (None, Vec::new(), req.prior_private.clone(), d));
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private,
            diagnostics: diags_to_pb(&diags),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let req = request.into_inner();
        let ctx = self.ctx(None);
        let result = async {
            let e = self.resource(&req.type_name)?;
            let prior = decode_dv(req.prior_state.as_ref(), &e.ty, "prior state")?;
            let planned = decode_dv(req.planned_state.as_ref(), &e.ty, "planned state")?;
            let config = decode_dv(req.config.as_ref(), &e.ty, "configuration")?;
            let apply = ApplyRequest {
                prior_state: prior,
                planned_state: planned,
                config,
                planned_private: req.planned_private.clone(),
            };
            tracing::debug!(rpc = "ApplyResourceChange", type_name = %req.type_name, action = ?apply.action(), "rpc");
            let resp = e.resource.apply(&ctx, apply).await;
            let mut new_state = resp.new_state;
            plan::null_write_only(&e.schema.block, &mut new_state);
            let mut diags = resp.diagnostics;
            if !require_known(&new_state, "new state", &mut diags) {
                return Err(diags);
            }
            let dv = encode_into(&new_state, &e.ty, "new state", &mut diags);
            Ok((dv, or_private(resp.private, req.planned_private.clone()), diags))
        }
        .await;
        // On a failure before the resource ran, keep the prior state (nothing changed remotely).
        let (new_state, private, diags) =
            result.unwrap_or_else(|d| (req.prior_state.clone(), req.planned_private.clone(), d));
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private,
            diagnostics: diags_to_pb(&diags),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ImportResourceState", type_name = %req.type_name, "rpc");
        let ctx = self.ctx(req.client_capabilities.as_ref());
        let (imported, diags) = async {
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
            let mut state = resp.state;
            plan::null_write_only(&e.schema.block, &mut state);
            let Some(dv) = encode_into(&state, &e.ty, "imported state", &mut diags) else {
                return Err(diags);
            };
            let imported = pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                state: Some(dv),
                private: resp.private,
                identity: None,
            };
            Ok((vec![imported], diags))
        }
        .await
        .unwrap_or_else(|d| (Vec::new(), d));
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diags_to_pb(&diags),
            deferred: None,
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadDataSource", type_name = %req.type_name, "rpc");
        let ctx = self.ctx(req.client_capabilities.as_ref());
        let (state, diags) = async {
            let e = self.data_source(&req.type_name)?;
            let config = decode_dv(req.config.as_ref(), &e.ty, "data source configuration")?;
            let resp = e.data_source.read(&ctx, &config).await;
            let mut state = resp.state;
            plan::null_write_only(&e.schema.block, &mut state);
            let mut diags = resp.diagnostics;
            if !require_known(&state, "data source state", &mut diags) {
                return Err(diags);
            }
            let dv = encode_into(&state, &e.ty, "data source state", &mut diags);
            Ok((dv, diags))
        }
        .await
        .unwrap_or_else(|d| (None, d));
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diags_to_pb(&diags),
            deferred: None,
        }))
    }

    async fn stop(&self, _request: Request<pb::stop::Request>) -> RpcResult<pb::stop::Response> {
        tracing::debug!(rpc = "Stop", "rpc: cancelling in-flight calls");
        let mut s = self.session();
        s.cancel.cancel();
        s.cancel = CancellationToken::new();
        Ok(Response::new(pb::stop::Response {
            error: String::new(),
        }))
    }
}
