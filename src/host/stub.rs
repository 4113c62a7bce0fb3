//! TEMPORARY placeholder provider, used by [`super::main_entry`] only until the
//! framework adapter `host::rpc::ProviderService` exists.
//!
//! It answers GetSchema with an empty provider schema (enough for Terraform to
//! load the binary) and Stop with success; every other RPC answers
//! UNIMPLEMENTED through the generated default stubs. It is not the provider.

use tonic::{Request, Response, Status};

use crate::protocol::tfplugin5::provider_server::Provider;
use crate::protocol::tfplugin5::{Schema, ServerCapabilities, get_provider_schema, schema, stop};

/// The placeholder service.
#[derive(Debug, Default, Clone, Copy)]
pub struct StubProvider;

#[tonic::async_trait]
impl Provider for StubProvider {
    async fn get_schema(
        &self,
        _request: Request<get_provider_schema::Request>,
    ) -> Result<Response<get_provider_schema::Response>, Status> {
        Ok(Response::new(get_provider_schema::Response {
            provider: Some(Schema {
                version: 0,
                block: Some(schema::Block::default()),
            }),
            server_capabilities: Some(ServerCapabilities {
                get_provider_schema_optional: true,
                ..ServerCapabilities::default()
            }),
            ..Default::default()
        }))
    }

    async fn stop(
        &self,
        _request: Request<stop::Request>,
    ) -> Result<Response<stop::Response>, Status> {
        Ok(Response::new(stop::Response::default()))
    }
}
