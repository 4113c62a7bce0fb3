//! `docusign_connect_configuration` through real Terraform against the emulator: a full
//! payload round trip, per-field plans, drift, out-of-band delete, plan-time validation with no
//! API call, passwords.
//!
//! Every test has its own emulator and working directories, so they run in parallel.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::{
    Emulator, Failure, ImportStep, LoggedRequest, Overrides, REQUIRED_DOCUSIGN, State, Step,
    TestCase, TfResult, WorkDir, hcl_string,
};

const ADDR: &str = "docusign_connect_configuration.c";
const URL: &str = "https://hooks.example.com/docusign";

/// A configuration setting most fields (the seed payload), with an https listener URL.
fn seed_json() -> Value {
    json!({"configurationType":"custom","urlToPublishTo":URL,"allUsers":"true",
        "name":"Your configuration name","allowEnvelopePublish":"true","enableLog":"true",
        "includeOAuth":"true","integratorManaged":"true","deliveryMode":"SIM",
        "events":["envelope-completed"],
        "eventData":{"version":"restv2.1","includeData":["tabs","payment_tabs","custom_fields",
            "powerform","recipients","folders","extensions","attachments","prefill_tabs",
            "document_fields"]},
        "requiresAcknowledgement":"true"})
}

/// The seed payload as HCL.
fn seed_hcl(emu: &Emulator) -> String {
    format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_configuration" "c" {{
  configuration_type       = "custom"
  url_to_publish_to        = "{URL}"
  all_users                = true
  name                     = "Your configuration name"
  allow_envelope_publish   = true
  enable_log               = true
  include_oauth            = true
  integrator_managed       = true
  delivery_mode            = "SIM"
  events                   = ["envelope-completed"]
  requires_acknowledgement = true

  event_data {{
    version      = "restv2.1"
    include_data = ["tabs", "payment_tabs", "custom_fields", "powerform", "recipients",
                    "folders", "extensions", "attachments", "prefill_tabs", "document_fields"]
  }}
}}
"#,
        emu.provider_block()
    )
}

/// Sorts every array (recursively), so that JSON lists that are sets compare as sets.
fn as_sets(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(as_sets).collect();
            items.sort_by_key(|i| i.to_string());
            Value::Array(items)
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), as_sets(v))).collect()),
        other => other.clone(),
    }
}

fn connect_path(account: &str) -> String {
    format!("/restapi/v2.1/accounts/{account}/connect")
}

/// API calls with `method` on exactly `path`.
fn calls(emu: &Emulator, method: &str, path: &str) -> Vec<LoggedRequest> {
    emu.api_calls()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

/// The last PUT /connect body of the default account.
fn last_put(emu: &Emulator) -> TfResult<Value> {
    calls(emu, "PUT", &connect_path(emu.account_id()))
        .pop()
        .and_then(|r| r.body)
        .ok_or_else(|| Failure::new("no PUT /connect was logged"))
}

/// The configuration `id` as the emulator holds it in the default account (None if gone).
fn remote(emu: &Emulator, id: &str) -> TfResult<Option<Value>> {
    let (status, body) = emu.api("GET", &format!("/connect/{id}"), None)?;
    match status {
        200 => Ok(body.pointer("/configurations/0").cloned()),
        400 | 404 => Ok(None),
        s => Err(Failure(format!("GET /connect/{id}: HTTP {s}: {body}"))),
    }
}

fn remote_some(emu: &Emulator, id: &str) -> TfResult<Value> {
    remote(emu, id)?.ok_or_else(|| Failure(format!("configuration {id} is not in the emulator")))
}

fn expect_eq(what: &str, got: &Value, want: &Value) -> TfResult<()> {
    if as_sets(got) == as_sets(want) {
        Ok(())
    } else {
        Err(Failure(format!("{what}:\n  got  {got}\n  want {want}")))
    }
}

/// OAuth for Connect on the token's home account, which integrator_managed + include_oauth needs.
fn set_up_oauth_for_connect(emu: &Emulator) {
    let (status, body) = emu
        .api(
            "POST",
            "/connect/oauth",
            Some(
                json!({"authorizationServerUrl": "https://auth.example.com/token",
                "clientId": "connect-client", "clientSecret": "connect-secret"}),
            ),
        )
        .unwrap();
    assert!(
        (200..300).contains(&status),
        "POST /connect/oauth: {status} {body}"
    );
}

/// A PUT by a third party (the DocuSign UI) with the dev token.
fn put_out_of_band(emu: &Emulator, id: &str, fields: Value) -> TfResult<()> {
    let mut body = fields;
    body["connectId"] = Value::String(id.to_owned());
    let (status, answer) = emu.api("PUT", "/connect", Some(body))?;
    if status == 200 {
        Ok(())
    } else {
        Err(Failure(format!("out-of-band PUT: HTTP {status}: {answer}")))
    }
}

/// The seed payload: exact POST body, emulator state, empty plans, import both ways,
/// destroy.
#[test]
fn seed_payload_round_trip() {
    let emu = std::rc::Rc::new(Emulator::start());
    set_up_oauth_for_connect(&emu);
    let account = emu.account_id().to_owned();
    let (e1, e2) = (emu.clone(), emu.clone());
    let acct = account.clone();
    TestCase::new("cc_seed")
        .step(
            Step::new(seed_hcl(&emu))
                .plan_check(|p| {
                    p.expect_actions(ADDR, &["create"])?;
                    // Unknown only for what DocuSign decides: id, disabled_by and the
                    // optional-computed booleans the seed leaves unset.
                    let unknown: BTreeSet<String> = p
                        .change(ADDR)?
                        .get("after_unknown")
                        .and_then(Value::as_object)
                        .map(|m| {
                            m.iter()
                                .filter(|(_, v)| **v == Value::Bool(true))
                                .map(|(k, _)| k.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                    for known in [
                        "account_id",
                        "configuration_type",
                        "all_users",
                        "enable_log",
                        "events",
                        "event_data",
                        "name",
                    ] {
                        if unknown.contains(known) {
                            return Err(Failure(format!("{known} is unknown in the create plan")));
                        }
                    }
                    for computed in ["id", "disabled_by", "include_hmac", "include_documents"] {
                        if !unknown.contains(computed) {
                            return Err(Failure(format!(
                                "{computed} should be known after apply: {unknown:?}"
                            )));
                        }
                    }
                    Ok(())
                })
                .check(move |s| {
                    let posts = calls(&e1, "POST", &connect_path(&acct));
                    if posts.len() != 1 {
                        return Err(Failure(format!("expected one POST, got {posts:?}")));
                    }
                    let body = posts[0].body.clone().unwrap_or(Value::Null);
                    expect_eq("POST body vs the seed payload", &body, &seed_json())?;
                    // Create is one POST: no PUT, no other write.
                    let writes: Vec<_> = e1
                        .api_calls()
                        .into_iter()
                        .filter(|r| r.method != "GET" && !r.path.ends_with("/connect/oauth"))
                        .collect();
                    if writes.len() != 1 {
                        return Err(Failure(format!("create made writes {writes:?}")));
                    }
                    let id = s.attr_str(ADDR, "id")?;
                    let held = remote_some(&e1, &id)?;
                    let Value::Object(seed) = seed_json() else {
                        unreachable!()
                    };
                    for (k, want) in &seed {
                        expect_eq(
                            &format!("emulator's {k}"),
                            held.get(k).unwrap_or(&Value::Null),
                            want,
                        )?;
                    }
                    s.expect_attr(ADDR, "account_id", &acct)?;
                    s.expect_attr(ADDR, "configuration_type", "custom")
                }),
        )
        .import_step(ImportStep::new(ADDR).expect_empty_plan())
        .import_step(
            ImportStep::new(ADDR)
                .id_fn(move |s| Ok(format!("{account}:{}", s.attr_str(ADDR, "id")?)))
                .expect_empty_plan(),
        )
        .check_destroy(move |s| {
            let id = s.attr_str(ADDR, "id")?;
            match remote(&e2, &id)? {
                None => Ok(()),
                Some(v) => Err(Failure(format!("{id} still exists after destroy: {v}"))),
            }
        })
        .run();
}

/// A configuration with one knob per kind of field.
struct Knobs {
    account: Option<String>,
    configuration_type: &'static str,
    name: &'static str,
    enable_log: bool,
    events: &'static [&'static str],
    include_data: &'static [&'static str],
}

impl Knobs {
    fn hcl(&self, emu: &Emulator) -> String {
        let list = |v: &[&str]| {
            v.iter()
                .map(|s| hcl_string(s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let account = self
            .account
            .as_deref()
            .map(|a| format!("  account_id = {}\n", hcl_string(a)))
            .unwrap_or_default();
        format!(
            r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_configuration" "c" {{
{account}  configuration_type = "{}"
  name               = "{}"
  url_to_publish_to  = "{URL}"
  all_users          = true
  enable_log         = {}
  events             = [{}]

  event_data {{
    version      = "restv2.1"
    include_data = [{}]
  }}
}}
"#,
            emu.provider_block(),
            self.configuration_type,
            self.name,
            self.enable_log,
            list(self.events),
            list(self.include_data),
        )
    }
}

fn base_knobs() -> Knobs {
    Knobs {
        account: None,
        configuration_type: "custom",
        name: "per-field",
        enable_log: false,
        events: &["envelope-completed"],
        include_data: &["recipients"],
    }
}

/// The last PUT carries connectId, the field just changed, and every field the emulator holds
/// (so nothing unmanaged is reset), including `includeDocuments` (computed, not in the config)
/// and `salesforceApiVersion` (unknown to the resource), both set out of band.
fn put_check(
    emu: &std::rc::Rc<Emulator>,
    key: &'static str,
    want: Value,
) -> impl Fn(&State) -> TfResult<()> + 'static {
    let emu = emu.clone();
    move |s| {
        let id = s.attr_str(ADDR, "id")?;
        let put = last_put(&emu)?;
        if put.get("connectId") != Some(&Value::String(id.clone())) {
            return Err(Failure(format!("PUT without connectId {id}: {put}")));
        }
        expect_eq(
            &format!("PUT {key}"),
            put.get(key).unwrap_or(&Value::Null),
            &want,
        )?;
        if put.get("includeDocuments") != Some(&json!("true")) {
            return Err(Failure(format!(
                "PUT dropped the unmanaged includeDocuments: {put}"
            )));
        }
        if put.get("salesforceApiVersion") != Some(&json!("58.0")) {
            return Err(Failure(format!(
                "PUT dropped salesforceApiVersion, a field the resource does not know: {put}"
            )));
        }
        let held = remote_some(&emu, &id)?;
        expect_eq(
            &format!("emulator's {key}"),
            held.get(key).unwrap_or(&Value::Null),
            &want,
        )?;
        if held.get("includeDocuments") != Some(&json!("true")) {
            return Err(Failure(format!("includeDocuments was reset: {held}")));
        }
        // The complete object: every field DocuSign holds is in the PUT.
        let missing: Vec<&String> = held
            .as_object()
            .map(|m| m.keys().filter(|k| put.get(k.as_str()).is_none()).collect())
            .unwrap_or_default();
        if !missing.is_empty() {
            return Err(Failure(format!("PUT lacks {missing:?}: {put}")));
        }
        Ok(())
    }
}

/// Each kind of field updates in place showing only itself, or replaces.
#[test]
fn each_kind_of_field_plans_only_itself() {
    let emu = std::rc::Rc::new(Emulator::start_with(crate::support::emulator::Config {
        accounts: 2,
        ..Default::default()
    }));
    let second = emu
        .info()
        .accounts
        .iter()
        .find(|a| a.as_str() != emu.account_id())
        .cloned()
        .expect("a second account");
    let first_id = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let (e, id1) = (emu.clone(), first_id.clone());
    let knobs = base_knobs();
    let second_for_check = second.clone();
    let e_destroy = emu.clone();
    TestCase::new("cc_fields")
        .step(Step::new(knobs.hcl(&emu)).check(move |s| {
            *id1.borrow_mut() = s.attr_str(ADDR, "id")?;
            // An unmanaged setting, changed in DocuSign's UI.
            put_out_of_band(
                &e,
                &s.attr_str(ADDR, "id")?,
                json!({"includeDocuments": "true", "salesforceApiVersion": "58.0"}),
            )
        }))
        .step(
            Step::new(
                Knobs {
                    enable_log: true,
                    ..base_knobs()
                }
                .hcl(&emu),
            )
            .plan_check(|p| p.expect_update_of_only(ADDR, &["enable_log"]))
            .check(put_check(&emu, "enableLog", json!("true"))),
        )
        .step(
            Step::new(
                Knobs {
                    enable_log: true,
                    name: "renamed",
                    ..base_knobs()
                }
                .hcl(&emu),
            )
            .plan_check(|p| p.expect_update_of_only(ADDR, &["name"]))
            .check(put_check(&emu, "name", json!("renamed"))),
        )
        .step(
            Step::new(
                Knobs {
                    enable_log: true,
                    name: "renamed",
                    events: &["envelope-sent", "envelope-completed"],
                    ..base_knobs()
                }
                .hcl(&emu),
            )
            .plan_check(|p| p.expect_update_of_only(ADDR, &["events"]))
            .check(put_check(
                &emu,
                "events",
                json!(["envelope-completed", "envelope-sent"]),
            )),
        )
        .step(
            Step::new(
                Knobs {
                    enable_log: true,
                    name: "renamed",
                    events: &["envelope-sent", "envelope-completed"],
                    include_data: &["recipients", "tabs"],
                    ..base_knobs()
                }
                .hcl(&emu),
            )
            .plan_check(|p| p.expect_update_of_only(ADDR, &["event_data"]))
            .check(put_check(
                &emu,
                "eventData",
                json!({"version": "restv2.1", "includeData": ["recipients", "tabs"]}),
            )),
        )
        .step(
            Step::new(
                Knobs {
                    configuration_type: "customrecipient",
                    ..base_knobs()
                }
                .hcl(&emu),
            )
            .plan_check(|p| {
                p.expect_actions(ADDR, &["delete", "create"])?;
                if !p.is_unknown(ADDR, "id")? {
                    return Err(Failure::new("a replacement must plan a new id"));
                }
                Ok(())
            })
            .check({
                let (e, id1) = (emu.clone(), first_id.clone());
                move |s| {
                    s.expect_attr(ADDR, "configuration_type", "customrecipient")?;
                    let old = id1.borrow().clone();
                    if s.attr_str(ADDR, "id")? == old || remote(&e, &old)?.is_some() {
                        return Err(Failure(format!("{old} was not replaced")));
                    }
                    Ok(())
                }
            }),
        )
        .step(
            Step::new(
                Knobs {
                    account: Some(second.clone()),
                    configuration_type: "customrecipient",
                    ..base_knobs()
                }
                .hcl(&emu),
            )
            .plan_check(|p| p.expect_actions(ADDR, &["delete", "create"]))
            .check({
                let e = emu.clone();
                move |s| {
                    s.expect_attr(ADDR, "account_id", &second_for_check)?;
                    if calls(&e, "POST", &connect_path(&second_for_check)).len() != 1 {
                        return Err(Failure::new("no POST to the second account"));
                    }
                    let (_, list) = e.api("GET", "/connect", None)?;
                    if list["totalRecords"] != json!("0") {
                        return Err(Failure(format!("the first account still holds {list}")));
                    }
                    Ok(())
                }
            }),
        )
        // Import by <accountId>:<connectId> reads both force-new attributes (the second account,
        // customrecipient) instead of defaulting them.
        .import_step({
            let acct = second.clone();
            ImportStep::new(ADDR)
                .id_fn(move |s| Ok(format!("{acct}:{}", s.attr_str(ADDR, "id")?)))
                .expect_empty_plan()
        })
        .check_destroy(move |_| {
            let deletes: Vec<_> = e_destroy
                .api_calls()
                .into_iter()
                .filter(|r| r.method == "DELETE" && r.path.contains(second.as_str()))
                .collect();
            if deletes.len() == 1 {
                Ok(())
            } else {
                Err(Failure(format!(
                    "expected one DELETE in the second account: {deletes:?}"
                )))
            }
        })
        .run();
}

fn simple_hcl(emu: &Emulator, extra: &str) -> String {
    format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_configuration" "c" {{
  name              = "drift"
  url_to_publish_to = "{URL}"
  all_users         = true
  enable_log        = true
{extra}}}
"#,
        emu.provider_block()
    )
}

/// Drift in DocuSign shows in the plan and apply corrects it; a force-new attribute
/// changed out of band is read (not copied from state) and plans a replacement; an out-of-band
/// delete gives a warning and a plan to create.
#[test]
fn drift_and_out_of_band_delete() {
    let emu = Emulator::start();
    let wd = WorkDir::new("cc_drift", &Overrides::docusign());
    wd.write_config(&simple_hcl(&emu, ""));
    wd.apply().unwrap();
    let id = wd.show_state().unwrap().attr_str(ADDR, "id").unwrap();

    // Drift in a string, a managed boolean and an optional string the config leaves unset.
    put_out_of_band(
        &emu,
        &id,
        json!({"name": "changed in the UI", "enableLog": "false", "soapNamespace": "urn:x", "groupIds": ["g1"]}),
    )
    .unwrap();
    let plan = wd.plan("drift.tfplan", true).unwrap();
    plan.expect_update_of_only(ADDR, &["name", "enable_log", "soap_namespace", "group_ids"])
        .unwrap();
    wd.apply_plan("drift.tfplan").unwrap();
    let held = remote_some(&emu, &id).unwrap();
    assert_eq!(held["name"], json!("drift"), "{held}");
    assert_eq!(held["enableLog"], json!("true"), "{held}");
    assert!(
        held.get("soapNamespace").is_none_or(|v| v == &json!("")),
        "{held}"
    );
    assert!(
        held.get("groupIds").is_none_or(|v| v == &json!([])),
        "{held}"
    );
    assert!(wd.plan("after.tfplan", true).unwrap().is_empty());

    // configuration_type changed out of band: read from DocuSign, so a replacement.
    put_out_of_band(&emu, &id, json!({"configurationType": "customrecipient"})).unwrap();
    let plan = wd.plan("type.tfplan", true).unwrap();
    plan.expect_actions(ADDR, &["delete", "create"]).unwrap();
    // Back to custom out of band, so the delete below deletes the applied object.
    put_out_of_band(&emu, &id, json!({"configurationType": "custom"})).unwrap();

    // Deleted out of band: a warning, and a plan to create.
    let (status, body) = emu.api("DELETE", &format!("/connect/{id}"), None).unwrap();
    assert_eq!(status, 200, "{body}");
    let out = wd.plan_out("gone.tfplan", &[]).unwrap();
    let text = crate::support::terraform::normalize_output(&out.combined());
    assert!(
        text.contains("Warning: Connect configuration no longer exists") && text.contains(&id),
        "{text}"
    );
    let plan = wd.show_plan("gone.tfplan").unwrap();
    plan.expect_actions(ADDR, &["create"]).unwrap();
    wd.apply_plan("gone.tfplan").unwrap();
    let new_id = wd.show_state().unwrap().attr_str(ADDR, "id").unwrap();
    assert_ne!(new_id, id);
    assert!(remote(&emu, &new_id).unwrap().is_some());
    wd.destroy().unwrap();
    assert!(remote(&emu, &new_id).unwrap().is_none());
}

/// One resource per rule; each carries exactly one doubtful value: its rule's summary, and
/// whether DocuSign documents that it refuses the value (an error) or that is an assumption (a
/// warning, and the value is sent as written).
const BAD: &[(&str, &str, &str, Severity)] = &[
    (
        "bad_url",
        r#"url_to_publish_to = "http://hooks.example.com/x""#,
        "Listener URL must be https",
        Severity::Error,
    ),
    (
        "bad_soap",
        "use_soap_interface = true",
        "Missing SOAP namespace",
        Severity::Error,
    ),
    (
        "bad_legacy",
        r#"envelope_events = ["sent"]"#,
        "Undocumented legacy event",
        Severity::Warning,
    ),
    (
        "bad_users",
        "all_users = false",
        "No users to track",
        Severity::Warning,
    ),
    (
        "bad_events",
        r#"events = ["envelope-sent"]"#,
        "JSON SIM events without event_data version restv2.1",
        Severity::Warning,
    ),
    (
        "bad_integrator",
        "integrator_managed = true",
        "Integrator-managed configuration without OAuth or HMAC",
        Severity::Warning,
    ),
    (
        "bad_mode",
        r#"delivery_mode = "batch""#,
        "Undocumented delivery mode",
        Severity::Warning,
    ),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Severity {
    Error,
    Warning,
}

impl Severity {
    fn json(self) -> Value {
        match self {
            Severity::Error => json!("error"),
            Severity::Warning => json!("warning"),
        }
    }
}

fn bad_resource(name: &str, line: &str) -> String {
    let url = if name == "bad_url" {
        String::new()
    } else {
        format!("  url_to_publish_to = \"{URL}\"\n")
    };
    format!(
        "resource \"docusign_connect_configuration\" \"{name}\" {{\n  name = \"{name}\"\n{url}  {line}\n}}\n"
    )
}

/// Doubtful values are diagnostics on their attribute's line. Where one is an error, nothing
/// reaches DocuSign (not even the refresh of a resource already in state). The values DocuSign
/// is not known to refuse are warnings: they apply, reach DocuSign as written and plan empty.
/// An unknown JSON SIM event is a warning too.
#[test]
fn bad_values_are_rejected_before_any_call() {
    let emu = Emulator::start();
    let wd = WorkDir::new("cc_bad", &Overrides::docusign());
    // A resource already in state: a refresh would GET it.
    let good = simple_hcl(&emu, "");
    wd.write_config(&good);
    wd.apply().unwrap();

    let mut config = good.clone();
    for (name, line, _, _) in BAD {
        config.push_str(&bad_resource(name, line));
    }
    wd.write_config(&config);
    emu.clear_requests();
    let out = wd.apply_raw();
    assert!(
        !out.success(),
        "apply of bad values succeeded:\n{}",
        out.stdout
    );
    let calls = emu.api_calls();
    assert!(
        calls.is_empty(),
        "validation failures still called DocuSign: {calls:?}"
    );

    // Each diagnostic points at the resource and the line of the offending attribute.
    let diags = wd.validate().unwrap();
    let list = diags["diagnostics"].as_array().cloned().unwrap_or_default();
    let lines: Vec<&str> = config.lines().collect();
    for (name, line, summary, severity) in BAD {
        let want_line = 1
            + lines
                .iter()
                .position(|l| l.contains(&format!("\"{name}\"")))
                .unwrap()
            + lines
                .iter()
                .skip_while(|l| !l.contains(&format!("\"{name}\"")))
                .position(|l| l.trim() == *line)
                .unwrap();
        let found = list.iter().find(|d| d["summary"] == json!(summary));
        let Some(d) = found else {
            panic!("no {summary:?} diagnostic for {name}: {diags}");
        };
        assert_eq!(d["severity"], severity.json(), "{d}");
        let at = d["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
        // A missing attribute (soap_namespace, user_ids, event_data) is reported on its
        // block; a wrong value on its own line.
        let block_line = 1 + lines
            .iter()
            .position(|l| l.contains(&format!("\"{name}\"")))
            .unwrap();
        assert!(
            at == want_line || at == block_line,
            "{summary} for {name} at line {at}, want {want_line} (or block {block_line}): {d}"
        );
        // The human output names the attribute.
        let text = crate::support::terraform::normalize_output(&out.combined());
        assert!(text.contains(summary), "{text}");
        assert!(
            text.contains(&format!("docusign_connect_configuration.{name}")),
            "{name} not named in:\n{text}"
        );
    }
    assert_eq!(
        list.iter()
            .filter(|d| d["severity"] == json!("error"))
            .count(),
        BAD.iter().filter(|b| b.3 == Severity::Error).count(),
        "one error per refused value: {diags}"
    );

    // Without the refused values, the warned ones apply as written and re-plan empty.
    let mut warned = good.clone();
    for (name, line, _, severity) in BAD {
        if *severity == Severity::Warning {
            warned.push_str(&bad_resource(name, line));
        }
    }
    wd.write_config(&warned);
    wd.apply().unwrap();
    let state = wd.show_state().unwrap();
    let legacy_id = state
        .attr_str("docusign_connect_configuration.bad_legacy", "id")
        .unwrap();
    let held = remote_some(&emu, &legacy_id).unwrap();
    assert_eq!(held["envelopeEvents"], json!(["sent"]), "{held}");
    let mode_id = state
        .attr_str("docusign_connect_configuration.bad_mode", "id")
        .unwrap();
    let held = remote_some(&emu, &mode_id).unwrap();
    assert_eq!(held["deliveryMode"], json!("batch"), "{held}");
    let plan = wd.plan("warned.tfplan", true).unwrap();
    assert!(plan.is_empty(), "plan after apply: {}", plan.summary());

    // An unknown JSON SIM event name is a warning: the plan succeeds.
    wd.write_config(&simple_hcl(
        &emu,
        "  events = [\"envelope-teleported\"]\n  event_data {\n    version = \"restv2.1\"\n  }\n",
    ));
    let out = wd
        .run(&["plan", "-input=false", "-no-color", "-lock=false"])
        .unwrap();
    let text = crate::support::terraform::normalize_output(&out.combined());
    assert!(
        text.contains("Warning: Unknown Connect event") && text.contains("envelope-teleported"),
        "{text}"
    );
    wd.write_config(&good);
    wd.destroy().unwrap();
}

/// `password` is sent to DocuSign but never printed, on every Terraform version (the write-only
/// `password_wo` has tests of its own in `write_only.rs`).
#[test]
fn a_password_is_sent_to_docusign_but_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("emulator.json");
    let emu = Emulator::start_with(crate::support::emulator::Config {
        state_file: Some(state_file.clone()),
        ..Default::default()
    });
    let wd = WorkDir::new("cc_passwords", &Overrides::docusign());

    let secret = "pw-Secret-2";
    wd.write_config(&simple_hcl(
        &emu,
        &format!("  user_name = \"hook\"\n  password = \"{secret}\"\n"),
    ));
    let out = wd.plan_out("pw.tfplan", &[]).unwrap();
    assert!(
        !out.combined().contains(secret),
        "plan printed the password"
    );
    assert!(out.stdout.contains("(sensitive value)"), "{}", out.stdout);
    let out = wd.apply_plan("pw.tfplan").unwrap();
    assert!(
        !out.combined().contains(secret),
        "apply printed the password"
    );
    let id = wd.show_state().unwrap().attr_str(ADDR, "id").unwrap();
    // DocuSign got it: the emulator's storage (the GET never echoes it).
    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    let body = stored["accounts"][0]["configs"][&id]["body"].clone();
    assert_eq!(body["password"], json!(secret), "{}", body["userName"]);
    assert!(remote_some(&emu, &id).unwrap().get("password").is_none());
    let out = wd
        .run(&["plan", "-input=false", "-no-color", "-lock=false"])
        .unwrap();
    assert!(!out.combined().contains(secret));
    assert!(out.stdout.contains("No changes"), "{}", out.stdout);
    wd.destroy().unwrap();
}

/// The optional boolean attributes of `docusign_connect_configuration`, as Terraform reads them
/// from the provider's schema (`terraform providers schema -json`).
fn boolean_settings() -> Vec<String> {
    let wd = WorkDir::new("cc_bool_schema", &Overrides::docusign());
    wd.write_config(REQUIRED_DOCUSIGN);
    let schema = wd.providers_schema().unwrap();
    let attributes = &schema["provider_schemas"][crate::support::PROVIDER_ADDR]["resource_schemas"]
        ["docusign_connect_configuration"]["block"]["attributes"];
    let mut out: Vec<String> = attributes
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, a)| a["type"] == "bool" && a["optional"] == true)
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The key of `held` (DocuSign's JSON) that names `attribute`: the same letters, ignoring case
/// and underscores (DocuSign spells `includeHMAC`, `includeSenderAccountasCustomField`).
fn wire_key<'a>(held: &'a Value, attribute: &str) -> Option<&'a str> {
    let squash = |s: &str| s.replace('_', "").to_ascii_lowercase();
    let want = squash(attribute);
    held.as_object()?
        .keys()
        .find(|k| squash(k) == want)
        .map(String::as_str)
}

/// Every optional boolean setting, set to `value`, with what some of them need beside them.
fn every_boolean_hcl(emu: &Emulator, settings: &[String], value: bool) -> String {
    let lines: String = settings
        .iter()
        .map(|s| format!("  {s} = {value}\n"))
        .collect();
    format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_configuration" "c" {{
  name              = "every boolean"
  url_to_publish_to = "{URL}"
  user_ids          = ["u-1"]
  soap_namespace    = "urn:example"
  events            = ["envelope-sent"]
{lines}
  event_data {{
    version = "restv2.1"
  }}
}}
"#,
        emu.provider_block()
    )
}

/// Every boolean setting the schema offers (whatever the table lists: this test reads the
/// schema, not the table) reaches DocuSign under its own wire name as DocuSign's string
/// boolean, reads back, and flips, with empty plans after each apply. A table row whose model
/// field, wire name or kind were wrong would leave the field out of the body or the state.
#[test]
fn every_boolean_setting_reaches_docusign_and_flips() {
    let settings = boolean_settings();
    assert!(
        settings.len() >= 19,
        "only {} boolean settings in the schema: {settings:?}",
        settings.len()
    );
    let emu = std::rc::Rc::new(Emulator::start());
    set_up_oauth_for_connect(&emu);
    let check = |value: bool| {
        let emu = emu.clone();
        let settings = settings.clone();
        move |s: &State| {
            let id = s.attr_str(ADDR, "id")?;
            let held = remote_some(&emu, &id)?;
            for setting in &settings {
                let key = wire_key(&held, setting).ok_or_else(|| {
                    Failure(format!("DocuSign holds no field for {setting}: {held}"))
                })?;
                if held[key] != json!(value.to_string()) {
                    return Err(Failure(format!(
                        "{setting} = {value} is {key} = {} in DocuSign",
                        held[key]
                    )));
                }
                if s.attr(ADDR, setting)? != &json!(value) {
                    return Err(Failure(format!("{setting} is not {value} in state")));
                }
            }
            Ok(())
        }
    };
    TestCase::new("cc_every_bool")
        .step(Step::new(every_boolean_hcl(&emu, &settings, true)).check(check(true)))
        .step(Step::new(every_boolean_hcl(&emu, &settings, false)).check(check(false)))
        .run();
}
