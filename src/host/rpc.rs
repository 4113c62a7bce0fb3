//! The tfplugin5 `Provider` service: protobuf ⇄ framework conversion, nothing else.
//!
//! [`ProviderService`] turns each RPC's protobuf request into the framework server's request
//! type, calls [`Server`], and turns the answer back into protobuf. Every Terraform rule
//! (encoding, unknowns, write-only values, destroy plans, failure states, upgrades, import)
//! lives in [`crate::framework::server`] and is tested there without protobuf.
//!
//! Each RPC is logged at debug level with its type name; values are never logged.

use std::collections::HashMap;
use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::framework::server::{self, DynamicValue, Server};
use crate::framework::{
    self, AttributePath, ClientCapabilities, Diagnostics, IdentitySchema, PathStep, Schema,
    Severity,
};
use crate::protocol::tfplugin5 as pb;
use pb::provider_server::Provider as ProviderRpc;

/// The tfplugin5 service around the framework server.
#[derive(Debug)]
pub struct ProviderService {
    server: Server,
}

type RpcResult<T> = Result<Response<T>, Status>;

impl ProviderService {
    /// Builds the service around a provider (see [`Server::new`]).
    pub fn new(provider: Arc<dyn framework::Provider>) -> Self {
        Self {
            server: Server::new(provider),
        }
    }
}

fn caps_from_pb(c: &pb::ClientCapabilities) -> ClientCapabilities {
    ClientCapabilities {
        write_only_attributes_allowed: c.write_only_attributes_allowed,
        deferral_allowed: c.deferral_allowed,
    }
}

fn caps(c: Option<&pb::ClientCapabilities>) -> Option<ClientCapabilities> {
    c.map(caps_from_pb)
}

fn dv_from_pb(dv: Option<pb::DynamicValue>) -> Option<DynamicValue> {
    dv.map(|d| DynamicValue {
        msgpack: d.msgpack,
        json: d.json,
    })
}

fn dv_to_pb(dv: Option<DynamicValue>) -> Option<pb::DynamicValue> {
    dv.map(|d| pb::DynamicValue {
        msgpack: d.msgpack,
        json: d.json,
    })
}

fn identity_from_pb(i: Option<pb::ResourceIdentityData>) -> Option<DynamicValue> {
    dv_from_pb(i.and_then(|i| i.identity_data))
}

fn identity_to_pb(dv: Option<DynamicValue>) -> Option<pb::ResourceIdentityData> {
    dv.map(|d| pb::ResourceIdentityData {
        identity_data: dv_to_pb(Some(d)),
    })
}

/// An identity schema as tfplugin5 carries it.
fn identity_schema_to_pb(i: &IdentitySchema) -> pb::ResourceIdentitySchema {
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
    let c = server::CAPABILITIES;
    pb::ServerCapabilities {
        plan_destroy: c.plan_destroy,
        get_provider_schema_optional: c.get_provider_schema_optional,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

#[tonic::async_trait]
impl ProviderRpc for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        tracing::debug!(rpc = "GetMetadata", "rpc");
        use pb::get_metadata::{DataSourceMetadata, ListResourceMetadata, ResourceMetadata};
        let m = self.server.metadata();
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: diags_to_pb(&m.diagnostics),
            data_sources: m
                .data_sources
                .into_iter()
                .map(|type_name| DataSourceMetadata { type_name })
                .collect(),
            resources: m
                .resources
                .into_iter()
                .map(|type_name| ResourceMetadata { type_name })
                .collect(),
            list_resources: m
                .list_resources
                .into_iter()
                .map(|type_name| ListResourceMetadata { type_name })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        let s = self.server.schemas();
        tracing::debug!(
            rpc = "GetSchema",
            resources = s.resources.len(),
            data_sources = s.data_sources.len(),
            "rpc"
        );
        let all = |m: &std::collections::BTreeMap<String, Schema>| -> HashMap<_, _> {
            m.iter()
                .map(|(n, s)| (n.clone(), schema_to_pb(s)))
                .collect()
        };
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_pb(&s.provider)),
            resource_schemas: all(&s.resources),
            data_source_schemas: all(&s.data_sources),
            list_resource_schemas: all(&s.list_resources),
            diagnostics: diags_to_pb(&s.diagnostics),
            server_capabilities: Some(server_capabilities()),
            ..Default::default()
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> RpcResult<pb::get_resource_identity_schemas::Response> {
        tracing::debug!(rpc = "GetResourceIdentitySchemas", "rpc");
        let r = self.server.identity_schemas();
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: r
                .schemas
                .iter()
                .map(|(n, i)| (n.clone(), identity_schema_to_pb(i)))
                .collect(),
            diagnostics: diags_to_pb(&r.diagnostics),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> RpcResult<pb::upgrade_resource_identity::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "UpgradeResourceIdentity", type_name = %req.type_name, version = req.version, "rpc");
        let r = self
            .server
            .upgrade_resource_identity(server::UpgradeIdentityRequest {
                type_name: req.type_name,
                version: req.version,
                raw_json: req.raw_identity.map(|r| r.json).unwrap_or_default(),
            });
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: identity_to_pb(r.upgraded_identity),
            diagnostics: diags_to_pb(&r.diagnostics),
        }))
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> RpcResult<pb::prepare_provider_config::Response> {
        tracing::debug!(rpc = "PrepareProviderConfig", "rpc");
        let req = request.into_inner();
        let config = dv_from_pb(req.config.clone());
        let diags = self.server.validate_provider_config(config.as_ref()).await;
        Ok(Response::new(pb::prepare_provider_config::Response {
            // Terraform ignores prepared_config; the config is echoed so old versions see no
            // change.
            prepared_config: req.config,
            diagnostics: diags_to_pb(&diags),
        }))
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> RpcResult<pb::configure::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "Configure", terraform_version = %req.terraform_version, "rpc");
        let diags = self
            .server
            .configure(server::ConfigureRequest {
                terraform_version: req.terraform_version,
                config: dv_from_pb(req.config),
                client_capabilities: caps(req.client_capabilities.as_ref()),
            })
            .await;
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
        let diags = self
            .server
            .validate_resource_config(server::ValidateRequest {
                type_name: req.type_name,
                config: dv_from_pb(req.config),
                client_capabilities: caps(req.client_capabilities.as_ref()),
            })
            .await;
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
        let diags = self
            .server
            .validate_data_source_config(server::ValidateRequest {
                type_name: req.type_name,
                config: dv_from_pb(req.config),
                client_capabilities: None,
            })
            .await;
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
        let raw = req.raw_state.unwrap_or_default();
        let r = self
            .server
            .upgrade_resource_state(server::UpgradeStateRequest {
                type_name: req.type_name,
                version: req.version,
                raw_state: server::RawState {
                    json: raw.json,
                    flatmap: raw.flatmap.into_iter().collect(),
                },
            })
            .await;
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: dv_to_pb(r.upgraded_state),
            diagnostics: diags_to_pb(&r.diagnostics),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadResource", type_name = %req.type_name, "rpc");
        let r = self
            .server
            .read_resource(server::ReadResourceRequest {
                type_name: req.type_name,
                current_state: dv_from_pb(req.current_state),
                private: req.private,
                current_identity: identity_from_pb(req.current_identity),
                client_capabilities: caps(req.client_capabilities.as_ref()),
            })
            .await;
        Ok(Response::new(pb::read_resource::Response {
            new_state: dv_to_pb(r.new_state),
            diagnostics: diags_to_pb(&r.diagnostics),
            private: r.private,
            new_identity: identity_to_pb(r.new_identity),
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "PlanResourceChange", type_name = %req.type_name, "rpc");
        let r = self
            .server
            .plan_resource_change(server::PlanChangeRequest {
                type_name: req.type_name,
                prior_state: dv_from_pb(req.prior_state),
                proposed_new_state: dv_from_pb(req.proposed_new_state),
                config: dv_from_pb(req.config),
                prior_private: req.prior_private,
                prior_identity: identity_from_pb(req.prior_identity),
                client_capabilities: caps(req.client_capabilities.as_ref()),
            })
            .await;
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: dv_to_pb(r.planned_state),
            requires_replace: r.requires_replace.iter().map(path_to_pb).collect(),
            planned_private: r.planned_private,
            planned_identity: identity_to_pb(r.planned_identity),
            diagnostics: diags_to_pb(&r.diagnostics),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let req = request.into_inner();
        let r = self
            .server
            .apply_resource_change(server::ApplyChangeRequest {
                type_name: req.type_name,
                prior_state: dv_from_pb(req.prior_state),
                planned_state: dv_from_pb(req.planned_state),
                config: dv_from_pb(req.config),
                planned_private: req.planned_private,
                planned_identity: identity_from_pb(req.planned_identity),
            })
            .await;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: dv_to_pb(r.new_state),
            private: r.private,
            new_identity: identity_to_pb(r.new_identity),
            diagnostics: diags_to_pb(&r.diagnostics),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ImportResourceState", type_name = %req.type_name, "rpc");
        let r = self
            .server
            .import_resource_state(server::ImportStateRequest {
                type_name: req.type_name,
                id: req.id,
                identity: identity_from_pb(req.identity),
                client_capabilities: caps(req.client_capabilities.as_ref()),
            })
            .await;
        let imported_resources = r
            .imported
            .into_iter()
            .map(|i| pb::import_resource_state::ImportedResource {
                type_name: i.type_name,
                state: dv_to_pb(Some(i.state)),
                private: i.private,
                identity: identity_to_pb(i.identity),
            })
            .collect();
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diags_to_pb(&r.diagnostics),
            deferred: None,
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadDataSource", type_name = %req.type_name, "rpc");
        let r = self
            .server
            .read_data_source(server::ReadDataSourceRequest {
                type_name: req.type_name,
                config: dv_from_pb(req.config),
                client_capabilities: caps(req.client_capabilities.as_ref()),
            })
            .await;
        Ok(Response::new(pb::read_data_source::Response {
            state: dv_to_pb(r.state),
            diagnostics: diags_to_pb(&r.diagnostics),
            deferred: None,
        }))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> RpcResult<pb::validate_list_resource_config::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateListResourceConfig", type_name = %req.type_name, "rpc");
        let diags = self
            .server
            .validate_list_resource_config(server::ValidateListRequest {
                type_name: req.type_name,
                config: dv_from_pb(req.config),
                limit: dv_from_pb(req.limit),
            })
            .await;
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
        tracing::debug!(rpc = "ListResource", type_name = %req.type_name, limit = req.limit, include_resource_object = req.include_resource_object, "rpc");
        let rx = self.server.list_resource(server::ListResourceRequest {
            type_name: req.type_name,
            config: dv_from_pb(req.config),
            include_resource_object: req.include_resource_object,
            limit: req.limit,
        });
        let events = tokio_stream::wrappers::ReceiverStream::new(rx).map(|ev| {
            Ok(pb::list_resource::Event {
                identity: identity_to_pb(ev.identity),
                display_name: ev.display_name,
                resource_object: dv_to_pb(ev.resource_object),
                diagnostic: diags_to_pb(&ev.diagnostics),
            })
        });
        Ok(Response::new(Box::pin(events)))
    }

    async fn stop(&self, _request: Request<pb::stop::Request>) -> RpcResult<pb::stop::Response> {
        tracing::debug!(rpc = "Stop", "rpc: cancelling in-flight calls");
        self.server.stop();
        Ok(Response::new(pb::stop::Response {
            error: String::new(),
        }))
    }
}
