//! Stored state of another shape (an attribute the schema lacks, attributes it lacks) still
//! plans.

use super::*;

/// The state file of `wd` with `edit` applied to the attributes of every configuration.
fn edit_state(wd: &WorkDir, edit: impl Fn(&mut serde_json::Map<String, Value>)) {
    let p = wd.path().join("terraform.tfstate");
    let mut st: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    for r in st["resources"].as_array_mut().unwrap() {
        if r["type"] != TYPE {
            continue;
        }
        for inst in r["instances"].as_array_mut().unwrap() {
            assert_eq!(
                inst["schema_version"], 0,
                "the fixture assumes schema version 0"
            );
            edit(inst["attributes"].as_object_mut().unwrap());
        }
    }
    st["serial"] = json!(st["serial"].as_u64().unwrap() + 1);
    std::fs::write(&p, serde_json::to_string_pretty(&st).unwrap()).unwrap();
}

#[test]
fn stored_state_with_an_unknown_attribute_or_a_missing_one_still_plans() {
    // The schema is at version 0: there is no older version to upgrade from. What stored state
    // can still differ in is its attributes: one the schema no longer has (written by a future
    // or patched provider) and one it lacks (written before the attribute existed).
    let emu = Emulator::start();
    let wd = workdir("rel_state_shapes", &emu, "", &configurations(1, "old"));
    wd.expect_success(&apply(&wd, 10)).unwrap();
    let before = wd.show_state().unwrap();
    edit_state(&wd, |attrs| {
        attrs.insert("legacy_attribute".into(), json!("from an older provider"));
        assert!(attrs.remove("include_hmac").is_some());
        assert!(attrs.remove("sender_selectable_items").is_some());
    });
    let out = wd.run_raw(&[
        "plan",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-out=p.tfplan",
    ]);
    assert_eq!(out.crash(), None, "{}", out.combined());
    wd.expect_success(&out).unwrap();
    let plan = wd.show_plan("p.tfplan").unwrap();
    assert!(
        plan.is_empty(),
        "refresh restores the missing values: {}",
        plan.summary()
    );
    // Applying the refresh writes a state in the current shape.
    let out = wd.run_raw(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock=false",
    ]);
    wd.expect_success(&out).unwrap();
    let after = wd.show_state().unwrap();
    let addr = format!("{TYPE}.c[0]");
    assert_eq!(after.flat(&addr).unwrap(), before.flat(&addr).unwrap());
    let raw = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
    assert!(!raw.contains("legacy_attribute"), "{raw}");
    assert_in_sync(&wd, &emu, "after the upgrade");
}
