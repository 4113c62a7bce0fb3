//! The server's rules, in framework types: no protobuf.

use super::*;
use crate::framework::provider::{
    ApplyResult, ImportResponse, ReadDataResponse, ReadResponse, UpgradeResponse,
};
use crate::framework::{Attribute, Block, Severity};
use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Default)]
struct Thing {
    modify_calls: AtomicUsize,
    seen_version: Mutex<Option<String>>,
    seen_caps: Mutex<Option<ClientCapabilities>>,
    /// The private bytes `modify_plan` found in the plan it was handed.
    seen_plan_private: Mutex<Option<Vec<u8>>>,
    /// Notified when a slow create holds its cancel token.
    slow_started: tokio::sync::Notify,
    /// The cancel token the slow create waits on.
    slow_token: Mutex<Option<CancellationToken>>,
    /// The stored-state versions `upgrade_state` was called with.
    upgraded_versions: Mutex<Vec<i64>>,
}

fn thing_schema() -> Schema {
    Schema::new(
        1,
        Block::new()
            .description("A **thing**.")
            .attribute(
                Attribute::new("id", Type::String)
                    .computed()
                    .use_state_for_unknown(),
            )
            .attribute(
                Attribute::new("name", Type::String)
                    .required()
                    .requires_replace()
                    .description("Name."),
            )
            .attribute(Attribute::new("mode", Type::String).optional().computed())
            .attribute(
                Attribute::new("kind", Type::String)
                    .optional()
                    .computed()
                    .default_string("plain"),
            )
            .attribute(
                Attribute::new("account", Type::String)
                    .optional()
                    .computed()
                    .default_from_provider()
                    .use_state_for_unknown(),
            )
            .attribute(
                Attribute::new("secret", Type::String)
                    .optional()
                    .sensitive()
                    .write_only(),
            ),
    )
}

fn fail(summary: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(summary, "");
    d
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
    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        if let Ok(mut caps) = self.seen_caps.lock() {
            *caps = Some(ctx.client_capabilities);
        }
        match req.current_state.attr_str("name") {
            Some("gone") => Ok(ReadResponse::default()),
            Some("broken") => Err(fail("read failed")),
            Some("buggy") => {
                let mut s = req.current_state;
                s.set_attr("mode", Value::Unknown);
                Ok(ReadResponse {
                    new_state: s,
                    ..Default::default()
                })
            }
            _ => Ok(ReadResponse {
                new_state: req.current_state,
                ..Default::default()
            }),
        }
    }
    async fn upgrade_state(&self, _ctx: &Ctx, version: i64, raw_json: &[u8]) -> UpgradeResponse {
        if let Ok(mut v) = self.upgraded_versions.lock() {
            v.push(version);
        }
        decode_stored_state(raw_json, &thing_schema().implied_type(), self.type_name())
    }
    async fn modify_plan(&self, _ctx: &Ctx, req: &PlanRequest, plan: &mut PlanResponse) {
        self.modify_calls.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut seen) = self.seen_plan_private.lock() {
            *seen = Some(plan.planned_private.clone());
        }
        // Deliberately plans the write-only value: the server must null it.
        plan.planned_state.set_attr(
            "secret",
            req.config.get_attr("secret").cloned().unwrap_or_default(),
        );
    }
    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        if let Ok(mut v) = self.seen_version.lock() {
            v.clone_from(&ctx.terraform_version);
        }
        let mut s = req.planned_state;
        match s.attr_str("name") {
            Some("slow") => {
                if let Ok(mut t) = self.slow_token.lock() {
                    *t = Some(ctx.cancel.clone());
                }
                self.slow_started.notify_one();
                ctx.cancel.cancelled().await;
                return Err(fail("cancelled"));
            }
            Some("buggy") => return Ok(Applied::state(s)),
            Some("refused") => return Err(fail("create failed")),
            Some("warned-error") => {
                return Ok(Applied {
                    state: s,
                    private: b"no".to_vec(),
                    diagnostics: fail("error inside a success"),
                });
            }
            _ => {}
        }
        s.set_attr("id", Value::from("id-1"));
        for computed in ["mode", "account"] {
            if s.get_attr(computed).is_none_or(Value::is_unknown) {
                s.set_attr(computed, Value::from("default"));
            }
        }
        s.set_attr("secret", Value::from("leak"));
        Ok(Applied {
            state: s,
            private: b"p1".to_vec(),
            diagnostics: Diagnostics::new(),
        })
    }
    async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        if req.planned_state.attr_str("mode") == Some("refused") {
            return Err(fail("update failed"));
        }
        Ok(Applied::state(req.planned_state))
    }
    async fn delete(&self, _ctx: &Ctx, req: DeleteRequest) -> Result<(), Diagnostics> {
        if req.prior_state.attr_str("mode") == Some("refused") {
            return Err(fail("delete failed"));
        }
        Ok(())
    }
    async fn import(&self, _ctx: &Ctx, id: &str) -> ImportResponse {
        if id == "missing" {
            return ImportResponse::default();
        }
        ImportResponse {
            state: Value::object([
                ("id", Value::from(id)),
                ("name", Value::from("imported")),
                ("secret", Value::from("leak")),
            ]),
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
            Block::new().attribute(Attribute::new("names", Type::list(Type::String)).computed()),
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
    account: Option<&'static str>,
}
#[async_trait]
impl Provider for Prov {
    fn schema(&self) -> Schema {
        let mut b =
            Block::new().attribute(Attribute::new("token", Type::String).optional().sensitive());
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
    fn default_value(&self, attribute: &str) -> Option<Value> {
        (attribute == "account")
            .then_some(self.account)
            .flatten()
            .map(Value::from)
    }
}

fn server_with(account: Option<&'static str>) -> (Arc<Server>, Arc<Thing>) {
    let thing = Arc::new(Thing::default());
    let server = Server::new(Arc::new(Prov {
        thing: thing.clone(),
        bad_schema: false,
        account,
    }));
    (Arc::new(server), thing)
}

fn server() -> (Arc<Server>, Arc<Thing>) {
    server_with(None)
}

fn ty() -> Type {
    thing_schema().implied_type()
}

fn dv(v: &Value) -> Option<DynamicValue> {
    msgpack::encode(v, &ty()).ok().map(|msgpack| DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

fn undv(d: &Option<DynamicValue>) -> Value {
    d.as_ref()
        .and_then(|d| msgpack::decode(&d.msgpack, &ty()).ok())
        .unwrap_or(Value::Unknown)
}

/// A thing: `id`, `name`, `mode`, `secret`, with `kind` and `account` set to `plain` and `acct`.
fn thing(name: &str, id: Value, mode: Value, secret: Value) -> Value {
    Value::object([
        ("id", id),
        ("name", Value::from(name)),
        ("mode", mode),
        ("kind", Value::from("plain")),
        ("account", Value::from("acct")),
        ("secret", secret),
    ])
}

/// Its configuration: `kind` and `account` unset.
fn config(name: &str, mode: Value, secret: Value) -> Value {
    let mut c = thing(name, Value::Null, mode, secret);
    c.set_attr("kind", Value::Null);
    c.set_attr("account", Value::Null);
    c
}

fn errors(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.summary.clone())
        .collect()
}

fn garbage() -> Option<DynamicValue> {
    Some(DynamicValue {
        msgpack: vec![0x92, 0x01],
        json: Vec::new(),
    })
}

#[test]
fn schemas_and_metadata_list_every_type() {
    let (s, _) = server();
    let r = s.schemas();
    assert!(r.diagnostics.is_empty());
    assert_eq!(r.resources["test_thing"], thing_schema());
    assert!(r.data_sources.contains_key("test_things"));
    let m = s.metadata();
    assert_eq!(m.resources, ["test_thing"]);
    assert_eq!(m.data_sources, ["test_things"]);
    const { assert!(CAPABILITIES.plan_destroy && CAPABILITIES.get_provider_schema_optional) };
}

#[test]
fn invalid_schema_is_reported() {
    let s = Server::new(Arc::new(Prov {
        thing: Arc::new(Thing::default()),
        bad_schema: true,
        account: None,
    }));
    let d = s.schemas().diagnostics;
    assert_eq!(errors(&d), ["Invalid provider schema for the provider"]);
    assert!(
        d.iter()
            .any(|d| d.detail.contains("Bad: name may contain only"))
    );
    assert_eq!(errors(&s.metadata().diagnostics).len(), 1);
}

#[tokio::test]
async fn unknown_type_names_are_diagnostics() {
    let (s, _) = server();
    let nope = || "test_nope".to_string();
    let v = || ValidateRequest {
        type_name: nope(),
        ..Default::default()
    };
    let resource = ["Unknown resource type"];
    assert_eq!(errors(&s.validate_resource_config(v()).await), resource);
    assert_eq!(
        errors(&s.validate_data_source_config(v()).await),
        ["Unknown data source type"]
    );
    let r = s
        .read_resource(ReadResourceRequest {
            type_name: nope(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), resource);
    let r = s
        .plan_resource_change(PlanChangeRequest {
            type_name: nope(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), resource);
    let r = s
        .apply_resource_change(ApplyChangeRequest {
            type_name: nope(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), resource);
    let r = s
        .import_resource_state(ImportStateRequest {
            type_name: nope(),
            id: "x".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), resource);
    let r = s
        .upgrade_resource_state(UpgradeStateRequest {
            type_name: nope(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), resource);
    let r = s
        .read_data_source(ReadDataSourceRequest {
            type_name: nope(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), ["Unknown data source type"]);
}

#[tokio::test]
async fn undecodable_values_are_diagnostics() {
    let (s, _) = server();
    let name = || "test_thing".to_string();
    let d = s
        .validate_resource_config(ValidateRequest {
            type_name: name(),
            config: garbage(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&d), ["Invalid resource configuration"]);
    let r = s
        .plan_resource_change(PlanChangeRequest {
            type_name: name(),
            proposed_new_state: garbage(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), ["Invalid proposed new state"]);
    let r = s
        .apply_resource_change(ApplyChangeRequest {
            type_name: name(),
            prior_state: dv(&thing("p", Value::from("i"), Value::Null, Value::Null)),
            planned_state: garbage(),
            planned_private: b"pl".to_vec(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), ["Invalid planned state"]);
    assert_eq!(
        undv(&r.new_state).attr_str("name"),
        Some("p"),
        "nothing ran: the prior state is kept"
    );
    let r = s
        .read_resource(ReadResourceRequest {
            type_name: name(),
            current_state: garbage(),
            private: b"keep".to_vec(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&r.diagnostics), ["Invalid current state"]);
    assert_eq!(r.private, b"keep");
    assert_eq!(r.new_state, garbage());
    let d = s
        .configure(ConfigureRequest {
            config: garbage(),
            ..Default::default()
        })
        .await;
    assert_eq!(errors(&d), ["Invalid provider configuration"]);
    let d = s.validate_provider_config(garbage().as_ref()).await;
    assert_eq!(errors(&d), ["Invalid provider configuration"]);
    let r = s
        .read_data_source(ReadDataSourceRequest {
            type_name: "test_things".into(),
            config: garbage(),
            ..Default::default()
        })
        .await;
    assert_eq!(
        errors(&r.diagnostics),
        ["Invalid data source configuration"]
    );
    // A partial object (missing attributes) is a decode error with a clear message.
    let partial = msgpack::encode(
        &Value::map([("name", Value::from("x"))]),
        &Type::map(Type::String),
    )
    .unwrap_or_default();
    let d = s
        .validate_resource_config(ValidateRequest {
            type_name: name(),
            config: Some(DynamicValue {
                msgpack: partial,
                json: Vec::new(),
            }),
            ..Default::default()
        })
        .await;
    assert!(
        d.iter()
            .any(|d| d.detail.contains("6 attributes is required (1 given)")),
        "{d:?}"
    );
}

#[tokio::test]
async fn write_only_values_need_the_client_capability() {
    let (s, _) = server();
    let call = |cfg: Value, wo: bool| {
        let s = s.clone();
        async move {
            s.validate_resource_config(ValidateRequest {
                type_name: "test_thing".into(),
                config: dv(&cfg),
                client_capabilities: Some(ClientCapabilities {
                    write_only_attributes_allowed: wo,
                    deferral_allowed: false,
                }),
            })
            .await
        }
    };
    let with_secret = config("n", Value::Null, Value::from("s"));
    let d = call(with_secret.clone(), false).await;
    assert_eq!(errors(&d), ["Write-only attribute not supported"]);
    let first = d.iter().next().cloned();
    assert_eq!(
        first.as_ref().and_then(|d| d.attribute.clone()),
        Some(AttributePath::attr_path("secret"))
    );
    assert!(
        first.is_some_and(|d| d
            .detail
            .contains("Terraform 1.11 or OpenTofu 1.11 or later")),
        "the error names the versions that can"
    );
    assert!(call(with_secret, true).await.is_empty());
    assert!(
        call(config("n", Value::Null, Value::Null), false)
            .await
            .is_empty()
    );
    // An unknown write-only value is still "set".
    assert_eq!(
        call(config("n", Value::Null, Value::Unknown), false)
            .await
            .len(),
        1
    );
    // The resource's own checks follow.
    let d = call(config("", Value::Null, Value::Null), true).await;
    assert_eq!(errors(&d), ["empty name"]);
}

async fn plan(
    s: &Server,
    prior: Value,
    proposed: Value,
    config: Value,
    private: &[u8],
) -> PlanChangeResponse {
    s.plan_resource_change(PlanChangeRequest {
        type_name: "test_thing".into(),
        prior_state: dv(&prior),
        proposed_new_state: dv(&proposed),
        config: dv(&config),
        prior_private: private.to_vec(),
        ..Default::default()
    })
    .await
}

/// Terraform's proposal: the config, with prior values for computed attributes it leaves null.
fn proposed(prior: &Value, config: &Value) -> Value {
    let mut p = config.clone();
    for a in ["id", "mode", "kind", "account"] {
        if config.get_attr(a).is_some_and(Value::is_null) {
            p.set_attr(a, prior.get_attr(a).cloned().unwrap_or(Value::Null));
        }
    }
    p
}

#[tokio::test]
async fn a_create_plan_marks_computed_unknown_and_applies_defaults() {
    let (s, _) = server();
    let cfg = config("a", Value::Null, Value::from("s"));
    let r = plan(
        &s,
        Value::Null,
        proposed(&Value::Null, &cfg),
        cfg.clone(),
        b"",
    )
    .await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let mut want = thing("a", Value::Unknown, Value::Unknown, Value::Null);
    want.set_attr("account", Value::Unknown);
    assert_eq!(
        undv(&r.planned_state),
        want,
        "unknown computed values; the string default; the provider's value unknown while it \
         has none; the write-only value the resource planned nulled"
    );
    assert!(r.requires_replace.is_empty());
    // Once the provider knows its value, a create plans it.
    let (s, _) = server_with(Some("acct"));
    let r = plan(&s, Value::Null, proposed(&Value::Null, &cfg), cfg, b"").await;
    assert_eq!(undv(&r.planned_state).attr_str("account"), Some("acct"));
}

#[tokio::test]
async fn an_update_plan_keeps_stable_values_and_finds_replacements() {
    let (s, thing_res) = server_with(Some("other"));
    let prior = thing("a", Value::from("id-1"), Value::from("m"), Value::Null);
    // No change: planned == prior, private passed through.
    let cfg = config("a", Value::Null, Value::Null);
    let r = plan(&s, prior.clone(), proposed(&prior, &cfg), cfg, b"priv").await;
    assert_eq!(undv(&r.planned_state), prior);
    assert_eq!(r.planned_private, b"priv");
    assert!(r.requires_replace.is_empty());
    // Rename: requires replace on name; id and account kept from state (the provider's value
    // does not move an existing object), mode unknown.
    let cfg = config("b", Value::Null, Value::Null);
    let r = plan(&s, prior.clone(), proposed(&prior, &cfg), cfg, b"").await;
    assert_eq!(
        undv(&r.planned_state),
        thing("b", Value::from("id-1"), Value::Unknown, Value::Null)
    );
    assert_eq!(r.requires_replace, vec![AttributePath::attr_path("name")]);
    // An explicit kind wins over the default; unset again, the default comes back.
    let mut cfg = config("a", Value::Null, Value::Null);
    cfg.set_attr("kind", Value::from("fancy"));
    let r = plan(&s, prior.clone(), proposed(&prior, &cfg), cfg, b"").await;
    assert_eq!(undv(&r.planned_state).attr_str("kind"), Some("fancy"));
    // Destroy: null planned state, resource not called, private kept.
    let before = thing_res.modify_calls.load(Ordering::SeqCst);
    let r = plan(&s, prior, Value::Null, Value::Null, b"pp").await;
    assert_eq!(undv(&r.planned_state), Value::Null);
    assert_eq!(r.planned_private, b"pp");
    assert!(r.diagnostics.is_empty());
    assert_eq!(thing_res.modify_calls.load(Ordering::SeqCst), before);
}

async fn apply(s: &Server, prior: &Value, planned: &Value, cfg: &Value) -> ApplyChangeResponse {
    s.apply_resource_change(ApplyChangeRequest {
        type_name: "test_thing".into(),
        prior_state: dv(prior),
        planned_state: dv(planned),
        config: dv(cfg),
        planned_private: b"pl".to_vec(),
        planned_identity: None,
    })
    .await
}

#[tokio::test]
async fn apply_dispatches_and_stores_only_known_states_without_write_only_values() {
    let (s, thing_res) = server();
    let d = s
        .configure(ConfigureRequest {
            terraform_version: "1.0.3".into(),
            config: msgpack::encode(
                &Value::object([("token", Value::from("bad"))]),
                &Type::object([("token", Type::String)]),
            )
            .ok()
            .map(|msgpack| DynamicValue {
                msgpack,
                json: Vec::new(),
            }),
            client_capabilities: None,
        })
        .await;
    assert_eq!(errors(&d), ["bad token"]);
    // Create.
    let mut planned = thing("a", Value::Unknown, Value::Unknown, Value::Null);
    planned.set_attr("account", Value::Unknown);
    let cfg = config("a", Value::Null, Value::from("s"));
    let r = apply(&s, &Value::Null, &planned, &cfg).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let mut want = thing(
        "a",
        Value::from("id-1"),
        Value::from("default"),
        Value::Null,
    );
    want.set_attr("account", Value::from("default"));
    assert_eq!(
        undv(&r.new_state),
        want,
        "the write-only value never reaches state"
    );
    assert_eq!(r.private, b"p1");
    assert_eq!(
        thing_res
            .seen_version
            .lock()
            .ok()
            .and_then(|v| v.clone())
            .as_deref(),
        Some("1.0.3")
    );
    // Update: no private bytes of its own, so the plan's are kept.
    let prior = thing("a", Value::from("id-1"), Value::from("m"), Value::Null);
    let next = thing("a", Value::from("id-1"), Value::from("n"), Value::Null);
    let r = apply(
        &s,
        &prior,
        &next,
        &config("a", Value::from("n"), Value::Null),
    )
    .await;
    assert_eq!(undv(&r.new_state), next);
    assert_eq!(r.private, b"pl");
    // Delete: null state; the plan's private bytes kept.
    let r = apply(&s, &prior, &Value::Null, &Value::Null).await;
    assert!(r.diagnostics.is_empty());
    assert_eq!(undv(&r.new_state), Value::Null);
    assert_eq!(r.private, b"pl");
    // A resource leaving unknowns in new state gets an error, not a corrupt state.
    let buggy = thing("buggy", Value::Unknown, Value::Unknown, Value::Null);
    let r = apply(&s, &Value::Null, &buggy, &Value::Null).await;
    assert_eq!(
        errors(&r.diagnostics),
        ["Provider returned an unknown value in the new state"]
    );
    assert_eq!(r.new_state, None);
}

#[tokio::test]
async fn a_failed_create_leaves_nothing_and_a_failed_update_or_delete_keeps_the_prior_state() {
    let (s, _) = server();
    let planned = thing("refused", Value::Unknown, Value::Unknown, Value::Null);
    let r = apply(&s, &Value::Null, &planned, &Value::Null).await;
    assert_eq!(errors(&r.diagnostics), ["create failed"]);
    assert_eq!(r.new_state, None);
    assert!(r.private.is_empty());
    // An error inside a success is a failure too: its state and private bytes are dropped.
    let planned = thing(
        "warned-error",
        Value::from("i"),
        Value::from("m"),
        Value::Null,
    );
    let r = apply(&s, &Value::Null, &planned, &Value::Null).await;
    assert_eq!(errors(&r.diagnostics), ["error inside a success"]);
    assert_eq!(r.new_state, None);
    assert!(r.private.is_empty());

    let prior = thing("a", Value::from("id-1"), Value::from("m"), Value::Null);
    let planned = thing(
        "a",
        Value::from("id-1"),
        Value::from("refused"),
        Value::Null,
    );
    let r = apply(&s, &prior, &planned, &Value::Null).await;
    assert_eq!(errors(&r.diagnostics), ["update failed"]);
    assert_eq!(undv(&r.new_state), prior);
    assert_eq!(r.private, b"pl");

    let doomed = thing(
        "a",
        Value::from("id-1"),
        Value::from("refused"),
        Value::Null,
    );
    let r = apply(&s, &doomed, &Value::Null, &Value::Null).await;
    assert_eq!(errors(&r.diagnostics), ["delete failed"]);
    assert_eq!(undv(&r.new_state), doomed);
    assert_eq!(r.private, b"pl");
}

#[tokio::test]
async fn read_keeps_the_state_on_failure_and_drops_it_when_gone() {
    let (s, thing_res) = server();
    let read = |state: Value, caps: Option<ClientCapabilities>| {
        let s = s.clone();
        async move {
            s.read_resource(ReadResourceRequest {
                type_name: "test_thing".into(),
                current_state: dv(&state),
                private: b"stored".to_vec(),
                current_identity: None,
                client_capabilities: caps,
            })
            .await
        }
    };
    let all = ClientCapabilities {
        deferral_allowed: true,
        write_only_attributes_allowed: true,
    };
    let st = thing("a", Value::from("i"), Value::from("m"), Value::Null);
    let r = read(st.clone(), Some(all)).await;
    assert_eq!(undv(&r.new_state), st);
    assert_eq!(r.private, b"stored");
    assert_eq!(
        *thing_res
            .seen_caps
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
        Some(all)
    );
    let r = read(
        thing("gone", Value::from("i"), Value::Null, Value::Null),
        None,
    )
    .await;
    assert_eq!(undv(&r.new_state), Value::Null);
    assert_eq!(
        *thing_res
            .seen_caps
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
        Some(ClientCapabilities::default()),
        "without capabilities in the request, Configure's (none) apply"
    );
    let broken = thing("broken", Value::from("i"), Value::Null, Value::Null);
    let r = read(broken.clone(), None).await;
    assert_eq!(errors(&r.diagnostics), ["read failed"]);
    assert_eq!(undv(&r.new_state), broken);
    assert_eq!(r.private, b"stored");
    let buggy = thing("buggy", Value::from("i"), Value::Null, Value::Null);
    let r = read(buggy.clone(), None).await;
    assert_eq!(
        errors(&r.diagnostics),
        ["Provider returned an unknown value in the refreshed state"]
    );
    assert_eq!(undv(&r.new_state), buggy);
}

#[tokio::test]
async fn only_state_of_an_older_version_reaches_the_resources_upgrade() {
    let (s, thing_res) = server();
    let json = br#"{"id":"i","name":"a","kind":"plain","account":"acct","secret":null}"#;
    for version in [1, 0, 1] {
        let r = s
            .upgrade_resource_state(UpgradeStateRequest {
                type_name: "test_thing".into(),
                version,
                raw_state: RawState {
                    json: json.to_vec(),
                    flatmap: BTreeMap::new(),
                },
            })
            .await;
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(
            undv(&r.upgraded_state),
            thing("a", Value::from("i"), Value::Null, Value::Null),
            "version {version}"
        );
    }
    // The current version (1) is decoded by the server with the type it built once.
    let seen = thing_res.upgraded_versions.lock().map(|v| v.clone());
    assert_eq!(seen.ok(), Some(vec![0]));
}

#[tokio::test]
async fn upgrade_refuses_flatmap_and_newer_versions() {
    let (s, _) = server();
    let up = |json: &[u8], flatmap: bool, version: i64| {
        let s = s.clone();
        let json = json.to_vec();
        async move {
            let mut fm = BTreeMap::new();
            if flatmap {
                fm.insert("id".to_string(), "x".to_string());
            }
            s.upgrade_resource_state(UpgradeStateRequest {
                type_name: "test_thing".into(),
                version,
                raw_state: RawState { json, flatmap: fm },
            })
            .await
        }
    };
    let r = up(
        br#"{"id":"i","name":"a","kind":"plain","account":"acct","removed_attr":true,"secret":"s"}"#,
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
    let r = up(b"", false, 0).await;
    assert_eq!(errors(&r.diagnostics), ["Unsupported stored state"]);
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
    let (s, _) = server();
    let r = s
        .import_resource_state(ImportStateRequest {
            type_name: "test_thing".into(),
            id: "abc".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(r.imported.len(), 1);
    let imp = &r.imported[0];
    assert_eq!(imp.type_name, "test_thing");
    assert_eq!(imp.private, b"imp");
    let mut want = thing("imported", Value::from("abc"), Value::Null, Value::Null);
    want.set_attr("kind", Value::Null);
    want.set_attr("account", Value::Null);
    assert_eq!(
        undv(&Some(imp.state.clone())),
        want,
        "write-only value nulled"
    );
    let r = s
        .import_resource_state(ImportStateRequest {
            type_name: "test_thing".into(),
            id: "missing".into(),
            ..Default::default()
        })
        .await;
    assert!(r.imported.is_empty());
    assert_eq!(
        errors(&r.diagnostics),
        ["Cannot import non-existent remote object"]
    );
    let r = s
        .read_data_source(ReadDataSourceRequest {
            type_name: "test_things".into(),
            ..Default::default()
        })
        .await;
    let ty = Type::object([("names", Type::list(Type::String))]);
    let v = r.state.and_then(|d| msgpack::decode(&d.msgpack, &ty).ok());
    assert_eq!(
        v.and_then(|v| v.get_attr("names").cloned()),
        Some(Value::List(vec![Value::from("a")]))
    );
}

#[tokio::test]
async fn stop_cancels_in_flight_calls_only() {
    let (s, thing_res) = server();
    let s2 = s.clone();
    let slow = tokio::spawn(async move {
        let planned = thing("slow", Value::Unknown, Value::Unknown, Value::Null);
        apply(&s2, &Value::Null, &planned, &Value::Null).await
    });
    thing_res.slow_started.notified().await;
    s.stop();
    let token = thing_res.slow_token.lock().ok().and_then(|t| t.clone());
    let cancelled = token.as_ref().is_some_and(CancellationToken::is_cancelled);
    if !cancelled {
        // Awaiting it would wait forever: fail instead.
        slow.abort();
    }
    assert!(cancelled, "stop cancels the token of the call in flight");
    let done = slow.await.map(|r| errors(&r.diagnostics));
    assert_eq!(done.ok(), Some(vec!["cancelled".to_string()]));
    // Later calls get a fresh token.
    assert!(!s.ctx(None).is_cancelled());
}

#[test]
fn debug_output_names_sizes_and_types_never_values() {
    let secret = thing("n", Value::Null, Value::Null, Value::from("s3cr3t-value"));
    let value = dv(&secret).unwrap_or_default();
    let len = value.msgpack.len();
    let shown = format!("{value:?}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(
        shown.contains(&format!("{len} msgpack bytes")),
        "a traced value says how big it was: {shown}"
    );
    let (s, _) = server();
    let shown = format!("{s:?}");
    assert!(
        shown.contains("test_thing") && shown.contains("test_things"),
        "the server lists its types: {shown}"
    );
}

#[test]
fn a_value_sent_as_json_decodes_like_msgpack_and_an_empty_one_is_null() {
    let value = thing("n", Value::from("1"), Value::from("m"), Value::Null);
    let as_json = DynamicValue {
        msgpack: Vec::new(),
        json: json::encode(&value, &ty()).unwrap_or_default(),
    };
    assert_eq!(decode(Some(&as_json), &ty(), "config").ok(), Some(value));
    let empty = DynamicValue::default();
    assert_eq!(
        decode(Some(&empty), &ty(), "config").ok(),
        Some(Value::Null)
    );
    assert_eq!(decode(None, &ty(), "config").ok(), Some(Value::Null));
}

#[tokio::test]
async fn modify_plan_is_handed_the_prior_private_bytes() {
    let (s, thing_res) = server();
    let prior = thing("a", Value::from("1"), Value::from("m"), Value::Null);
    let cfg = config("b", Value::from("m"), Value::Null);
    let proposed = proposed(&prior, &cfg);
    let r = plan(&s, prior, proposed, cfg, b"kept").await;
    assert_eq!(r.planned_private, b"kept");
    let seen = thing_res
        .seen_plan_private
        .lock()
        .ok()
        .and_then(|s| s.clone());
    assert_eq!(seen.as_deref(), Some(&b"kept"[..]));
}
