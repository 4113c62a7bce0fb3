//! List resources (Terraform 1.14+, `terraform query`): a way to find existing remote objects of
//! a managed resource type, so Terraform can write import blocks and configuration for them.
//!
//! A [`ListResource`] has the type name of the managed resource it lists and its own schema (the
//! `config { … }` block of a `list` block). It reports each object it finds to a [`ListSink`]
//! as that resource's state; the server derives the identity from the state with the resource's
//! identity schema, drops the state unless Terraform asked for it, and stops the stream after
//! `limit` objects. A send to a closed sink returns `false`: the stream is over (limit reached
//! or Terraform gone), and the resource should stop making API calls.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::diag::Diagnostics;
use super::identity::IdentitySchema;
use super::provider::Ctx;
use super::schema::Schema;
use super::value::Value;

/// `ListResource` input.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// The `config` block (wholly known).
    pub config: Value,
    /// Terraform wants each object's full state, not only its identity.
    pub include_resource_object: bool,
    /// The most objects Terraform will take; the server stops the stream there.
    pub limit: i64,
}

/// One object found.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// A short name for people (`terraform query` prints it).
    pub display_name: String,
    /// The object's state in the managed resource's schema (the identity is derived from it).
    pub state: Value,
}

/// What a list resource reports.
#[derive(Debug)]
pub enum ListEvent {
    /// An object.
    Found(Found),
    /// Problems; an error ends the stream.
    Diagnostics(Diagnostics),
}

/// Where a list resource reports what it finds.
#[derive(Debug, Clone)]
pub struct ListSink {
    tx: mpsc::Sender<ListEvent>,
}

impl ListSink {
    /// A sink and the receiving end the server reads.
    pub fn channel() -> (Self, mpsc::Receiver<ListEvent>) {
        let (tx, rx) = mpsc::channel(1);
        (Self { tx }, rx)
    }

    /// Reports an object; `false` once the stream is over (stop listing then).
    pub async fn found(&self, found: Found) -> bool {
        self.tx.send(ListEvent::Found(found)).await.is_ok()
    }

    /// Reports problems; `false` once the stream is over.
    pub async fn diagnostics(&self, diags: Diagnostics) -> bool {
        if diags.is_empty() {
            return !self.tx.is_closed();
        }
        self.tx.send(ListEvent::Diagnostics(diags)).await.is_ok()
    }

    /// True once the stream is over.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// A list resource type.
#[async_trait]
pub trait ListResource: Send + Sync {
    /// The managed resource type it lists, e.g. `docusign_connect_configuration`.
    fn type_name(&self) -> &str;
    /// The schema of the `config` block.
    fn schema(&self) -> Schema;
    /// Static checks of the config (may contain unknowns).
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Finds the objects and reports each to `sink`, stopping when a send returns `false`.
    async fn list(&self, ctx: &Ctx, req: ListRequest, sink: &ListSink);
}

/// One event of the stream the server answers with.
#[derive(Debug, Default)]
pub struct StreamEvent {
    /// The object's identity (null with diagnostics only).
    pub identity: Value,
    /// Its display name.
    pub display_name: String,
    /// Its state, when Terraform asked for it (write-only attributes null); else null.
    pub resource_object: Value,
    /// Problems; an error is the last event.
    pub diagnostics: Diagnostics,
}

/// Runs `list` and answers with the stream Terraform reads: one event per object found, its
/// identity derived from its state with `identity`; the state only when requested; at most
/// `limit` objects, after which the list is told to stop (its sink closes); an error
/// diagnostic ends the stream. `resource` is the managed resource's schema.
pub fn stream(
    list: Arc<dyn ListResource>,
    identity: IdentitySchema,
    resource: Schema,
    ctx: Ctx,
    req: ListRequest,
) -> mpsc::Receiver<StreamEvent> {
    let (out, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        let limit = req.limit;
        let include = req.include_resource_object;
        if limit <= 0 {
            return;
        }
        let (sink, mut events) = ListSink::channel();
        let lister = {
            let list = list.clone();
            let ctx = ctx.clone();
            tokio::spawn(async move { list.list(&ctx, req, &sink).await })
        };
        let mut sent: i64 = 0;
        while let Some(event) = events.recv().await {
            let found = match event {
                ListEvent::Diagnostics(diagnostics) => {
                    let last = diagnostics.has_errors();
                    let _ = out
                        .send(StreamEvent {
                            diagnostics,
                            ..Default::default()
                        })
                        .await;
                    if last {
                        break;
                    }
                    continue;
                }
                ListEvent::Found(found) => found,
            };
            let Some(id) = identity.from_state(&found.state) else {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error(
                    "Listed object without identity",
                    format!(
                        "The provider listed {:?} without the values its identity is made of. \
                         This is a bug in the provider.",
                        found.display_name
                    ),
                );
                let _ = out
                    .send(StreamEvent {
                        diagnostics,
                        ..Default::default()
                    })
                    .await;
                break;
            };
            let mut object = Value::Null;
            if include {
                object = found.state;
                super::plan::null_write_only(&resource.block, &mut object);
            }
            let event = StreamEvent {
                identity: id,
                display_name: found.display_name,
                resource_object: object,
                diagnostics: Diagnostics::new(),
            };
            if out.send(event).await.is_err() {
                break; // Terraform went away.
            }
            sent += 1;
            if sent >= limit {
                break;
            }
        }
        // The stream ends now; closing the receiving end tells the list to stop, and waiting
        // for it keeps any call it is making inside this task.
        drop(out);
        drop(events);
        let _ = lister.await;
    });
    rx
}
