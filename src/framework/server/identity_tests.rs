//! Resource identity rules, in framework types: derived from state, answered by read, plan,
//! apply and import, never changed, import by identity, UpgradeResourceIdentity.

use super::*;
use crate::framework::provider::{ApplyResult, ReadResponse};
use crate::framework::{Attribute, Block, IdentityAttribute, ListResource, Severity};
use async_trait::async_trait;

/// A resource whose identity is `account` (optional for import, state `account`) and `obj_id`
/// (state `id`). A read of a `name` "moved" answers another `id`; an update of one does too.
pub(super) struct Obj;

pub(super) fn obj_schema() -> Schema {
    Schema::new(
        0,
        Block::new()
            .attribute(
                Attribute::new("id", Type::String)
                    .computed()
                    .use_state_for_unknown(),
            )
            .attribute(
                Attribute::new("account", Type::String)
                    .optional()
                    .computed()
                    .default_from_provider()
                    .use_state_for_unknown()
                    .requires_replace(),
            )
            .attribute(Attribute::new("name", Type::String).required())
            .attribute(
                Attribute::new("secret", Type::String)
                    .optional()
                    .sensitive()
                    .write_only(),
            ),
    )
}

pub(super) fn obj_identity() -> IdentitySchema {
    IdentitySchema::new(
        0,
        vec![
            IdentityAttribute::new("account", "account").optional_for_import(),
            IdentityAttribute::new("obj_id", "id"),
        ],
    )
}

#[async_trait]
impl Resource for Obj {
    fn type_name(&self) -> &str {
        "test_obj"
    }
    fn schema(&self) -> Schema {
        obj_schema()
    }
    fn identity(&self) -> Option<IdentitySchema> {
        Some(obj_identity())
    }
    async fn read(&self, _ctx: &Ctx, req: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        let mut s = req.current_state;
        match s.attr_str("name") {
            Some("gone") => return Ok(ReadResponse::default()),
            Some("broken") => {
                let mut d = Diagnostics::new();
                d.error("read failed", "");
                return Err(d);
            }
            Some("moved") => {
                s.set_attr("id", Value::from("other"));
            }
            _ => {}
        }
        if s.get_attr("name").is_some_and(Value::is_null) {
            s.set_attr("name", Value::from("found"));
        }
        Ok(ReadResponse {
            new_state: s,
            ..Default::default()
        })
    }
    async fn create(&self, _ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let mut s = req.planned_state;
        s.set_attr("id", Value::from("o-1"));
        Ok(Applied::state(s))
    }
    async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let mut s = req.planned_state;
        if s.attr_str("name") == Some("moved") {
            s.set_attr("id", Value::from("other"));
        }
        Ok(Applied::state(s))
    }
    async fn delete(&self, _ctx: &Ctx, _req: DeleteRequest) -> Result<(), Diagnostics> {
        Ok(())
    }
    async fn import(&self, _ctx: &Ctx, id: &str) -> ImportResponse {
        ImportResponse {
            state: Value::object([
                ("id", Value::from(id)),
                ("account", Value::from("acct")),
                ("name", Value::Null),
                ("secret", Value::Null),
            ]),
            ..Default::default()
        }
    }
}

/// A resource without identity.
struct Plain;

#[async_trait]
impl Resource for Plain {
    fn type_name(&self) -> &str {
        "test_plain"
    }
    fn schema(&self) -> Schema {
        obj_schema()
    }
    async fn read(&self, _ctx: &Ctx, req: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        Ok(ReadResponse {
            new_state: req.current_state,
            ..Default::default()
        })
    }
    async fn create(&self, _ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        Ok(Applied::state(req.planned_state))
    }
    async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        Ok(Applied::state(req.planned_state))
    }
    async fn delete(&self, _ctx: &Ctx, _req: DeleteRequest) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// The provider: `test_obj`, `test_plain`, the given list resources; its `account` is
/// "home", known only once resolved (as an account found by discovery).
pub(super) struct Prov {
    pub(super) lists: Vec<Arc<dyn ListResource>>,
    pub(super) identity: Option<IdentitySchema>,
}

struct WithIdentity(Option<IdentitySchema>);

#[async_trait]
impl Resource for WithIdentity {
    fn type_name(&self) -> &str {
        "test_obj"
    }
    fn schema(&self) -> Schema {
        obj_schema()
    }
    fn identity(&self) -> Option<IdentitySchema> {
        self.0.clone()
    }
    async fn read(&self, ctx: &Ctx, req: ReadRequest) -> Result<ReadResponse, Diagnostics> {
        Obj.read(ctx, req).await
    }
    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        Obj.create(ctx, req).await
    }
    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        Obj.update(ctx, req).await
    }
    async fn delete(&self, ctx: &Ctx, req: DeleteRequest) -> Result<(), Diagnostics> {
        Obj.delete(ctx, req).await
    }
}

#[async_trait]
impl Provider for Prov {
    fn schema(&self) -> Schema {
        Schema::new(0, Block::new())
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        let obj: Arc<dyn Resource> = match &self.identity {
            Some(i) if *i == obj_identity() => Arc::new(Obj),
            other => Arc::new(WithIdentity(other.clone())),
        };
        vec![obj, Arc::new(Plain)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        self.lists.clone()
    }
    async fn configure(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    async fn resolve_default(
        &self,
        _ctx: &Ctx,
        attribute: &str,
    ) -> Result<Option<Value>, Diagnostics> {
        Ok((attribute == "account").then(|| Value::from("home")))
    }
}

pub(super) fn server_of(lists: Vec<Arc<dyn ListResource>>) -> Server {
    Server::new(Arc::new(Prov {
        lists,
        identity: Some(obj_identity()),
    }))
}

fn server() -> Server {
    server_of(Vec::new())
}

pub(super) fn state_dv(v: &Value) -> Option<DynamicValue> {
    encode(v, &obj_schema().implied_type(), "test").ok()
}

fn id_dv(v: &Value) -> Option<DynamicValue> {
    encode(v, &obj_identity().implied_type(), "test").ok()
}

pub(super) fn undv_identity(d: &Option<DynamicValue>) -> Value {
    d.as_ref()
        .and_then(|d| msgpack::decode(&d.msgpack, &obj_identity().implied_type()).ok())
        .unwrap_or(Value::Unknown)
}

fn undv_state(d: &Option<DynamicValue>) -> Value {
    d.as_ref()
        .and_then(|d| msgpack::decode(&d.msgpack, &obj_schema().implied_type()).ok())
        .unwrap_or(Value::Unknown)
}

fn obj(id: Value, name: &str) -> Value {
    Value::object([
        ("id", id),
        ("account", Value::from("acct")),
        ("name", Value::from(name)),
        ("secret", Value::Null),
    ])
}

fn identity(obj_id: &str) -> Value {
    Value::object([
        ("account", Value::from("acct")),
        ("obj_id", Value::from(obj_id)),
    ])
}

fn errors(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.summary.clone())
        .collect()
}

#[test]
fn identity_schemas_are_answered_and_checked_against_the_state() {
    let r = server().identity_schemas();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.schemas.len(), 1, "a resource without identity is absent");
    assert_eq!(r.schemas["test_obj"], obj_identity());

    let mut bad = obj_identity();
    bad.attributes[1].state_attribute = "obj_id".into();
    let s = Server::new(Arc::new(Prov {
        lists: Vec::new(),
        identity: Some(bad),
    }));
    assert_eq!(
        errors(&s.identity_schemas().diagnostics),
        ["Invalid identity schema for test_obj"]
    );
    assert_eq!(
        errors(&s.schemas().diagnostics),
        ["Invalid identity schema for test_obj"]
    );
}

#[tokio::test]
async fn read_answers_the_identity_of_the_refreshed_state_and_refuses_a_change() {
    let s = server();
    let read = |state: Value, held: Option<DynamicValue>| {
        s.read_resource(ReadResourceRequest {
            type_name: "test_obj".into(),
            current_state: state_dv(&state),
            private: b"p".to_vec(),
            current_identity: held,
            client_capabilities: None,
        })
    };
    // Nothing held (state from Terraform ≤ 1.11): the identity is derived.
    let r = read(obj(Value::from("o-1"), "a"), None).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(undv_identity(&r.new_identity), identity("o-1"));
    // Held and unchanged.
    let r = read(obj(Value::from("o-1"), "a"), id_dv(&identity("o-1"))).await;
    assert!(r.diagnostics.is_empty());
    assert_eq!(undv_identity(&r.new_identity), identity("o-1"));
    // A refresh that would change it: an error, the state and identity held are kept.
    let held = id_dv(&identity("o-1"));
    let r = read(obj(Value::from("o-1"), "moved"), held.clone()).await;
    assert_eq!(errors(&r.diagnostics), ["Unexpected Identity Change"]);
    assert!(
        r.diagnostics
            .iter()
            .all(|d| d.detail.contains("obj_id = \"other\""))
    );
    assert_eq!(r.new_state, state_dv(&obj(Value::from("o-1"), "moved")));
    assert_eq!(r.new_identity, held);
    // A failed read keeps the held identity; a vanished object has none.
    let r = read(obj(Value::from("o-1"), "broken"), held.clone()).await;
    assert_eq!(r.new_identity, held);
    let r = read(obj(Value::from("o-1"), "gone"), held).await;
    assert!(r.diagnostics.is_empty());
    assert!(r.new_identity.is_none());
}

#[tokio::test]
async fn plans_keep_the_identity_of_an_update_and_have_none_for_a_create_or_replacement() {
    let s = server();
    let plan = |prior: Value, proposed: Value, held: Option<DynamicValue>| {
        let mut config = proposed.clone();
        if !config.is_null() {
            config.set_attr("id", Value::Null);
        }
        s.plan_resource_change(PlanChangeRequest {
            type_name: "test_obj".into(),
            prior_state: state_dv(&prior),
            proposed_new_state: state_dv(&proposed),
            config: state_dv(&config),
            prior_private: Vec::new(),
            prior_identity: held,
            client_capabilities: None,
        })
    };
    let prior = obj(Value::from("o-1"), "a");
    let held = id_dv(&identity("o-1"));
    // Update in place: the identity held.
    let r = plan(prior.clone(), obj(Value::Null, "b"), held.clone()).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(r.requires_replace.is_empty());
    assert_eq!(undv_identity(&r.planned_identity), identity("o-1"));
    // Create: not known yet.
    let r = plan(Value::Null, obj(Value::Null, "b"), None).await;
    assert!(r.diagnostics.is_empty());
    assert!(r.planned_identity.is_none());
    // Replacement (the account changes): the new object's identity is not known yet.
    let mut moved = obj(Value::Null, "b");
    moved.set_attr("account", Value::from("elsewhere"));
    let r = plan(prior.clone(), moved, held.clone()).await;
    assert_eq!(r.requires_replace.len(), 1);
    assert!(r.planned_identity.is_none());
    // Destroy: the held identity passes through.
    let r = plan(prior.clone(), Value::Null, held.clone()).await;
    assert_eq!(r.planned_identity, held);
    // A plan whose identity differs from the held one is refused.
    let r = plan(prior, obj(Value::Null, "b"), id_dv(&identity("o-2"))).await;
    assert_eq!(errors(&r.diagnostics), ["Unexpected Identity Change"]);
    assert!(r.planned_state.is_none());
}

#[tokio::test]
async fn apply_answers_the_new_objects_identity_and_refuses_a_change() {
    let s = server();
    let apply = |prior: Value, planned: Value, held: Option<DynamicValue>| {
        s.apply_resource_change(ApplyChangeRequest {
            type_name: "test_obj".into(),
            prior_state: state_dv(&prior),
            planned_state: state_dv(&planned),
            config: state_dv(&planned),
            planned_private: b"pl".to_vec(),
            planned_identity: held,
        })
    };
    let r = apply(Value::Null, obj(Value::Unknown, "a"), None).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(undv_identity(&r.new_identity), identity("o-1"));

    let prior = obj(Value::from("o-1"), "a");
    let held = id_dv(&identity("o-1"));
    let r = apply(prior.clone(), obj(Value::from("o-1"), "b"), held.clone()).await;
    assert!(r.diagnostics.is_empty());
    assert_eq!(r.new_identity, held);
    // An update that would change the identity fails: the prior state and identity stay.
    let r = apply(
        prior.clone(),
        obj(Value::from("o-1"), "moved"),
        held.clone(),
    )
    .await;
    assert_eq!(errors(&r.diagnostics), ["Unexpected Identity Change"]);
    assert_eq!(r.new_state, state_dv(&prior));
    assert_eq!(r.new_identity, held);
    // A delete leaves no object and no identity.
    let r = apply(prior, Value::Null, held).await;
    assert!(r.diagnostics.is_empty());
    assert!(r.new_identity.is_none());
}

#[tokio::test]
async fn import_by_id_or_by_identity_answers_the_identity() {
    let s = server();
    let import = |type_name: &str, id: &str, by: Option<Value>| {
        s.import_resource_state(ImportStateRequest {
            type_name: type_name.into(),
            id: id.into(),
            identity: by.as_ref().and_then(id_dv),
            client_capabilities: None,
        })
    };
    let r = import("test_obj", "o-7", None).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(undv_identity(&r.imported[0].identity), identity("o-7"));

    // By identity: a partial state made of the identity, without calling the resource.
    let r = import("test_obj", "", Some(identity("o-8"))).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let i = &r.imported[0];
    assert_eq!(undv_identity(&i.identity), identity("o-8"));
    assert_eq!(
        undv_state(&Some(i.state.clone())),
        Value::object([
            ("id", Value::from("o-8")),
            ("account", Value::from("acct")),
            ("name", Value::Null),
            ("secret", Value::Null),
        ])
    );
    // An attribute optional for import takes the provider's value.
    let r = import(
        "test_obj",
        "",
        Some(Value::object([
            ("account", Value::Null),
            ("obj_id", Value::from("o-9")),
        ])),
    )
    .await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        undv_identity(&r.imported[0].identity).attr_str("account"),
        Some("home")
    );
    // A required one left out (or empty) is an error on that attribute.
    for missing in [Value::Null, Value::from(" ")] {
        let r = import(
            "test_obj",
            "",
            Some(Value::object([
                ("account", Value::from("acct")),
                ("obj_id", missing),
            ])),
        )
        .await;
        assert!(r.imported.is_empty());
        assert_eq!(errors(&r.diagnostics), ["Missing identity attribute"]);
        assert_eq!(
            r.diagnostics
                .iter()
                .next()
                .and_then(|d| d.attribute.clone()),
            Some(AttributePath::attr_path("obj_id"))
        );
    }
    // A resource without identity cannot be imported by one.
    let r = import("test_plain", "", Some(identity("o-1"))).await;
    assert_eq!(errors(&r.diagnostics), ["Import by identity not supported"]);
}

#[tokio::test]
async fn an_empty_identity_imports_by_id_and_one_sent_as_json_by_identity() {
    let s = server();
    let import = |id: &str, identity: DynamicValue| {
        s.import_resource_state(ImportStateRequest {
            type_name: "test_obj".into(),
            id: id.into(),
            identity: Some(identity),
            client_capabilities: None,
        })
    };
    // An identity with neither encoding is no identity: the ID is imported.
    let r = import("o-5", DynamicValue::default()).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(undv_identity(&r.imported[0].identity), identity("o-5"));
    // An identity sent as JSON only is an identity.
    let json = DynamicValue {
        msgpack: Vec::new(),
        json: br#"{"account":"acct","obj_id":"o-6"}"#.to_vec(),
    };
    let r = import("", json).await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(undv_identity(&r.imported[0].identity), identity("o-6"));
}

#[test]
fn only_the_current_identity_version_upgrades() {
    let s = server();
    let upgrade = |version: i64, json: &str| {
        s.upgrade_resource_identity(UpgradeIdentityRequest {
            type_name: "test_obj".into(),
            version,
            raw_json: json.as_bytes().to_vec(),
        })
    };
    let good = r#"{"account":"acct","obj_id":"o-1"}"#;
    let r = upgrade(0, good);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(undv_identity(&r.upgraded_identity), identity("o-1"));
    // A newer version asks for a newer provider; an older one (none exists) says so.
    for (version, json, error, says) in [
        (
            1,
            good,
            "Unsupported identity version",
            "upgrade the provider",
        ),
        (
            -1,
            good,
            "Unsupported identity version",
            "no such identity version",
        ),
        (0, r#"{"account":"acct"}"#, "Invalid stored identity", ""),
        (0, "[", "Invalid stored identity", ""),
    ] {
        let r = upgrade(version, json);
        assert!(r.upgraded_identity.is_none(), "{version} {json}");
        assert_eq!(errors(&r.diagnostics), [error], "{version} {json}");
        let detail = r
            .diagnostics
            .iter()
            .map(|d| d.detail.clone())
            .collect::<String>();
        assert!(detail.contains(says), "{version}: {detail}");
    }
    let r = s.upgrade_resource_identity(UpgradeIdentityRequest {
        type_name: "test_plain".into(),
        version: 0,
        raw_json: good.as_bytes().to_vec(),
    });
    assert_eq!(errors(&r.diagnostics), ["Resource has no identity"]);
}
