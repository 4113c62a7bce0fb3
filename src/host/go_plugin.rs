//! go-plugin's own gRPC services, served next to `tfplugin5.Provider`.
//!
//! * `GRPCController.Shutdown`: answer, then let the process exit. Terraform
//!   calls it on every provider process it is done with and kills the process
//!   after two seconds otherwise.
//! * `GRPCStdio.StreamStdio`: the provider never writes to stdout/stderr
//!   through this channel (logs go to stderr directly), so the stream stays
//!   empty until shutdown.
//! * `GRPCBroker.StartStream`: Terraform providers never use the broker; the
//!   stream is accepted, drained and closed at shutdown.

use std::pin::Pin;

use tokio_stream::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use crate::protocol::plugin::grpc_broker_server::GrpcBroker;
use crate::protocol::plugin::grpc_controller_server::GrpcController;
use crate::protocol::plugin::grpc_stdio_server::GrpcStdio;
use crate::protocol::plugin::{ConnInfo, Empty, StdioData};

/// A boxed server stream.
type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// `GRPCController`: cancels `shutdown` when Terraform asks the plugin to exit.
#[derive(Debug, Clone)]
pub struct Controller {
    shutdown: CancellationToken,
}

impl Controller {
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown received");
        // The server drains gracefully, so this response is still delivered.
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// `GRPCStdio`: an empty stream that ends at shutdown.
#[derive(Debug, Clone)]
pub struct Stdio {
    shutdown: CancellationToken,
}

impl Stdio {
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        let shutdown = self.shutdown.clone();
        let stream = futures_stream_until(shutdown);
        Ok(Response::new(Box::pin(stream)))
    }
}

/// `GRPCBroker`: accepts the stream, ignores what arrives, ends at shutdown.
#[derive(Debug, Clone)]
pub struct Broker {
    shutdown: CancellationToken,
}

impl Broker {
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        let mut inbound = request.into_inner();
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    item = inbound.next() => match item {
                        Some(Ok(info)) => tracing::debug!(service_id = info.service_id, "ignoring broker connection info"),
                        Some(Err(_)) | None => break,
                    },
                }
            }
        });
        Ok(Response::new(Box::pin(futures_stream_until(
            self.shutdown.clone(),
        ))))
    }
}

/// A stream that yields nothing and ends when `token` is cancelled.
fn futures_stream_until<T: Send + 'static>(
    token: CancellationToken,
) -> impl Stream<Item = Result<T, Status>> + Send + 'static {
    tokio_stream::once(())
        .then(move |()| {
            let token = token.clone();
            async move { token.cancelled_owned().await }
        })
        .filter_map(|()| None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn shutdown_answers_and_cancels() {
        let token = CancellationToken::new();
        let controller = Controller::new(token.clone());
        assert!(!token.is_cancelled());
        controller.shutdown(Request::new(Empty {})).await.unwrap();
        assert!(token.is_cancelled());
    }

    #[tokio::test]
    async fn stdio_stream_is_empty_and_ends_at_shutdown() {
        let token = CancellationToken::new();
        let stdio = Stdio::new(token.clone());
        let mut stream = stdio
            .stream_stdio(Request::new(()))
            .await
            .unwrap()
            .into_inner();
        // Nothing arrives while running.
        assert!(
            tokio::time::timeout(Duration::from_millis(20), stream.next())
                .await
                .is_err()
        );
        token.cancel();
        let end = tokio::time::timeout(Duration::from_millis(200), stream.next())
            .await
            .unwrap();
        assert!(end.is_none());
    }
}
