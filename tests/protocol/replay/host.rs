//! A replaying host: the calls one Terraform or OpenTofu version makes, with that version's request
//! fields, and the checks it applies to each answer. Every call is logged in `calls`, so a test
//! can assert the sequence, and every check failure comes back as the summary the version prints
//! (`Err(vec![…])`). Sources: `docs/protocol-replay.md`, and the comments below (file@tag).
//!
//! The host works from the schemas the provider *answers*, never from the provider crate's own
//! schema code: attribute types are read from the `GetSchema` JSON type bytes, as Terraform's
//! `convert.ProtoToProviderSchema` does.

#![allow(dead_code)] // Not every replay uses every call.

use std::collections::BTreeMap;

use terraform_provider_docusign::framework::{Type, Value, msgpack};
use terraform_provider_docusign::protocol::tfplugin5 as pb;
use terraform_provider_docusign::protocol::tfplugin5::provider_client::ProviderClient;
use tonic::transport::Channel;

use crate::support::{Launch, Plugin};

/// One replayed client version.
#[derive(Debug)]
pub struct Version {
    /// As shown in assertion messages, e.g. "Terraform 1.12".
    pub name: &'static str,
    /// The repository and tag the sequence was read from.
    pub source: &'static str,
    /// `Configure.terraform_version`.
    pub version: &'static str,
    /// Calls `GetResourceIdentitySchemas` and sends/reads identities (protocol 5.9).
    pub identity: bool,
    /// Reads `list_resource_schemas` and calls `ListResource` (`terraform query`).
    pub list: bool,
    /// Client capabilities sent with validate/configure/read/plan/import (None: field absent).
    pub caps: Option<pb::ClientCapabilities>,
    /// Reads `server_capabilities.generate_resource_config`.
    pub reads_generate_config: bool,
    /// Rejects a value in a write-only attribute of any returned state.
    pub checks_write_only: bool,
}

/// Terraform 1.12: identity, no list resources. Capabilities:
/// `internal/terraform/eval_context_builtin.go@v1.12.2` (`ClientCapabilities`).
pub const TERRAFORM_1_12: Version = Version {
    name: "Terraform 1.12",
    source: "hashicorp/terraform@v1.12.2",
    version: "1.12.2",
    identity: true,
    list: false,
    caps: Some(pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    }),
    reads_generate_config: false,
    checks_write_only: true,
};

/// Terraform 1.14 (`terraform query`); 1.15 is the same on these paths (`v1.15.9` compared).
pub const TERRAFORM_1_14: Version = Version {
    name: "Terraform 1.14",
    source: "hashicorp/terraform@v1.14.9",
    version: "1.14.9",
    identity: true,
    list: true,
    caps: Some(pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    }),
    reads_generate_config: true,
    checks_write_only: true,
};

/// OpenTofu 1.10: no identity, no list, no client capabilities
/// (`internal/plugin/grpc_provider.go@v1.10.10` never sets the field).
pub const OPENTOFU_1_10: Version = Version {
    name: "OpenTofu 1.10",
    source: "opentofu/opentofu@v1.10.10",
    version: "1.10.10",
    identity: false,
    list: false,
    caps: None,
    reads_generate_config: false,
    checks_write_only: false,
};

/// OpenTofu 1.11: write-only attributes (`clientCapabilities` and `validation.WriteOnlyAttributes`
/// in `internal/plugin/grpc_provider.go@v1.11.14`), still no identity.
pub const OPENTOFU_1_11: Version = Version {
    name: "OpenTofu 1.11",
    source: "opentofu/opentofu@v1.11.14",
    version: "1.11.14",
    identity: false,
    list: false,
    caps: Some(pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    }),
    reads_generate_config: false,
    checks_write_only: true,
};

/// Every replayed version.
pub const ALL: [&Version; 4] = [
    &TERRAFORM_1_12,
    &TERRAFORM_1_14,
    &OPENTOFU_1_10,
    &OPENTOFU_1_11,
];

/// An identity schema as `convert.ProtoToIdentitySchema` reads it.
#[derive(Debug, Clone)]
pub struct IdentitySchema {
    pub version: i64,
    /// Attribute name → (type, required_for_import).
    pub attributes: BTreeMap<String, (Type, bool)>,
}

impl IdentitySchema {
    /// The object type identities are encoded with.
    pub fn ty(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|(n, (t, _))| (n.clone(), t.clone())),
        )
    }
}

/// A managed resource type as the host holds it.
#[derive(Debug, Clone)]
pub struct ResourceType {
    pub ty: Type,
    /// Top-level attributes: name → (computed, optional, write_only).
    pub attributes: BTreeMap<String, (bool, bool, bool)>,
    pub identity: Option<IdentitySchema>,
}

/// What the host kept of the schema answers.
#[derive(Debug, Clone)]
pub struct Schemas {
    pub provider: Type,
    pub resources: BTreeMap<String, ResourceType>,
    /// List resource type → the type of its `config` block.
    pub list_resources: BTreeMap<String, Type>,
    /// The capabilities this version keeps (others read as false).
    pub caps: pb::ServerCapabilities,
    /// Function names the schema declared (OpenTofu and Terraform read them).
    pub functions: Vec<String>,
    pub ephemeral_resources: Vec<String>,
}

/// A resource instance object as stored in state.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub state: Value,
    pub private: Vec<u8>,
    /// Null when the version keeps no identity or the provider returned none.
    pub identity: Value,
}

/// A planned change.
#[derive(Debug, Clone)]
pub struct Planned {
    pub state: Value,
    pub private: Vec<u8>,
    pub identity: Value,
    pub requires_replace: usize,
}

/// What `ImportResourceState` is given.
pub enum ImportTarget {
    Id(String),
    Identity(Value),
}

/// One result of a `ListResource` stream, as Terraform keeps it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub display_name: String,
    pub identity: Value,
    /// Null unless the object was requested.
    pub object: Value,
}

/// The result of a `ListResource` call.
#[derive(Debug, Clone)]
pub struct ListResult {
    pub results: Vec<Listed>,
    /// Warning summaries seen on the stream.
    pub warnings: Vec<String>,
}

/// Check failures, as the summaries (and details) the version would print.
pub type Checked<T> = Result<T, Vec<String>>;

/// A provider process driven as `version` drives it.
pub struct Host {
    pub version: &'static Version,
    pub plugin: Plugin,
    pub provider: ProviderClient<Channel>,
    /// The RPCs called, in order.
    pub calls: Vec<&'static str>,
    pub schemas: Option<Schemas>,
}

/// The cty type a block implies (`configschema.Block.ImpliedType`).
pub fn block_type(block: &pb::schema::Block) -> Type {
    use pb::schema::nested_block::NestingMode;
    let mut attrs: BTreeMap<String, Type> = BTreeMap::new();
    for a in &block.attributes {
        attrs.insert(
            a.name.clone(),
            Type::from_json_bytes(&a.r#type).unwrap_or(Type::Dynamic),
        );
    }
    for b in &block.block_types {
        let inner = b.block.as_ref().map(block_type).unwrap_or(Type::Dynamic);
        let ty = match NestingMode::try_from(b.nesting).unwrap_or(NestingMode::Invalid) {
            NestingMode::List => Type::list(inner),
            NestingMode::Set => Type::set(inner),
            NestingMode::Map => Type::map(inner),
            _ => inner,
        };
        attrs.insert(b.type_name.clone(), ty);
    }
    Type::Object(attrs)
}

/// An object of type `ty` (an object type) with every attribute null but `set`.
pub fn null_object_of(ty: &Type, set: &[(&str, Value)]) -> Value {
    let Type::Object(attrs) = ty else {
        panic!("not an object type: {ty:?}");
    };
    let mut out: BTreeMap<String, Value> = attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
    for (k, v) in set {
        assert!(out.contains_key(*k), "no attribute {k}");
        out.insert((*k).to_owned(), v.clone());
    }
    Value::Object(out)
}

/// `v` as a msgpack DynamicValue of type `ty` (the host's own values must encode).
pub fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: msgpack::encode(v, ty).expect("the replay's own value encodes"),
        json: Vec::new(),
    })
}

/// Decodes a DynamicValue the way `decodeDynamicValue` in `grpc_provider.go` does: msgpack
/// against the schema type, an absent value being null.
fn decode(d: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Checked<Value> {
    match d {
        None => Ok(Value::Null),
        Some(d) if d.msgpack.is_empty() && d.json.is_empty() => Ok(Value::Null),
        Some(d) => msgpack::decode(&d.msgpack, ty).map_err(|e| vec![format!("{what}: {e}")]),
    }
}

/// The identity in `data`, decoded with `schema` (`decodeDynamicValue(…, Identity.ImpliedType())`).
/// A type mismatch is what `validateIdentity` reports as *Provider produced an identity that
/// doesn't match the schema* (`internal/terraform/node_resource_abstract_instance.go`).
fn decode_identity(
    data: Option<&pb::ResourceIdentityData>,
    schema: Option<&IdentitySchema>,
) -> Checked<Value> {
    let Some(dv) = data.and_then(|d| d.identity_data.as_ref()) else {
        return Ok(Value::Null);
    };
    let Some(schema) = schema else {
        return Err(vec!["unknown identity type (no identity schema)".into()]);
    };
    let v = decode(Some(dv), &schema.ty(), "identity").map_err(|e| {
        e.into_iter()
            .map(|m| format!("Provider produced an identity that doesn't match the schema: {m}"))
            .collect::<Vec<_>>()
    })?;
    if !v.is_null() && !v.is_wholly_known() {
        // validateIdentityKnown
        return Err(vec![
            "Provider produced invalid identity: an identity with unknown values".into(),
        ]);
    }
    Ok(v)
}

/// The `summary: detail` of every error diagnostic, and the warnings.
fn split(diags: &[pb::Diagnostic]) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for d in diags {
        let text = format!("{}: {}", d.summary, d.detail);
        if d.severity == pb::diagnostic::Severity::Error as i32 {
            errors.push(text);
        } else {
            warnings.push(text);
        }
    }
    (errors, warnings)
}

fn errors_of(diags: &[pb::Diagnostic]) -> Checked<()> {
    let (errors, _) = split(diags);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A gRPC status as `grpcErr` in `internal/plugin/grpc_error.go` renders it.
pub fn grpc_err(method: &str, status: &tonic::Status) -> String {
    match status.code() {
        tonic::Code::Unavailable => format!(
            "Plugin did not respond: The plugin encountered an error, and failed to respond to \
             the {method} call."
        ),
        tonic::Code::Cancelled => format!("Request cancelled: The {method} request was cancelled."),
        tonic::Code::Unimplemented => format!(
            "Unsupported plugin method: The {method} method is not supported by this plugin."
        ),
        _ => format!(
            "Plugin error: The plugin returned an unexpected error from {method}: {}",
            status.message()
        ),
    }
}

/// Write-only attributes holding a value in `state` (`ephemeral.ValidateWriteOnlyAttributes`).
fn write_only_set(rt: &ResourceType, state: &Value) -> Vec<String> {
    rt.attributes
        .iter()
        .filter(|(_, (_, _, wo))| *wo)
        .filter(|(n, _)| state.get_attr(n).is_some_and(|v| !v.is_null()))
        .map(|(n, _)| format!("a value for the write-only attribute {n:?}"))
        .collect()
}

/// terraform-plugin-framework's rule (see the callers): an identity the provider answers equals
/// the one held for the object, when both are set.
fn identity_unchanged(operation: &str, held: &Value, new: &Value) -> Checked<()> {
    if held.is_null() || new.is_null() || held == new {
        return Ok(());
    }
    Err(vec![format!(
        "Unexpected Identity Change: During the {operation} operation, the provider returned a \
         different identity than the previously stored one. Held Identity: {held:?} New \
         Identity: {new:?}"
    )])
}

impl Host {
    /// The write-only check of the versions that make it (`checks_write_only`).
    fn check_write_only(&self, rt: &ResourceType, state: &Value) -> Checked<()> {
        if !self.version.checks_write_only {
            return Ok(());
        }
        let wo = write_only_set(rt, state);
        if wo.is_empty() { Ok(()) } else { Err(wo) }
    }

    /// Launches the provider as go-plugin does and connects, without any call yet.
    pub async fn launch(version: &'static Version) -> Self {
        let plugin = Plugin::launch_with(Launch {
            env: vec![("TF_LOG_PROVIDER".into(), "debug".into())],
            ..Launch::default()
        });
        let provider = plugin.provider().await;
        Self {
            version,
            plugin,
            provider,
            calls: Vec::new(),
            schemas: None,
        }
    }

    pub fn schemas(&self) -> &Schemas {
        self.schemas.as_ref().expect("GetProviderSchema ran")
    }

    pub fn resource(&self, type_name: &str) -> &ResourceType {
        self.schemas()
            .resources
            .get(type_name)
            .unwrap_or_else(|| panic!("no resource type {type_name}"))
    }

    /// `GetProviderSchema` of `internal/plugin/grpc_provider.go`: `GetSchema`, then (Terraform
    /// 1.12+) `GetResourceIdentitySchemas`, UNIMPLEMENTED meaning none.
    pub async fn get_provider_schema(&mut self) -> Checked<()> {
        self.calls.push("GetSchema");
        let resp = self
            .provider
            .get_schema(pb::get_provider_schema::Request {})
            .await
            .map_err(|s| vec![grpc_err("GetProviderSchema", &s)])?
            .into_inner();
        errors_of(&resp.diagnostics)?;
        let Some(provider) = resp.provider.as_ref() else {
            return Err(vec!["missing provider schema".into()]);
        };
        let mut identities: BTreeMap<String, IdentitySchema> = BTreeMap::new();
        if self.version.identity {
            self.calls.push("GetResourceIdentitySchemas");
            match self
                .provider
                .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
                .await
            {
                Ok(r) => {
                    let r = r.into_inner();
                    errors_of(&r.diagnostics)?;
                    for (name, s) in r.identity_schemas {
                        let mut attributes = BTreeMap::new();
                        for a in s.identity_attributes {
                            // ProtoToIdentitySchema panics on a type it cannot read.
                            let ty = Type::from_json_bytes(&a.r#type).map_err(|e| {
                                vec![format!("identity attribute {}.{}: {e}", name, a.name)]
                            })?;
                            attributes.insert(a.name, (ty, a.required_for_import));
                        }
                        identities.insert(
                            name,
                            IdentitySchema {
                                version: s.version,
                                attributes,
                            },
                        );
                    }
                }
                Err(s) if s.code() == tonic::Code::Unimplemented => {}
                Err(s) => return Err(vec![grpc_err("GetProviderSchema", &s)]),
            }
        }
        let mut resources = BTreeMap::new();
        for (name, s) in &resp.resource_schemas {
            let block = s.block.clone().unwrap_or_default();
            let attributes = block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), (a.computed, a.optional, a.write_only)))
                .collect();
            resources.insert(
                name.clone(),
                ResourceType {
                    ty: block_type(&block),
                    attributes,
                    identity: identities.get(name).cloned(),
                },
            );
        }
        let list_resources = if self.version.list {
            resp.list_resource_schemas
                .iter()
                .map(|(n, s)| (n.clone(), block_type(&s.block.clone().unwrap_or_default())))
                .collect()
        } else {
            BTreeMap::new()
        };
        let got = resp.server_capabilities.unwrap_or_default();
        let caps = pb::ServerCapabilities {
            plan_destroy: got.plan_destroy,
            get_provider_schema_optional: got.get_provider_schema_optional,
            // Terraform keeps it; OpenTofu 1.10/1.11 do not read it.
            move_resource_state: self.version.identity && got.move_resource_state,
            generate_resource_config: self.version.reads_generate_config
                && got.generate_resource_config,
        };
        self.schemas = Some(Schemas {
            provider: block_type(&provider.block.clone().unwrap_or_default()),
            resources,
            list_resources,
            caps,
            functions: resp.functions.keys().cloned().collect(),
            ephemeral_resources: resp.ephemeral_resource_schemas.keys().cloned().collect(),
        });
        Ok(())
    }

    /// `PrepareProviderConfig` then `Configure` with `config` (an object of the provider type).
    pub async fn configure(&mut self, config: &Value) -> Checked<()> {
        let ty = self.schemas().provider.clone();
        self.calls.push("PrepareProviderConfig");
        let r = self
            .provider
            .prepare_provider_config(pb::prepare_provider_config::Request {
                config: dv(config, &ty),
            })
            .await
            .map_err(|s| vec![grpc_err("ValidateProviderConfig", &s)])?
            .into_inner();
        errors_of(&r.diagnostics)?;
        self.calls.push("Configure");
        let r = self
            .provider
            .configure(pb::configure::Request {
                terraform_version: self.version.version.into(),
                config: dv(config, &ty),
                client_capabilities: self.version.caps,
            })
            .await
            .map_err(|s| vec![grpc_err("ConfigureProvider", &s)])?
            .into_inner();
        errors_of(&r.diagnostics)
    }

    /// `ValidateResourceTypeConfig` (`NodeValidatableResource`).
    pub async fn validate_resource(&mut self, type_name: &str, config: &Value) -> Checked<()> {
        let ty = self.resource(type_name).ty.clone();
        self.calls.push("ValidateResourceTypeConfig");
        let r = self
            .provider
            .validate_resource_type_config(pb::validate_resource_type_config::Request {
                type_name: type_name.into(),
                config: dv(config, &ty),
                client_capabilities: self.version.caps,
            })
            .await
            .map_err(|s| vec![grpc_err("ValidateResourceConfig", &s)])?
            .into_inner();
        errors_of(&r.diagnostics)
    }

    fn identity_dv(&self, rt: &ResourceType, identity: &Value) -> Option<pb::ResourceIdentityData> {
        // grpc_provider.go sends the identity only when it is not null (Terraform 1.12+).
        if !self.version.identity || identity.is_null() {
            return None;
        }
        let schema = rt.identity.as_ref()?;
        Some(pb::ResourceIdentityData {
            identity_data: dv(identity, &schema.ty()),
        })
    }

    /// `importState` of `internal/terraform/node_resource_plan_instance.go`: the import, its
    /// checks, then the refresh of the imported object (which must exist).
    pub async fn import(&mut self, type_name: &str, target: ImportTarget) -> Checked<Object> {
        let rt = self.resource(type_name).clone();
        let by_identity = matches!(target, ImportTarget::Identity(_));
        let mut req = pb::import_resource_state::Request {
            type_name: type_name.into(),
            client_capabilities: self.version.caps,
            ..Default::default()
        };
        match &target {
            ImportTarget::Id(id) => req.id = id.clone(),
            ImportTarget::Identity(v) => {
                assert!(
                    self.version.identity,
                    "{} cannot import by identity",
                    self.version.name
                );
                req.identity = Some(pb::ResourceIdentityData {
                    identity_data: dv(v, &rt.identity.as_ref().expect("identity schema").ty()),
                });
            }
        }
        self.calls.push("ImportResourceState");
        let r = self
            .provider
            .import_resource_state(req)
            .await
            .map_err(|s| vec![grpc_err("ImportResourceState", &s)])?
            .into_inner();
        errors_of(&r.diagnostics)?;
        match r.imported_resources.len() {
            0 => return Err(vec!["Import returned no resources".into()]),
            1 => {}
            _ => return Err(vec!["Multiple import states not supported".into()]),
        }
        let imported = &r.imported_resources[0];
        if imported.type_name.is_empty() {
            return Err(vec![format!("import of {type_name} didn't set type")]);
        }
        let state = decode(imported.state.as_ref(), &rt.ty, "imported state")?;
        let identity = if self.version.identity {
            decode_identity(imported.identity.as_ref(), rt.identity.as_ref())?
        } else {
            Value::Null
        };
        if by_identity && identity.is_null() {
            return Err(vec![format!(
                "import of {type_name} didn't return an identity"
            )]);
        }
        if self.version.checks_write_only {
            let wo = write_only_set(&rt, &state);
            if !wo.is_empty() {
                return Err(wo
                    .into_iter()
                    .map(|m| {
                        format!("Import returned a non-null value for a write-only attribute: {m}")
                    })
                    .collect());
            }
        }
        if !by_identity && state.is_null() {
            return Err(vec!["Import returned null resource".into()]);
        }
        let object = Object {
            state,
            private: imported.private.clone(),
            identity,
        };
        let refreshed = self.read_inner(type_name, &object, true).await?;
        if refreshed.state.is_null() {
            return Err(vec!["Cannot import non-existent remote object".into()]);
        }
        Ok(refreshed)
    }

    /// A refresh of a stored object (`NodeAbstractResourceInstance.refresh`).
    pub async fn refresh(&mut self, type_name: &str, object: &Object) -> Checked<Object> {
        self.read_inner(type_name, object, false).await
    }

    async fn read_inner(
        &mut self,
        type_name: &str,
        object: &Object,
        after_import: bool,
    ) -> Checked<Object> {
        let rt = self.resource(type_name).clone();
        self.calls.push("ReadResource");
        let r = self
            .provider
            .read_resource(pb::read_resource::Request {
                type_name: type_name.into(),
                current_state: dv(&object.state, &rt.ty),
                private: object.private.clone(),
                client_capabilities: self.version.caps,
                current_identity: self.identity_dv(&rt, &object.identity),
                ..Default::default()
            })
            .await
            .map_err(|s| vec![grpc_err("ReadResource", &s)])?
            .into_inner();
        let identity = if self.version.identity {
            decode_identity(r.new_identity.as_ref(), rt.identity.as_ref())?
        } else {
            Value::Null
        };
        errors_of(&r.diagnostics)?;
        let state = decode(
            r.new_state.as_ref(),
            &rt.ty,
            "Provider produced invalid object",
        )?;
        if !state.is_wholly_known() {
            return Err(vec![
                "Provider produced invalid object: The returned state contains unknown values"
                    .into(),
            ]);
        }
        self.check_write_only(&rt, &state)?;
        // terraform-plugin-framework@v1.19.0 internal/fwserver/server_readresource.go: a refresh
        // (not the one right after an import) must not change a stored identity.
        if !after_import {
            identity_unchanged("read", &object.identity, &identity)?;
        }
        // Terraform stores what the provider returned (`ret.Identity = resp.Identity`).
        Ok(Object {
            state,
            private: r.private,
            identity,
        })
    }

    /// An object of `type_name`'s type with every attribute null but `set`.
    pub fn object(&self, type_name: &str, set: &[(&str, Value)]) -> Value {
        null_object_of(&self.resource(type_name).ty, set)
    }

    /// The configuration `terraform query -generate-config-out` and `import` config
    /// generation write for a state: `genconfig.ExtractLegacyConfigFromState`
    /// (`internal/genconfig/generate_config.go@v1.14.9`) keeps optional and required
    /// attributes and drops computed-only and write-only ones (nested blocks are kept whole).
    pub fn config_from_state(&self, type_name: &str, state: &Value) -> Value {
        let rt = self.resource(type_name);
        let mut out = state.clone();
        for (name, (computed, optional, write_only)) in &rt.attributes {
            let required = !computed && !optional;
            if *write_only || (*computed && !optional && !required) {
                out.set_attr(name.clone(), Value::Null);
            }
        }
        out
    }

    /// `ProposedNew` for the top-level attributes: configured values, and the prior value of a
    /// computed attribute left null in configuration. Nested blocks are taken from config.
    pub fn proposed(&self, type_name: &str, prior: &Value, config: &Value) -> Value {
        let rt = self.resource(type_name);
        let mut out = config.clone();
        if prior.is_null() {
            return out;
        }
        for (name, (computed, _, _)) in &rt.attributes {
            let configured = config.get_attr(name).is_some_and(|v| !v.is_null());
            if let (true, false, Some(p)) = (*computed, configured, prior.get_attr(name)) {
                out.set_attr(name.clone(), p.clone());
            }
        }
        out
    }

    /// `PlanResourceChange` (`NodeAbstractResourceInstance.plan`, or `planDestroy` when `config`
    /// is null) and its identity checks.
    pub async fn plan(
        &mut self,
        type_name: &str,
        prior: &Object,
        config: &Value,
    ) -> Checked<Planned> {
        let rt = self.resource(type_name).clone();
        let proposed = if config.is_null() {
            Value::Null
        } else {
            self.proposed(type_name, &prior.state, config)
        };
        self.calls.push("PlanResourceChange");
        let r = self
            .provider
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(&prior.state, &rt.ty),
                proposed_new_state: dv(&proposed, &rt.ty),
                config: dv(config, &rt.ty),
                prior_private: prior.private.clone(),
                client_capabilities: self.version.caps,
                prior_identity: self.identity_dv(&rt, &prior.identity),
                ..Default::default()
            })
            .await
            .map_err(|s| vec![grpc_err("PlanResourceChange", &s)])?
            .into_inner();
        errors_of(&r.diagnostics)?;
        let state = decode(
            r.planned_state.as_ref(),
            &rt.ty,
            "Provider produced invalid plan",
        )?;
        let identity = if self.version.identity {
            let creating = prior.state.is_null() || !r.requires_replace.is_empty();
            match decode_identity(r.planned_identity.as_ref(), rt.identity.as_ref()) {
                Ok(v) => v,
                // On create and replace the planned identity may be unknown.
                Err(e) if creating && e.iter().all(|m| m.contains("unknown values")) => Value::Null,
                Err(e) => return Err(e),
            }
        } else {
            Value::Null
        };
        self.check_write_only(&rt, &state)?;
        // terraform-plugin-framework@v1.19.0 server_planresourcechange.go: the planned identity
        // of an existing object equals its stored one.
        if !prior.state.is_null() && !config.is_null() {
            identity_unchanged("planning", &prior.identity, &identity)?;
        }
        Ok(Planned {
            state,
            private: r.planned_private,
            identity,
            requires_replace: r.requires_replace.len(),
        })
    }

    /// `ApplyResourceChange` (`NodeAbstractResourceInstance.apply`) and its identity checks.
    pub async fn apply(
        &mut self,
        type_name: &str,
        prior: &Object,
        planned: &Planned,
        config: &Value,
    ) -> Checked<Object> {
        let rt = self.resource(type_name).clone();
        self.calls.push("ApplyResourceChange");
        let r = self
            .provider
            .apply_resource_change(pb::apply_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(&prior.state, &rt.ty),
                planned_state: dv(&planned.state, &rt.ty),
                config: dv(config, &rt.ty),
                planned_private: planned.private.clone(),
                planned_identity: self.identity_dv(&rt, &planned.identity),
                ..Default::default()
            })
            .await
            .map_err(|s| vec![grpc_err("ApplyResourceChange", &s)])?
            .into_inner();
        errors_of(&r.diagnostics)?;
        let state = decode(
            r.new_state.as_ref(),
            &rt.ty,
            "Provider produced invalid object",
        )?;
        let identity = if self.version.identity {
            decode_identity(r.new_identity.as_ref(), rt.identity.as_ref())?
        } else {
            Value::Null
        };
        if !state.is_wholly_known() {
            return Err(vec![
                "Provider returned invalid result object after apply".into(),
            ]);
        }
        self.check_write_only(&rt, &state)?;
        // terraform-plugin-framework@v1.19.0 server_updateresource.go: new identity = planned.
        identity_unchanged("update", &planned.identity, &identity)?;
        Ok(Object {
            state,
            private: r.private,
            identity,
        })
    }

    /// `ValidateListResourceConfig` as `grpc_provider.go@v1.14.9` sends it: the type and the
    /// `config` block only.
    pub async fn validate_list(&mut self, type_name: &str, config: &Value) -> Checked<Vec<String>> {
        let Some(ty) = self.schemas().list_resources.get(type_name).cloned() else {
            return Err(vec![format!(
                "Invalid list resource: The provider does not support list resource {type_name:?}."
            )]);
        };
        self.calls.push("ValidateListResourceConfig");
        let r = self
            .provider
            .validate_list_resource_config(pb::validate_list_resource_config::Request {
                type_name: type_name.into(),
                config: dv(config, &ty),
                ..Default::default()
            })
            .await
            .map_err(|s| vec![grpc_err("ValidateListResourceConfig", &s)])?
            .into_inner();
        let (errors, warnings) = split(&r.diagnostics);
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(errors)
        }
    }

    /// `ListResource` as `grpc_provider.go@v1.14.9` reads the stream, plus the check that the
    /// provider ends the stream itself once `limit` results were sent (Terraform cancels it).
    pub async fn list(
        &mut self,
        type_name: &str,
        config: &Value,
        limit: i64,
        include_resource_object: bool,
    ) -> Checked<ListResult> {
        let Some(config_ty) = self.schemas().list_resources.get(type_name).cloned() else {
            return Err(vec![format!("unknown list resource type {type_name:?}")]);
        };
        let rt = match self.schemas().resources.get(type_name) {
            Some(rt) if rt.identity.is_some() => rt.clone(),
            _ => {
                return Err(vec![format!(
                    "Identity schema not found for resource type {type_name}; this is a bug in \
                     the provider - please report it there"
                )]);
            }
        };
        let id_schema = rt.identity.clone();
        self.calls.push("ListResource");
        let mut stream = self
            .provider
            .list_resource(pb::list_resource::Request {
                type_name: type_name.into(),
                config: dv(config, &config_ty),
                include_resource_object,
                limit,
            })
            .await
            .map_err(|s| vec![s.to_string()])?
            .into_inner();
        let mut results = Vec::new();
        let mut warnings = Vec::new();
        loop {
            if results.len() as i64 >= limit {
                // Terraform stops here and cancels the call. The proto promises the stream
                // stops at the limit: a provider still sending is ignoring it.
                return match stream.message().await {
                    Ok(None) => Ok(ListResult { results, warnings }),
                    Ok(Some(_)) => Err(vec![format!(
                        "the ListResource stream went on after limit = {limit} results"
                    )]),
                    Err(s) => Err(vec![s.to_string()]),
                };
            }
            let event = match stream.message().await {
                Ok(Some(e)) => e,
                Ok(None) => break,
                Err(s) => return Err(vec![s.to_string()]),
            };
            let (errors, warns) = split(&event.diagnostic);
            if !errors.is_empty() {
                return Err(errors);
            }
            let has_identity = event
                .identity
                .as_ref()
                .is_some_and(|i| i.identity_data.is_some());
            if !warns.is_empty() && !has_identity {
                warnings.extend(warns);
                continue;
            }
            warnings.extend(warns);
            if !has_identity {
                return Err(vec![format!(
                    "missing identity data in ListResource event for {type_name}"
                )]);
            }
            let identity = decode_identity(event.identity.as_ref(), id_schema.as_ref())?;
            let object = match (&event.resource_object, include_resource_object) {
                (Some(o), true) => decode(Some(o), &rt.ty, "resource object")?,
                _ => Value::Null,
            };
            results.push(Listed {
                display_name: event.display_name,
                identity,
                object,
            });
        }
        Ok(ListResult { results, warnings })
    }
}
