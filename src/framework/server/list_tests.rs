//! List resource rules, in framework types: identities derived from state, `limit`,
//! `include_resource_object`, errors ending the stream.

use super::identity_tests::{Prov, server_of, undv_identity};
use super::*;
use crate::framework::{Attribute, Block, Found, Severity};
use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Lists `count` objects `o-0`, `o-1`, …; a warning first when `warn`; an error instead of
/// object `fail_at` (then goes on); object `no_id_at` without its id; object `unknown_at` with
/// an unknown `name` (a state that cannot be sent). Counts the objects the sink took.
#[derive(Default)]
struct Objs {
    taken: AtomicUsize,
    calls: AtomicUsize,
}

fn config_ty() -> Type {
    Objs::default().schema().implied_type()
}

#[async_trait]
impl ListResource for Objs {
    fn type_name(&self) -> &str {
        "test_obj"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new()
                .attribute(Attribute::new("count", Type::Number).required())
                .attribute(Attribute::new("fail_at", Type::Number).optional())
                .attribute(Attribute::new("no_id_at", Type::Number).optional())
                .attribute(Attribute::new("unknown_at", Type::Number).optional())
                .attribute(Attribute::new("warn", Type::Bool).optional()),
        )
    }
    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.get_attr("count").and_then(Value::as_i64) == Some(-1) {
            d.error("bad count", "");
        }
        d
    }
    async fn list(&self, _ctx: &Ctx, req: ListRequest, sink: &ListSink) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let n = |name| req.config.get_attr(name).and_then(Value::as_i64);
        if req.config.attr_bool("warn") == Some(true) {
            let mut d = Diagnostics::new();
            d.warning("careful", "");
            if !sink.diagnostics(d).await {
                return;
            }
        }
        for i in 0..n("count").unwrap_or(0) {
            if n("fail_at") == Some(i) {
                let mut d = Diagnostics::new();
                d.error("listing failed", "");
                // Goes on if the sink lets it: ending the stream is the server's rule.
                if !sink.diagnostics(d).await {
                    return;
                }
                continue;
            }
            let id = if n("no_id_at") == Some(i) {
                Value::Null
            } else {
                Value::from(format!("o-{i}"))
            };
            let found = Found {
                display_name: format!("object {i}"),
                state: Value::object([
                    ("id", id),
                    ("account", Value::from("acct")),
                    (
                        "name",
                        if n("unknown_at") == Some(i) {
                            Value::Unknown
                        } else {
                            Value::from("n")
                        },
                    ),
                    ("secret", Value::from("must not leave")),
                ]),
            };
            if !sink.found(found).await {
                return;
            }
            self.taken.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn config(set: &[(&str, Value)]) -> Option<DynamicValue> {
    let mut v = Value::object([
        ("count", Value::Null),
        ("fail_at", Value::Null),
        ("no_id_at", Value::Null),
        ("unknown_at", Value::Null),
        ("warn", Value::Null),
    ]);
    for (k, x) in set {
        v.set_attr(*k, x.clone());
    }
    encode(&v, &config_ty(), "test").ok()
}

async fn run(
    server: &Server,
    type_name: &str,
    cfg: Option<DynamicValue>,
    limit: i64,
    include: bool,
) -> Vec<ListResult> {
    let mut rx = server.list_resource(ListResourceRequest {
        type_name: type_name.into(),
        config: cfg,
        include_resource_object: include,
        limit,
    });
    let mut out = Vec::new();
    while let Some(ev) = rx.recv().await {
        out.push(ev);
    }
    out
}

fn errors(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.summary.clone())
        .collect()
}

fn with(objs: &Arc<Objs>) -> Server {
    server_of(vec![objs.clone()])
}

#[tokio::test]
async fn the_stream_stops_at_the_limit_and_so_does_the_list() {
    let objs = Arc::new(Objs::default());
    let s = with(&objs);
    let events = run(
        &s,
        "test_obj",
        config(&[("count", Value::from(10))]),
        3,
        false,
    )
    .await;
    let ids: Vec<Value> = events.iter().map(|e| undv_identity(&e.identity)).collect();
    assert_eq!(
        ids,
        (0..3)
            .map(|i| Value::object([
                ("account", Value::from("acct")),
                ("obj_id", Value::from(format!("o-{i}"))),
            ]))
            .collect::<Vec<_>>()
    );
    // The list found its sink closed soon after the third object: it did not go through all
    // ten (the sink buffers one event).
    assert!(objs.taken.load(Ordering::SeqCst) <= 4, "{:?}", objs.taken);

    // Fewer objects than the limit: all of them. A limit of zero: nothing, the list not run.
    let events = run(
        &s,
        "test_obj",
        config(&[("count", Value::from(2))]),
        100,
        false,
    )
    .await;
    assert_eq!(events.len(), 2);
    let calls = objs.calls.load(Ordering::SeqCst);
    assert!(
        run(
            &s,
            "test_obj",
            config(&[("count", Value::from(2))]),
            0,
            false
        )
        .await
        .is_empty()
    );
    assert_eq!(objs.calls.load(Ordering::SeqCst), calls);
}

#[tokio::test]
async fn objects_are_sent_only_when_asked_for_and_without_write_only_values() {
    let objs = Arc::new(Objs::default());
    let s = with(&objs);
    let events = run(
        &s,
        "test_obj",
        config(&[("count", Value::from(1))]),
        10,
        false,
    )
    .await;
    assert_eq!(events[0].display_name, "object 0");
    assert!(events[0].resource_object.is_none());
    let events = run(
        &s,
        "test_obj",
        config(&[("count", Value::from(1))]),
        10,
        true,
    )
    .await;
    let ty = super::identity_tests::obj_schema().implied_type();
    let object = events[0]
        .resource_object
        .as_ref()
        .and_then(|d| msgpack::decode(&d.msgpack, &ty).ok())
        .expect("an object");
    assert_eq!(object.attr_str("id"), Some("o-0"));
    assert_eq!(object.get_attr("secret"), Some(&Value::Null));
}

#[tokio::test]
async fn warnings_pass_and_an_error_ends_the_stream() {
    let objs = Arc::new(Objs::default());
    let s = with(&objs);
    let cfg = config(&[
        ("count", Value::from(5)),
        ("fail_at", Value::from(2)),
        ("warn", Value::Bool(true)),
    ]);
    let events = run(&s, "test_obj", cfg, 100, false).await;
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        events[0].diagnostics.iter().next().map(|d| d.severity),
        Some(Severity::Warning)
    );
    assert!(events[1].identity.is_some() && events[2].identity.is_some());
    assert_eq!(errors(&events[3].diagnostics), ["listing failed"]);
    assert!(events[3].identity.is_none());

    // An object whose state lacks its identity is the provider's bug: the last event.
    let cfg = config(&[("count", Value::from(5)), ("no_id_at", Value::from(1))]);
    let events = run(&s, "test_obj", cfg, 100, false).await;
    assert_eq!(events.len(), 2);
    assert_eq!(
        errors(&events[1].diagnostics),
        ["Listed object without identity"]
    );

    // An unknown list type or an undecodable config: one error event.
    let events = run(&s, "test_nothing", None, 100, false).await;
    assert_eq!(
        errors(&events[0].diagnostics),
        ["Unknown list resource type"]
    );
    let garbage = Some(DynamicValue {
        msgpack: vec![0x92, 0x01],
        json: Vec::new(),
    });
    let events = run(&s, "test_obj", garbage, 100, false).await;
    assert_eq!(events.len(), 1);
    assert!(errors(&events[0].diagnostics)[0].starts_with("Invalid"));
}

#[tokio::test]
async fn an_object_whose_state_cannot_be_sent_ends_the_stream_without_its_identity() {
    let objs = Arc::new(Objs::default());
    let s = with(&objs);
    let cfg = || config(&[("count", Value::from(3)), ("unknown_at", Value::from(1))]);
    let events = run(&s, "test_obj", cfg(), 100, true).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[0].identity.is_some() && events[0].resource_object.is_some());
    let failed = &events[1];
    assert!(failed.diagnostics.has_errors(), "{failed:?}");
    assert!(failed.identity.is_none() && failed.resource_object.is_none());
    // Without the objects, nothing is encoded but the identities: all three are listed.
    assert_eq!(run(&s, "test_obj", cfg(), 100, false).await.len(), 3);
}

#[tokio::test]
async fn validation_checks_the_config_and_a_negative_limit() {
    let objs = Arc::new(Objs::default());
    let s = with(&objs);
    let validate = |cfg, limit: Option<Value>| {
        s.validate_list_resource_config(ValidateListRequest {
            type_name: "test_obj".into(),
            config: cfg,
            limit: limit.and_then(|l| encode(&l, &Type::Number, "test").ok()),
        })
    };
    for limit in [5, 0] {
        let ok = validate(
            config(&[("count", Value::from(1))]),
            Some(Value::from(limit)),
        )
        .await;
        assert!(ok.is_empty(), "limit {limit}: {ok:?}");
    }
    let bad = validate(config(&[("count", Value::from(1))]), Some(Value::from(-1))).await;
    assert_eq!(errors(&bad), ["Invalid limit"]);
    let bad = validate(config(&[("count", Value::from(-1))]), None).await;
    assert_eq!(errors(&bad), ["bad count"]);
}

#[test]
fn a_list_resource_needs_a_resource_with_an_identity() {
    let s = Server::new(Arc::new(Prov {
        lists: vec![Arc::new(Objs::default())],
        identity: None,
    }));
    assert_eq!(
        errors(&s.schemas().diagnostics),
        ["Invalid list resource test_obj"]
    );
    let m = with(&Arc::new(Objs::default())).metadata();
    assert_eq!(m.list_resources, ["test_obj"]);
    assert!(m.diagnostics.is_empty());
}
