//! The harness's full discipline on OUR provider against the emulator: create, update of one
//! field, import into a fresh directory with verification, destroy checked against the API.

use crate::support::{Emulator, Failure, ImportStep, REQUIRED_DOCUSIGN, Step, TestCase};

const ADDR: &str = "docusign_connect_configuration.c";

fn config(emu: &Emulator, name: &str) -> String {
    format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_configuration" "c" {{
  name              = "{name}"
  url_to_publish_to = "https://hooks.example.com/docusign"
  all_users         = true
  events            = ["envelope-completed"]

  event_data {{
    version = "restv2.1"
  }}
}}
"#,
        emu.provider_block()
    )
}

#[test]
fn connect_configuration_full_discipline() {
    let emu = std::rc::Rc::new(Emulator::start());
    let gone = emu.clone();
    TestCase::new("harness_on_provider")
        .step(
            Step::new(config(&emu, "first"))
                .plan_check(|p| p.expect_actions(ADDR, &["create"]))
                .check(|s| s.expect_attr(ADDR, "name", "first")),
        )
        .step(
            Step::new(config(&emu, "second"))
                .plan_check(|p| p.expect_update_of_only(ADDR, &["name"]))
                .check(|s| s.expect_attr(ADDR, "name", "second")),
        )
        .import_step(ImportStep::new(ADDR))
        .check_destroy(move |s| {
            let id = s.attr_str(ADDR, "id")?;
            let (status, body) = gone.api("GET", "/connect", None)?;
            if status != 200 {
                return Err(Failure(format!("GET /connect: {status} {body}")));
            }
            if body.to_string().contains(&format!("\"{id}\"")) {
                return Err(Failure(format!("configuration {id} still exists: {body}")));
            }
            Ok(())
        })
        .run();
}
