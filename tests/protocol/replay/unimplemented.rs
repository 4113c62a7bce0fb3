//! What the provider does not implement, and the schema and capability answers each version
//! reads.
//!
//! Sources: `internal/plugin/grpc_provider.go` (`GetProviderSchema`) and
//! `internal/plugin/grpc_error.go` at `hashicorp/terraform@v1.12.2` and `@v1.14.9`, and at
//! `opentofu/opentofu@v1.10.10` and `@v1.11.14`; the service definition
//! `docs/plugin-protocol/tfplugin5.proto@v1.14.9` (the action RPCs and `action_schemas = 11`).
//! Each version calls an optional RPC only when the schema or a capability advertises it, and
//! shows an UNIMPLEMENTED answer as "Unsupported plugin method".

use std::collections::HashMap;

use terraform_provider_docusign::protocol::tfplugin5 as pb;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;

use super::host::{ALL, Host, grpc_err};
use crate::support::Plugin;

/// The fields of `GetProviderSchema.Response` and `GetMetadata.Response` that this provider's
/// own proto does not model (action schemas, Terraform 1.14), read from the raw answer.
#[derive(Clone, PartialEq, prost::Message)]
struct UnmodelledSchemaFields {
    /// `map<string, ActionSchema> action_schemas = 11` (embedded messages read as bytes).
    #[prost(map = "string, bytes", tag = "11")]
    action_schemas: HashMap<String, Vec<u8>>,
}

/// The status code of an answer (Ok for a successful one).
fn code<T>(r: Result<tonic::Response<T>, tonic::Status>) -> Code {
    match r {
        Ok(_) => Code::Ok,
        Err(s) => s.code(),
    }
}

/// Calls `path` with an empty message and returns the status code (Ok for an answer).
async fn raw_call(channel: tonic::transport::Channel, path: &'static str) -> Code {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("channel ready");
    let codec = tonic_prost::ProstCodec::<pb::stop::Request, pb::stop::Response>::default();
    match grpc
        .unary(
            tonic::Request::new(pb::stop::Request {}),
            PathAndQuery::from_static(path),
            codec,
        )
        .await
    {
        Ok(_) => Code::Ok,
        Err(s) => s.code(),
    }
}

/// GetSchema's raw answer, decoded for the fields the provider's proto leaves out.
async fn unmodelled_schema_fields(
    channel: tonic::transport::Channel,
    path: &'static str,
) -> UnmodelledSchemaFields {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("channel ready");
    let codec =
        tonic_prost::ProstCodec::<pb::get_provider_schema::Request, UnmodelledSchemaFields>::default();
    grpc.unary(
        tonic::Request::new(pb::get_provider_schema::Request {}),
        PathAndQuery::from_static(path),
        codec,
    )
    .await
    .expect("schema answer")
    .into_inner()
}

#[tokio::test]
async fn unimplemented_rpcs_answer_unimplemented_and_are_never_advertised() {
    let plugin = Plugin::launch();
    let mut p = plugin.provider().await;

    // Advertised nowhere: no functions, ephemeral resources or actions in the schema or the
    // metadata, and neither optional capability.
    let schema = p
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema")
        .into_inner();
    assert!(schema.functions.is_empty(), "{:?}", schema.functions.keys());
    assert!(
        schema.ephemeral_resource_schemas.is_empty(),
        "{:?}",
        schema.ephemeral_resource_schemas.keys()
    );
    let caps = schema.server_capabilities.expect("capabilities");
    assert!(!caps.move_resource_state, "MoveResourceState advertised");
    assert!(
        !caps.generate_resource_config,
        "GenerateResourceConfig advertised"
    );
    let raw = unmodelled_schema_fields(
        plugin.channel().await.unwrap(),
        "/tfplugin5.Provider/GetSchema",
    )
    .await;
    assert!(raw.action_schemas.is_empty(), "action schemas advertised");

    let meta = p
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata")
        .into_inner();
    assert!(meta.functions.is_empty());
    assert!(meta.ephemeral_resources.is_empty());
    assert!(meta.actions.is_empty());

    // Each answers UNIMPLEMENTED, which every replayed version shows as "Unsupported plugin
    // method" (grpc_error.go).
    let mut codes: Vec<(&str, Code)> = Vec::new();
    codes.push((
        "GetFunctions",
        code(p.get_functions(pb::get_functions::Request {}).await),
    ));
    codes.push((
        "CallFunction",
        code(
            p.call_function(pb::call_function::Request {
                name: "anything".into(),
                arguments: Vec::new(),
            })
            .await,
        ),
    ));
    codes.push((
        "ValidateEphemeralResourceConfig",
        code(
            p.validate_ephemeral_resource_config(
                pb::validate_ephemeral_resource_config::Request::default(),
            )
            .await,
        ),
    ));
    codes.push((
        "OpenEphemeralResource",
        code(
            p.open_ephemeral_resource(pb::open_ephemeral_resource::Request::default())
                .await,
        ),
    ));
    codes.push((
        "RenewEphemeralResource",
        code(
            p.renew_ephemeral_resource(pb::renew_ephemeral_resource::Request::default())
                .await,
        ),
    ));
    codes.push((
        "CloseEphemeralResource",
        code(
            p.close_ephemeral_resource(pb::close_ephemeral_resource::Request::default())
                .await,
        ),
    ));
    codes.push((
        "MoveResourceState",
        code(
            p.move_resource_state(pb::move_resource_state::Request {
                source_provider_address: "registry.terraform.io/docusign-iac/docusign".into(),
                source_type_name: "docusign_connect_configuration".into(),
                target_type_name: "docusign_connect_configuration".into(),
                ..Default::default()
            })
            .await,
        ),
    ));
    codes.push((
        "GenerateResourceConfig",
        code(
            p.generate_resource_config(pb::generate_resource_config::Request {
                type_name: "docusign_connect_configuration".into(),
                state: None,
            })
            .await,
        ),
    ));
    // The action RPCs of Terraform 1.14, absent from the provider's proto.
    for path in [
        "/tfplugin5.Provider/PlanAction",
        "/tfplugin5.Provider/InvokeAction",
        "/tfplugin5.Provider/ValidateActionConfig",
    ] {
        codes.push((path, raw_call(plugin.channel().await.unwrap(), path).await));
    }
    let wrong: Vec<_> = codes
        .iter()
        .filter(|(_, c)| *c != Code::Unimplemented)
        .collect();
    assert!(wrong.is_empty(), "not UNIMPLEMENTED: {wrong:?}");

    // What a user would read if a version called one anyway.
    assert_eq!(
        grpc_err("CallFunction", &tonic::Status::unimplemented("")),
        "Unsupported plugin method: The CallFunction method is not supported by this plugin."
    );
    plugin.shutdown().await;
}

#[tokio::test]
async fn get_metadata_lists_what_get_schema_declares() {
    // No Terraform or OpenTofu release calls GetMetadata (only their test doubles implement
    // it), so it must answer on its own, before any other call, and agree with GetSchema.
    let plugin = Plugin::launch();
    let mut p = plugin.provider().await;
    let meta = p
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata as the first call")
        .into_inner();
    let schema = p
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetSchema")
        .into_inner();
    assert!(
        meta.diagnostics.iter().all(|d| d.severity != 1),
        "{:?}",
        meta.diagnostics
    );
    assert_eq!(meta.server_capabilities, schema.server_capabilities);

    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let names = |m: &HashMap<String, pb::Schema>| sorted(m.keys().cloned().collect());
    assert_eq!(
        sorted(meta.resources.iter().map(|r| r.type_name.clone()).collect()),
        names(&schema.resource_schemas)
    );
    assert_eq!(
        sorted(
            meta.data_sources
                .iter()
                .map(|r| r.type_name.clone())
                .collect()
        ),
        names(&schema.data_source_schemas)
    );
    assert_eq!(
        sorted(
            meta.list_resources
                .iter()
                .map(|r| r.type_name.clone())
                .collect()
        ),
        names(&schema.list_resource_schemas)
    );
    assert!(!meta.resources.is_empty() && !meta.data_sources.is_empty());
    plugin.shutdown().await;
}

#[tokio::test]
async fn every_version_accepts_the_schema_and_capabilities_it_reads() {
    for version in ALL {
        let mut host = Host::launch(version).await;
        host.get_provider_schema()
            .await
            .unwrap_or_else(|e| panic!("{} ({}): {e:?}", version.name, version.source));
        let expected: &[&str] = if version.identity {
            &["GetSchema", "GetResourceIdentitySchemas"]
        } else {
            &["GetSchema"]
        };
        assert_eq!(host.calls, expected, "{}", version.name);

        let s = host.schemas();
        // Every version plans destroys through the provider and may cache the schema.
        assert!(
            s.caps.plan_destroy && s.caps.get_provider_schema_optional,
            "{}",
            version.name
        );
        assert!(!s.caps.move_resource_state && !s.caps.generate_resource_config);
        assert!(s.functions.is_empty() && s.ephemeral_resources.is_empty());
        // An identity schema belongs to a resource type of the same name, and every list
        // resource to a managed resource type with an identity (`ListResource` needs it).
        for (name, rt) in &s.resources {
            if let Some(id) = &rt.identity {
                assert!(!id.attributes.is_empty(), "{}: {name}", version.name);
            }
        }
        for name in s.list_resources.keys() {
            assert!(
                s.resources.get(name).is_some_and(|r| r.identity.is_some()),
                "{}: list resource {name} without an identity schema",
                version.name
            );
        }
        host.plugin.shutdown().await;
    }
}
