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
    Diagnostics, IdentitySchema, ListRequest, ListResource, PathStep, PlanRequest, ReadRequest,
    Resource, Schema, Severity, Type, Value, identity, json, list, msgpack, plan,
};
use crate::protocol::tfplugin5 as pb;
use pb::provider_server::Provider as ProviderRpc;

/// A resource type with its schema computed once.
struct ResourceEntry {
    resource: Arc<dyn Resource>,
    schema: Schema,
    ty: Type,
    /// The identity schema and its type (Terraform 1.12+).
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

/// The tfplugin5 service around a framework provider.
pub struct ProviderService {
    provider: Arc<dyn framework::Provider>,
    provider_schema: Schema,
    provider_ty: Type,
    resources: BTreeMap<String, ResourceEntry>,
    data_sources: BTreeMap<String, DataSourceEntry>,
    list_resources: BTreeMap<String, ListEntry>,
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
            let identity = resource.identity().map(|i| {
                let t = i.implied_type();
                (i, t)
            });
            resources.insert(
                resource.type_name().to_owned(),
                ResourceEntry {
                    resource,
                    schema,
                    ty,
                    identity,
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
        let mut list_resources = BTreeMap::new();
        for list in provider.list_resources() {
            let schema = list.schema();
            let ty = schema.implied_type();
            list_resources.insert(list.type_name().to_owned(), ListEntry { list, schema, ty });
        }
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

    fn list_resource(&self, type_name: &str) -> Result<&ListEntry, Diagnostics> {
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

    /// The identity Terraform sent, decoded with the resource's identity schema (null when
    /// none was sent or the resource has none).
    fn identity_in(
        e: &ResourceEntry,
        data: Option<&pb::ResourceIdentityData>,
    ) -> Result<Value, Diagnostics> {
        match (&e.identity, data.and_then(|d| d.identity_data.as_ref())) {
            (Some((_, ty)), Some(dv)) => decode_dv(Some(dv), ty, "identity"),
            _ => Ok(Value::Null),
        }
    }

    /// The identity to answer with `state` (see [`identity::answer`]), encoded.
    fn identity_out(
        e: &ResourceEntry,
        state: &Value,
        stored: &Value,
        operation: &str,
        diags: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let (schema, ty) = e.identity.as_ref()?;
        let v = identity::answer(Some(schema), state, stored, operation, diags)?;
        encode_into(&v, ty, "identity", diags).map(|dv| pb::ResourceIdentityData {
            identity_data: Some(dv),
        })
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

/// An identity schema as tfplugin5 carries it.
fn identity_to_pb(i: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: i.version,
        identity_attributes: i
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

/// Checks of the `limit` and `include_resource_object` a `list` block sets, when the client
/// sends them (Terraform 1.14 sends neither; its own checks reject a negative limit).
fn list_arguments_check(req: &pb::validate_list_resource_config::Request) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(dv) = req.limit.as_ref()
        && let Ok(v) = decode_dv(Some(dv), &Type::Number, "limit")
        && v.as_i64().is_some_and(|n| n < 0)
    {
        d.error(
            "Invalid limit",
            "The limit of a list block must be zero or more.",
        );
    }
    d
}

/// One stream event as tfplugin5 carries it.
fn list_event_to_pb(ev: list::StreamEvent, id_ty: &Type, ty: &Type) -> pb::list_resource::Event {
    let mut diags = ev.diagnostics;
    let identity = if ev.identity.is_null() {
        None
    } else {
        encode_into(&ev.identity, id_ty, "identity", &mut diags).map(|dv| {
            pb::ResourceIdentityData {
                identity_data: Some(dv),
            }
        })
    };
    let resource_object = if ev.resource_object.is_null() {
        None
    } else {
        encode_into(&ev.resource_object, ty, "listed object", &mut diags)
    };
    pb::list_resource::Event {
        identity,
        display_name: ev.display_name,
        resource_object,
        diagnostic: diags_to_pb(&diags),
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
            "This attribute is write-only, which needs Terraform 1.11 or OpenTofu 1.11 or \
             later. Upgrade Terraform or OpenTofu, or remove the attribute from the \
             configuration.",
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
            list_resources: self
                .list_resources
                .keys()
                .map(|n| pb::get_metadata::ListResourceMetadata {
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
        let list_resource_schemas: HashMap<_, _> = self
            .list_resources
            .iter()
            .map(|(n, e)| (n.clone(), schema_to_pb(&e.schema)))
            .collect();
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_pb(&self.provider_schema)),
            resource_schemas,
            data_source_schemas,
            list_resource_schemas,
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
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(n, e)| {
                e.identity
                    .as_ref()
                    .map(|(i, _)| (n.clone(), identity_to_pb(i)))
            })
            .collect();
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas,
            diagnostics: diags_to_pb(&self.schema_diagnostics()),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> RpcResult<pb::upgrade_resource_identity::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "UpgradeResourceIdentity", type_name = %req.type_name, version = req.version, "rpc");
        let result = (|| {
            let e = self.resource(&req.type_name)?;
            let Some((schema, ty)) = &e.identity else {
                return Err(Diagnostic::error(
                    "Resource has no identity",
                    format!("{} has no identity to upgrade.", req.type_name),
                )
                .into());
            };
            let raw = req
                .raw_identity
                .as_ref()
                .map(|r| r.json.as_slice())
                .unwrap_or_default();
            let v = identity::upgrade(schema, req.version, raw)?;
            encode_dv(&v, ty, "upgraded identity")
        })();
        let (upgraded_identity, diags) = match result {
            Ok(dv) => (
                Some(pb::ResourceIdentityData {
                    identity_data: Some(dv),
                }),
                Diagnostics::new(),
            ),
            Err(d) => (None, d),
        };
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: diags_to_pb(&diags),
        }))
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
        let (state, private, identity, diags) = async {
            let e = self.resource(&req.type_name)?;
            let current = decode_dv(req.current_state.as_ref(), &e.ty, "current state")?;
            let stored = Self::identity_in(e, req.current_identity.as_ref())?;
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
            let failed = diags.has_errors();
            let identity = Self::identity_out(e, &new_state, &stored, "read", &mut diags);
            if !failed && diags.has_errors() {
                // A changed identity: keep the stored object and identity.
                return Err(diags);
            }
            let dv = encode_into(&new_state, &e.ty, "refreshed state", &mut diags);
            Ok((dv, or_private(resp.private, req.private), identity, diags))
        }
        .await
        .unwrap_or_else(|d| {
            (
                req.current_state.clone(),
                private_in,
                req.current_identity.clone(),
                d,
            )
        });
        Ok(Response::new(pb::read_resource::Response {
            new_state: state,
            diagnostics: diags_to_pb(&diags),
            private,
            new_identity: identity,
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
            let stored = Self::identity_in(e, req.prior_identity.as_ref())?;
            if proposed.is_null() {
                tracing::debug!(type_name = %req.type_name, "destroy plan: planned state null");
                let dv = encode_dv(&Value::Null, &e.ty, "planned state")?;
                return Ok((
                    Some(dv),
                    Vec::new(),
                    req.prior_private.clone(),
                    req.prior_identity.clone(),
                    Diagnostics::new(),
                ));
            }
            let updating = !prior.is_null();
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
            // An update keeps the object's identity; a create or replacement has none yet.
            let identity = if updating && resp.requires_replace.is_empty() {
                Self::identity_out(e, &planned, &stored, "plan", &mut diags)
            } else {
                None
            };
            let dv = encode_into(&planned, &e.ty, "planned state", &mut diags);
            let replace = resp.requires_replace.iter().map(path_to_pb).collect();
            Ok((
                dv,
                replace,
                or_private(resp.planned_private, req.prior_private.clone()),
                identity,
                diags,
            ))
        }
        .await;
        let (planned_state, requires_replace, planned_private, planned_identity, diags) =
            result.unwrap_or_else(|d| (None, Vec::new(), req.prior_private.clone(), None, d));
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private,
            planned_identity,
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
            let stored = Self::identity_in(e, req.planned_identity.as_ref())?;
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
            let identity = Self::identity_out(e, &new_state, &stored, "apply", &mut diags);
            let dv = encode_into(&new_state, &e.ty, "new state", &mut diags);
            Ok((
                dv,
                or_private(resp.private, req.planned_private.clone()),
                identity,
                diags,
            ))
        }
        .await;
        // On a failure before the resource ran, keep the prior state (nothing changed remotely).
        let (new_state, private, new_identity, diags) = result.unwrap_or_else(|d| {
            (
                req.prior_state.clone(),
                req.planned_private.clone(),
                req.planned_identity.clone(),
                d,
            )
        });
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private,
            new_identity,
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
            let by_identity = Self::identity_in(e, req.identity.as_ref())?;
            let resp = if by_identity.is_null() {
                e.resource.import(&ctx, &req.id).await
            } else {
                e.resource.import_identity(&ctx, &by_identity).await
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
            let mut state = resp.state;
            plan::null_write_only(&e.schema.block, &mut state);
            let Some(dv) = encode_into(&state, &e.ty, "imported state", &mut diags) else {
                return Err(diags);
            };
            let identity = Self::identity_out(e, &state, &Value::Null, "import", &mut diags);
            let imported = pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                state: Some(dv),
                private: resp.private,
                identity,
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

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> RpcResult<pb::validate_list_resource_config::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateListResourceConfig", type_name = %req.type_name, "rpc");
        let ctx = self.ctx(None);
        let diags = async {
            let e = self.list_resource(&req.type_name)?;
            let config = decode_dv(req.config.as_ref(), &e.ty, "list configuration")?;
            let mut d = list_arguments_check(&req);
            d.extend(e.list.validate(&ctx, &config).await);
            Ok::<_, Diagnostics>(d)
        }
        .await
        .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> RpcResult<tonic::codegen::BoxStream<pb::list_resource::Event>> {
        use tokio_stream::StreamExt as _;
        let req = request.into_inner();
        tracing::debug!(rpc = "ListResource", type_name = %req.type_name, limit = req.limit, include = req.include_resource_object, "rpc");
        let ctx = self.ctx(None);
        let started = (|| {
            let l = self.list_resource(&req.type_name)?;
            let e = self.resource(&req.type_name)?;
            let Some((identity, id_ty)) = e.identity.clone() else {
                return Err(Diagnostics::from(Diagnostic::error(
                    "List resource without identity",
                    "This is a bug in the provider: the listed resource type has no identity.",
                )));
            };
            let config = decode_dv(req.config.as_ref(), &l.ty, "list configuration")?;
            let rx = list::stream(
                l.list.clone(),
                identity,
                e.schema.clone(),
                ctx,
                ListRequest {
                    config,
                    include_resource_object: req.include_resource_object,
                    limit: req.limit,
                },
            );
            Ok((rx, id_ty, e.ty.clone()))
        })();
        let stream: tonic::codegen::BoxStream<pb::list_resource::Event> = match started {
            Ok((rx, id_ty, ty)) => Box::pin(
                tokio_stream::wrappers::ReceiverStream::new(rx)
                    .map(move |ev| Ok(list_event_to_pb(ev, &id_ty, &ty))),
            ),
            Err(d) => Box::pin(tokio_stream::once(Ok(pb::list_resource::Event {
                diagnostic: diags_to_pb(&d),
                ..Default::default()
            }))),
        };
        Ok(Response::new(stream))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{
        ApplyAction, ApplyResponse, Attribute, Block, ImportResponse, ReadDataResponse,
        ReadResponse,
    };
    use async_trait::async_trait;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Thing {
        plans: AtomicUsize,
        seen_version: Mutex<Option<String>>,
        seen_caps: Mutex<Option<ClientCapabilities>>,
    }

    fn thing_schema() -> Schema {
        Schema::new(
            1,
            Block::new()
                .description("A **thing**.")
                .attribute(Attribute::new("id", Type::String).computed())
                .attribute(
                    Attribute::new("name", Type::String)
                        .required()
                        .description("Name."),
                )
                .attribute(Attribute::new("mode", Type::String).optional().computed())
                .attribute(
                    Attribute::new("secret", Type::String)
                        .optional()
                        .sensitive()
                        .write_only(),
                ),
        )
    }

    #[async_trait]
    impl Resource for Thing {
        fn type_name(&self) -> &str {
            "test_thing"
        }
        fn schema(&self) -> Schema {
            thing_schema()
        }
        async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
            let mut d = Diagnostics::new();
            if config.attr_str("name") == Some("") {
                d.error_at(AttributePath::attr_path("name"), "empty name", "");
            }
            d
        }
        async fn read(&self, ctx: &Ctx, req: ReadRequest) -> ReadResponse {
            *self.seen_caps.lock().unwrap() = Some(ctx.client_capabilities);
            if req.current_state.attr_str("name") == Some("gone") {
                return ReadResponse::default();
            }
            ReadResponse {
                new_state: req.current_state,
                ..Default::default()
            }
        }
        async fn plan(&self, ctx: &Ctx, req: PlanRequest) -> framework::PlanResponse {
            self.plans.fetch_add(1, Ordering::SeqCst);
            let _ = ctx;
            let mut planned = plan::mark_computed_unknown_if_changed(
                &thing_schema(),
                &req.prior_state,
                &req.proposed_new_state,
                &req.config,
            );
            plan::use_state_for_unknown(
                &mut planned,
                &req.prior_state,
                &req.config,
                &[AttributePath::attr_path("id")],
            );
            // Deliberately keeps the write-only value: the host must null it.
            planned.set_attr(
                "secret",
                req.config.get_attr("secret").cloned().unwrap_or_default(),
            );
            let requires_replace = plan::requires_replace(
                &req.prior_state,
                &planned,
                &[AttributePath::attr_path("name")],
            );
            framework::PlanResponse {
                planned_state: planned,
                requires_replace,
                ..Default::default()
            }
        }
        async fn apply(&self, ctx: &Ctx, req: ApplyRequest) -> ApplyResponse {
            *self.seen_version.lock().unwrap() = ctx.terraform_version.clone();
            if req.action() == ApplyAction::Delete {
                return ApplyResponse::default();
            }
            let mut s = req.planned_state.clone();
            match s.attr_str("name") {
                Some("slow") => {
                    ctx.cancel.cancelled().await;
                    let mut diagnostics = Diagnostics::new();
                    diagnostics.error("cancelled", "");
                    return ApplyResponse {
                        diagnostics,
                        ..Default::default()
                    };
                }
                Some("buggy") => {
                    return ApplyResponse {
                        new_state: s,
                        ..Default::default()
                    };
                }
                _ => {}
            }
            s.set_attr("id", Value::from("id-1"));
            if s.get_attr("mode").is_none_or(|m| m.is_unknown()) {
                s.set_attr("mode", Value::from("default"));
            }
            s.set_attr("secret", Value::from("leak"));
            ApplyResponse {
                new_state: s,
                private: b"p1".to_vec(),
                ..Default::default()
            }
        }
        async fn import(&self, _ctx: &Ctx, id: &str) -> ImportResponse {
            if id == "missing" {
                return ImportResponse::default();
            }
            ImportResponse {
                state: Value::object([("id", Value::from(id)), ("name", Value::from("imported"))]),
                private: b"imp".to_vec(),
                ..Default::default()
            }
        }
    }

    struct Things;
    #[async_trait]
    impl DataSource for Things {
        fn type_name(&self) -> &str {
            "test_things"
        }
        fn schema(&self) -> Schema {
            Schema::new(
                0,
                Block::new()
                    .attribute(Attribute::new("names", Type::list(Type::String)).computed()),
            )
        }
        async fn read(&self, _ctx: &Ctx, _config: &Value) -> ReadDataResponse {
            ReadDataResponse {
                state: Value::object([("names", Value::List(vec![Value::from("a")]))]),
                ..Default::default()
            }
        }
    }

    struct Prov {
        thing: Arc<Thing>,
        bad_schema: bool,
    }
    #[async_trait]
    impl framework::Provider for Prov {
        fn schema(&self) -> Schema {
            let mut b = Block::new()
                .attribute(Attribute::new("token", Type::String).optional().sensitive());
            if self.bad_schema {
                b = b.attribute(Attribute::new("Bad", Type::String));
            }
            Schema::new(0, b)
        }
        fn resources(&self) -> Vec<Arc<dyn Resource>> {
            vec![self.thing.clone()]
        }
        fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
            vec![Arc::new(Things)]
        }
        async fn configure(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
            let mut d = Diagnostics::new();
            if config.attr_str("token") == Some("bad") {
                d.error_at(AttributePath::attr_path("token"), "bad token", "");
            }
            d
        }
    }

    fn service() -> (Arc<ProviderService>, Arc<Thing>) {
        let thing = Arc::new(Thing::default());
        let svc = ProviderService::new(Arc::new(Prov {
            thing: thing.clone(),
            bad_schema: false,
        }));
        (Arc::new(svc), thing)
    }

    fn ty() -> Type {
        thing_schema().implied_type()
    }

    fn dv(v: &Value) -> Option<pb::DynamicValue> {
        Some(pb::DynamicValue {
            msgpack: msgpack::encode(v, &ty()).unwrap(),
            json: vec![],
        })
    }

    fn undv(d: &Option<pb::DynamicValue>) -> Value {
        msgpack::decode(&d.as_ref().unwrap().msgpack, &ty()).unwrap()
    }

    fn thing(name: &str, id: Value, mode: Value, secret: Value) -> Value {
        Value::object([
            ("id", id),
            ("name", Value::from(name)),
            ("mode", mode),
            ("secret", secret),
        ])
    }

    fn errors(d: &[pb::Diagnostic]) -> Vec<String> {
        d.iter()
            .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
            .map(|d| d.summary.clone())
            .collect()
    }

    fn attr_of(d: &pb::Diagnostic) -> Vec<String> {
        use pb::attribute_path::step::Selector;
        d.attribute
            .as_ref()
            .map(|p| {
                p.steps
                    .iter()
                    .map(|s| match &s.selector {
                        Some(Selector::AttributeName(n)) => n.clone(),
                        other => format!("{other:?}"),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn get_schema_is_markdown_with_capabilities() {
        let (svc, _) = service();
        let r = svc
            .get_schema(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty());
        let caps = r.server_capabilities.unwrap();
        assert!(
            caps.plan_destroy && caps.get_provider_schema_optional && !caps.move_resource_state
        );
        let s = &r.resource_schemas["test_thing"];
        assert_eq!(s.version, 1);
        let b = s.block.as_ref().unwrap();
        assert_eq!(b.description, "A **thing**.");
        assert_eq!(b.description_kind, pb::StringKind::Markdown as i32);
        let secret = b.attributes.iter().find(|a| a.name == "secret").unwrap();
        assert!(secret.write_only && secret.sensitive && secret.optional);
        assert_eq!(secret.r#type, b"\"string\"");
        assert!(r.data_source_schemas.contains_key("test_things"));
        assert!(r.provider.unwrap().block.is_some());
        let ids = svc
            .get_resource_identity_schemas(Request::new(Default::default()))
            .await
            .unwrap();
        assert!(ids.into_inner().identity_schemas.is_empty());
    }

    #[tokio::test]
    async fn invalid_schema_is_reported() {
        let svc = ProviderService::new(Arc::new(Prov {
            thing: Arc::new(Thing::default()),
            bad_schema: true,
        }));
        let r = svc
            .get_schema(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            errors(&r.diagnostics),
            ["Invalid provider schema for the provider"]
        );
        assert!(
            r.diagnostics[0]
                .detail
                .contains("Bad: name may contain only")
        );
    }

    #[tokio::test]
    async fn every_error_path_is_a_diagnostic() {
        let (svc, _) = service();
        let garbage = Some(pb::DynamicValue {
            msgpack: vec![0x92, 0x01],
            json: vec![],
        });
        let unknown = "test_nope".to_string();
        // Unknown type names.
        let r = svc
            .validate_resource_type_config(Request::new(
                pb::validate_resource_type_config::Request {
                    type_name: unknown.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Unknown resource type"]);
        let r = svc
            .validate_data_source_config(Request::new(pb::validate_data_source_config::Request {
                type_name: unknown.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Unknown data source type"]);
        let r = svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: unknown.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Unknown resource type"]);
        let r = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: unknown.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Unknown resource type"]);
        let r = svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: unknown.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Unknown resource type"]);
        let r = svc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: unknown.clone(),
                id: "x".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Unknown resource type"]);
        let r = svc
            .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: unknown.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Unknown resource type"]);
        let r = svc
            .read_data_source(Request::new(pb::read_data_source::Request {
                type_name: unknown,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Unknown data source type"]);

        // Undecodable values.
        let r = svc
            .validate_resource_type_config(Request::new(
                pb::validate_resource_type_config::Request {
                    type_name: "test_thing".into(),
                    config: garbage.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Invalid resource configuration"]);
        let r = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: "test_thing".into(),
                proposed_new_state: garbage.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Invalid proposed new state"]);
        let r = svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: "test_thing".into(),
                planned_state: garbage.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Invalid planned state"]);
        let r = svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: "test_thing".into(),
                current_state: garbage.clone(),
                private: b"keep".to_vec(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Invalid current state"]);
        assert_eq!(r.private, b"keep");
        let r = svc
            .configure(Request::new(pb::configure::Request {
                config: garbage.clone(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Invalid provider configuration"]);
        let r = svc
            .prepare_provider_config(Request::new(pb::prepare_provider_config::Request {
                config: garbage.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["Invalid provider configuration"]);
        let r = svc
            .read_data_source(Request::new(pb::read_data_source::Request {
                type_name: "test_things".into(),
                config: garbage,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            errors(&r.diagnostics),
            ["Invalid data source configuration"]
        );
        // A partial object (missing attributes) is a decode error with a clear message.
        let partial = msgpack::encode(
            &Value::map([("name", Value::from("x"))]),
            &Type::map(Type::String),
        )
        .unwrap();
        let r = svc
            .validate_resource_type_config(Request::new(
                pb::validate_resource_type_config::Request {
                    type_name: "test_thing".into(),
                    config: Some(pb::DynamicValue {
                        msgpack: partial,
                        json: vec![],
                    }),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(
            r.diagnostics[0]
                .detail
                .contains("4 attributes is required (1 given)"),
            "{:?}",
            r.diagnostics
        );
    }

    #[tokio::test]
    async fn validate_passes_resource_diagnostics_and_checks_write_only() {
        let (svc, _) = service();
        let call = |cfg: Value, wo: bool| {
            let svc = svc.clone();
            async move {
                svc.validate_resource_type_config(Request::new(
                    pb::validate_resource_type_config::Request {
                        type_name: "test_thing".into(),
                        config: dv(&cfg),
                        client_capabilities: Some(pb::ClientCapabilities {
                            write_only_attributes_allowed: wo,
                            deferral_allowed: false,
                        }),
                    },
                ))
                .await
                .unwrap()
                .into_inner()
                .diagnostics
            }
        };
        let with_secret = thing("n", Value::Null, Value::Null, Value::from("s"));
        let d = call(with_secret.clone(), false).await;
        assert_eq!(errors(&d), ["Write-only attribute not supported"]);
        assert_eq!(attr_of(&d[0]), ["secret"]);
        assert!(call(with_secret, true).await.is_empty());
        assert!(
            call(thing("n", Value::Null, Value::Null, Value::Null), false)
                .await
                .is_empty()
        );
        // An unknown write-only value is still "set".
        assert_eq!(
            call(thing("n", Value::Null, Value::Null, Value::Unknown), false)
                .await
                .len(),
            1
        );
        let d = call(thing("", Value::Null, Value::Null, Value::Null), true).await;
        assert_eq!(errors(&d), ["empty name"]);
        assert_eq!(attr_of(&d[0]), ["name"]);
    }

    #[tokio::test]
    async fn plan_create_update_destroy() {
        let (svc, thing_res) = service();
        let plan = |prior: Value, proposed: Value, config: Value, private: &[u8]| {
            let svc = svc.clone();
            let private = private.to_vec();
            async move {
                svc.plan_resource_change(Request::new(pb::plan_resource_change::Request {
                    type_name: "test_thing".into(),
                    prior_state: dv(&prior),
                    proposed_new_state: dv(&proposed),
                    config: dv(&config),
                    prior_private: private,
                    ..Default::default()
                }))
                .await
                .unwrap()
                .into_inner()
            }
        };
        // Create: computed attributes unknown, write-only nulled although the resource kept it.
        let cfg = thing("a", Value::Null, Value::Null, Value::from("s"));
        let r = plan(Value::Null, cfg.clone(), cfg, b"").await;
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(
            undv(&r.planned_state),
            thing("a", Value::Unknown, Value::Unknown, Value::Null)
        );
        assert!(r.requires_replace.is_empty());

        // No change: planned == prior, private passed through.
        let prior = thing("a", Value::from("id-1"), Value::from("m"), Value::Null);
        let cfg = thing("a", Value::Null, Value::Null, Value::Null);
        let r = plan(prior.clone(), prior.clone(), cfg, b"priv").await;
        assert_eq!(undv(&r.planned_state), prior);
        assert_eq!(r.planned_private, b"priv");

        // Rename: requires replace on name, id kept from state.
        let cfg = thing("b", Value::Null, Value::Null, Value::Null);
        let proposed = thing("b", Value::from("id-1"), Value::from("m"), Value::Null);
        let r = plan(prior.clone(), proposed, cfg, b"").await;
        assert_eq!(
            undv(&r.planned_state),
            thing("b", Value::from("id-1"), Value::Unknown, Value::Null)
        );
        assert_eq!(
            r.requires_replace,
            vec![path_to_pb(&AttributePath::attr_path("name"))]
        );

        // Destroy: null planned state, resource not called, private kept.
        let before = thing_res.plans.load(Ordering::SeqCst);
        let r = plan(prior, Value::Null, Value::Null, b"pp").await;
        assert_eq!(undv(&r.planned_state), Value::Null);
        assert_eq!(r.planned_private, b"pp");
        assert!(r.diagnostics.is_empty());
        assert_eq!(thing_res.plans.load(Ordering::SeqCst), before);
    }

    #[tokio::test]
    async fn apply_configure_and_private() {
        let (svc, thing_res) = service();
        let r = svc
            .configure(Request::new(pb::configure::Request {
                terraform_version: "1.0.3".into(),
                config: Some(pb::DynamicValue {
                    msgpack: msgpack::encode(
                        &Value::object([("token", Value::from("bad"))]),
                        &svc.provider_ty,
                    )
                    .unwrap(),
                    json: vec![],
                }),
                client_capabilities: None,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(errors(&r.diagnostics), ["bad token"]);
        let planned = thing("a", Value::Unknown, Value::Unknown, Value::Null);
        let cfg = thing("a", Value::Null, Value::Null, Value::from("s"));
        let r = svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: "test_thing".into(),
                prior_state: dv(&Value::Null),
                planned_state: dv(&planned),
                config: dv(&cfg),
                planned_private: b"pl".to_vec(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        // The write-only value the resource returned never reaches state.
        assert_eq!(
            undv(&r.new_state),
            thing(
                "a",
                Value::from("id-1"),
                Value::from("default"),
                Value::Null
            )
        );
        assert_eq!(r.private, b"p1");
        assert_eq!(
            thing_res.seen_version.lock().unwrap().as_deref(),
            Some("1.0.3")
        );

        // Delete: null state; private from plan kept when the resource returns none.
        let r = svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: "test_thing".into(),
                prior_state: dv(&thing(
                    "a",
                    Value::from("id-1"),
                    Value::from("m"),
                    Value::Null,
                )),
                planned_state: dv(&Value::Null),
                planned_private: b"pl".to_vec(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(undv(&r.new_state), Value::Null);
        assert_eq!(r.private, b"pl");

        // A resource leaving unknowns in new state gets an error, not a corrupt state.
        let r = svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: "test_thing".into(),
                planned_state: dv(&thing("buggy", Value::Unknown, Value::Unknown, Value::Null)),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            errors(&r.diagnostics),
            ["Provider returned an unknown value in the new state"]
        );
    }

    #[tokio::test]
    async fn read_gone_private_and_capabilities() {
        let (svc, thing_res) = service();
        let read = |state: Value, caps: Option<pb::ClientCapabilities>| {
            let svc = svc.clone();
            async move {
                svc.read_resource(Request::new(pb::read_resource::Request {
                    type_name: "test_thing".into(),
                    current_state: dv(&state),
                    private: b"stored".to_vec(),
                    client_capabilities: caps,
                    ..Default::default()
                }))
                .await
                .unwrap()
                .into_inner()
            }
        };
        let s = thing("a", Value::from("i"), Value::from("m"), Value::Null);
        let r = read(
            s.clone(),
            Some(pb::ClientCapabilities {
                deferral_allowed: true,
                write_only_attributes_allowed: true,
            }),
        )
        .await;
        assert_eq!(undv(&r.new_state), s);
        assert_eq!(r.private, b"stored");
        assert_eq!(
            *thing_res.seen_caps.lock().unwrap(),
            Some(ClientCapabilities {
                deferral_allowed: true,
                write_only_attributes_allowed: true
            })
        );
        let r = read(
            thing("gone", Value::from("i"), Value::Null, Value::Null),
            None,
        )
        .await;
        assert_eq!(undv(&r.new_state), Value::Null);
        assert_eq!(
            *thing_res.seen_caps.lock().unwrap(),
            Some(ClientCapabilities::default())
        );
    }

    #[tokio::test]
    async fn upgrade_state_rules() {
        let (svc, _) = service();
        let up = |json: &[u8], flatmap: bool, version: i64| {
            let svc = svc.clone();
            let json = json.to_vec();
            async move {
                let mut fm = HashMap::new();
                if flatmap {
                    fm.insert("id".to_string(), "x".to_string());
                }
                svc.upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                    type_name: "test_thing".into(),
                    version,
                    raw_state: Some(pb::RawState { json, flatmap: fm }),
                }))
                .await
                .unwrap()
                .into_inner()
            }
        };
        let r = up(
            br#"{"id":"i","name":"a","removed_attr":true,"secret":"s"}"#,
            false,
            0,
        )
        .await;
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(
            undv(&r.upgraded_state),
            thing("a", Value::from("i"), Value::Null, Value::Null)
        );
        let r = up(b"", true, 0).await;
        assert_eq!(errors(&r.diagnostics), ["Unsupported stored state"]);
        assert!(r.upgraded_state.is_none());
        let r = up(br#"{"id":"i"}"#, false, 2).await;
        assert_eq!(
            errors(&r.diagnostics),
            ["Stored state is from a newer provider"]
        );
        let r = up(b"{not json", false, 1).await;
        assert_eq!(errors(&r.diagnostics), ["Invalid stored state"]);
    }

    #[tokio::test]
    async fn import_and_data_source() {
        let (svc, _) = service();
        let r = svc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: "test_thing".into(),
                id: "abc".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.imported_resources.len(), 1);
        let imp = &r.imported_resources[0];
        assert_eq!(imp.type_name, "test_thing");
        assert_eq!(imp.private, b"imp");
        assert_eq!(
            undv(&imp.state),
            thing("imported", Value::from("abc"), Value::Null, Value::Null)
        );
        let r = svc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: "test_thing".into(),
                id: "missing".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(r.imported_resources.is_empty());
        assert_eq!(
            errors(&r.diagnostics),
            ["Cannot import non-existent remote object"]
        );

        let r = svc
            .read_data_source(Request::new(pb::read_data_source::Request {
                type_name: "test_things".into(),
                config: None,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let ty = Type::object([("names", Type::list(Type::String))]);
        let v = msgpack::decode(&r.state.unwrap().msgpack, &ty).unwrap();
        assert_eq!(
            v.get_attr("names"),
            Some(&Value::List(vec![Value::from("a")]))
        );
    }

    #[tokio::test]
    async fn stop_cancels_in_flight_calls_only() {
        let (svc, _) = service();
        let svc2 = svc.clone();
        let slow = tokio::spawn(async move {
            svc2.apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: "test_thing".into(),
                planned_state: dv(&thing("slow", Value::Unknown, Value::Unknown, Value::Null)),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
        });
        // Let the apply start waiting on its token.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!slow.is_finished());
        let r = svc
            .stop(Request::new(pb::stop::Request {}))
            .await
            .unwrap()
            .into_inner();
        assert!(r.error.is_empty());
        let done = tokio::time::timeout(std::time::Duration::from_secs(5), slow)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(errors(&done.diagnostics), ["cancelled"]);
        // Later calls get a fresh token and still work.
        assert!(!svc.ctx(None).is_cancelled());
        let r = svc
            .get_schema(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert!(r.resource_schemas.contains_key("test_thing"));
    }
}
