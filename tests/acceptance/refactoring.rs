//! Refactoring a configuration without touching DocuSign.
//!
//! * Forgetting: a `removed` block with `lifecycle { destroy = false }` (Terraform ≥ 1.7) drops
//!   a configuration from the state and leaves it in DocuSign; older versions do the same with
//!   `terraform state rm`.
//! * Renaming inside a module: a `moved` block in the module (Terraform ≥ 1.1) keeps the same
//!   DocuSign object, with no replacement and no write; older versions use `terraform state mv`.

use crate::support::{Emulator, Feature, Overrides, REQUIRED_DOCUSIGN, WorkDir};

fn resource(label: &str) -> String {
    format!(
        "resource \"docusign_connect_configuration\" \"{label}\" {{\n  \
         name              = \"refactored\"\n  \
         url_to_publish_to = \"https://hooks.example.com/refactored\"\n  \
         all_users         = true\n}}\n"
    )
}

/// Whether DocuSign still holds configuration `id`.
fn exists(emu: &Emulator, id: &str) -> bool {
    let (status, body) = emu.api("GET", &format!("/connect/{id}"), None).unwrap();
    match status {
        200 => true,
        400 | 404 => false,
        _ => panic!("GET /connect/{id}: {status} {body}"),
    }
}

#[test]
fn a_removed_block_forgets_a_configuration_and_leaves_it_in_docusign() {
    let emu = Emulator::start();
    let wd = WorkDir::new("removed_block", &Overrides::docusign());
    let provider = format!("{REQUIRED_DOCUSIGN}\n{}", emu.provider_block());
    wd.write_config(&format!("{provider}\n{}", resource("c")));
    wd.apply().unwrap();
    let addr = "docusign_connect_configuration.c";
    let id = wd.show_state().unwrap().attr_str(addr, "id").unwrap();
    emu.clear_requests();

    if Feature::RemovedBlocks.available() {
        wd.write_config(&format!(
            "{provider}\nremoved {{\n  from = docusign_connect_configuration.c\n\n  \
             lifecycle {{\n    destroy = false\n  }}\n}}\n"
        ));
        let out = wd.plan_out("forget.tfplan", &[]).unwrap();
        assert!(
            out.warnings()
                .iter()
                .any(|w| w == "Some objects will no longer be managed by Terraform"),
            "{}",
            out.combined()
        );
        let plan = wd.show_plan("forget.tfplan").unwrap();
        plan.expect_actions(addr, &["forget"]).unwrap();
        wd.apply_plan("forget.tfplan").unwrap();
    } else {
        wd.run(&["state", "rm", "-lock=false", addr]).unwrap();
    }
    assert!(wd.show_state().unwrap().is_empty());
    assert!(emu.writes().is_empty(), "{:?}", emu.writes());
    assert!(exists(&emu, &id), "configuration {id} was deleted");
}

#[test]
fn a_moved_block_inside_a_module_renames_without_replacing() {
    let emu = Emulator::start();
    let mut wd = WorkDir::new("moved_block", &Overrides::docusign());
    for (k, v) in emu.provider_env() {
        wd.set_env(&k, &v);
    }
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\nprovider \"docusign\" {{}}\n\n\
         module \"hooks\" {{\n  source = \"./modules/hooks\"\n}}\n"
    ));
    let module = |body: &str| {
        wd.write_file(
            "modules/hooks/main.tf",
            &format!("{REQUIRED_DOCUSIGN}\n{body}"),
        )
    };
    module(&resource("hook"));
    wd.run(&["get", "-no-color"]).unwrap();
    wd.apply().unwrap();
    let (old, new) = (
        "module.hooks.docusign_connect_configuration.hook",
        "module.hooks.docusign_connect_configuration.listener",
    );
    let id = wd.show_state().unwrap().attr_str(old, "id").unwrap();
    emu.clear_requests();

    if Feature::MovedBlocks.available() {
        module(&format!(
            "{}\nmoved {{\n  from = docusign_connect_configuration.hook\n  \
             to   = docusign_connect_configuration.listener\n}}\n",
            resource("listener")
        ));
        let plan = wd.plan("moved.tfplan", true).unwrap();
        plan.expect_actions(new, &["no-op"]).unwrap();
        let moved = plan
            .resource_changes()
            .iter()
            .find(|rc| rc["address"] == new)
            .unwrap_or_else(|| panic!("{new} is not in the plan"));
        assert_eq!(moved["previous_address"], old, "{moved}");
        wd.apply_plan("moved.tfplan").unwrap();
    } else {
        module(&resource("listener"));
        wd.run(&["state", "mv", "-lock=false", old, new]).unwrap();
    }
    let state = wd.show_state().unwrap();
    assert_eq!(state.addresses(), [new]);
    assert_eq!(state.attr_str(new, "id").unwrap(), id, "replaced");
    assert!(wd.plan("after.tfplan", true).unwrap().is_empty());
    assert!(emu.writes().is_empty(), "{:?}", emu.writes());
    wd.destroy().unwrap();
    assert!(!exists(&emu, &id));
}
