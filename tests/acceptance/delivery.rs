//! The seed's flow end to end through Terraform 1.0.3: a partner account with OAuth for
//! Connect settings and an HMAC key; two client accounts that get their configurations through
//! `examples/modules/partner-connect` with `for_each`; then events raised on each client account
//! reach local https listeners, authenticated with the partner's settings (a Bearer token the
//! local authorization server issued to the partner's client id and scope, HMAC signatures that
//! verify with the secret in Terraform's state), plus Basic and mutual TLS, retries of a
//! listener answering 500 listed as failures, nothing sent while `allow_envelope_publish` is
//! false, and a visible failure once the partner's OAuth settings are destroyed.
//!
//! The topology is DocuSign's: the partner's integration key belongs to the partner account;
//! each client account has its own user, a member of that account only, who consented to the
//! key. One provider block serves all three accounts: the JWT grant impersonates the partner's
//! user by default and each client's user in its account (`account_users`). A client user who
//! has not consented stops the plan with a diagnostic naming the account, the user and the
//! consent URL.

use base64::Engine as _;
use docusign_emulator::delivery::DeliveryConfig;
use docusign_emulator::listener::{Listener, Received};
use docusign_emulator::tls::Ca;
use serde_json::{Value, json};
use std::time::Duration;

use docusign_emulator::{AccountSpec, IntegrationKeySpec, Topology, UserSpec};

use crate::support::emulator::{Config, jwt_keys_dir};
use crate::support::{Emulator, Overrides, REQUIRED_DOCUSIGN, WorkDir, hcl_string};

/// The partner's integration key.
const PARTNER_KEY: &str = "partner-integration-key";

/// The partner account owns [`PARTNER_KEY`]; `partner-admin` is a member of it, and each client
/// account has its own user. `consenting` lists the client users who consented to the key (the
/// partner's user always has).
fn partner_topology(clients: &[(&str, &str)], consenting: &[&str]) -> Topology {
    let public_key = std::fs::read_to_string(jwt_keys_dir().join("app.pub.pem"))
        .unwrap_or_else(|e| panic!("read the test public key: {e}"));
    let mut accounts = vec![AccountSpec::named("partner")];
    let mut users = vec![UserSpec::member_of("partner-admin", &["partner"])];
    for (account, user) in clients {
        accounts.push(AccountSpec::named(account));
        users.push(UserSpec::member_of(user, &[account]));
    }
    let mut consented_users = vec!["partner-admin".to_owned()];
    consented_users.extend(consenting.iter().map(|u| (*u).to_owned()));
    Topology {
        accounts,
        users,
        integration_keys: vec![IntegrationKeySpec {
            integration_key: PARTNER_KEY.into(),
            account: "partner".into(),
            public_key: Some(public_key),
            public_key_file: None,
            consented_users,
        }],
    }
}

/// One provider block for every account: the JWT grant of [`PARTNER_KEY`] as the partner's user
/// (the topology's first user, so the emulator's default), and in each client account
/// (`account_users`) as that client's user.
fn partner_provider(emu: &Emulator, clients: &[(&str, &str)]) -> String {
    let users: String = clients
        .iter()
        .map(|(account, user)| {
            format!(
                "    {} = {}\n",
                hcl_string(emu.account_named(account)),
                hcl_string(emu.user_id(user))
            )
        })
        .collect();
    emu.jwt_provider_block(PARTNER_KEY, &format!("  account_users = {{\n{users}  }}\n"))
}

/// The two client accounts of the seed's flow and their users.
const CLIENTS: &[(&str, &str)] = &[("client-a", "alice"), ("client-b", "bob")];

const ROOT: &str = r#"
variable "clients" { type = map(string) }
variable "listener" { type = string }
variable "token_url" { type = string }
variable "mtls_listener" { type = string }
variable "failing_listener" { type = string }
variable "partner_oauth" {
  type    = bool
  default = true
}

resource "docusign_connect_oauth_config" "partner" {
  count                    = var.partner_oauth ? 1 : 0
  authorization_server_url = var.token_url
  client_id                = "partner-client"
  client_secret            = "partner-secret"
  scope                    = "connect.listener"
}

resource "docusign_connect_hmac_key" "partner" {}

module "oauth" {
  source            = "./modules/partner-connect"
  for_each          = var.clients
  client_account_id = each.key
  name              = "Partner OAuth (${each.value})"
  webhook_url       = "${var.listener}/oauth/${each.value}"
  events            = ["envelope-completed"]
  include_data      = ["recipients", "custom_fields"]
  auth              = "oauth"
  depends_on        = [docusign_connect_oauth_config.partner]
}

module "hmac" {
  source            = "./modules/partner-connect"
  for_each          = var.clients
  client_account_id = each.key
  name              = "Partner HMAC (${each.value})"
  webhook_url       = "${var.listener}/hmac/${each.value}"
  events            = ["envelope-completed"]
  include_data      = ["tabs"]
  auth              = "hmac"
  depends_on        = [docusign_connect_hmac_key.partner]
}

resource "docusign_connect_configuration" "basic" {
  for_each               = var.clients
  account_id             = each.key
  name                   = "Basic (${each.value})"
  url_to_publish_to      = "${var.listener}/basic/${each.value}"
  all_users              = true
  allow_envelope_publish = true
  delivery_mode          = "SIM"
  events                 = ["envelope-completed"]
  user_name              = "listener-user"
  password               = "listener-password"
  event_data {
    version = "restv2.1"
  }
}

resource "docusign_connect_configuration" "mtls" {
  for_each               = var.clients
  account_id             = each.key
  name                   = "Mutual TLS (${each.value})"
  url_to_publish_to      = "${var.mtls_listener}/mtls/${each.value}"
  all_users              = true
  allow_envelope_publish = true
  require_mutual_tls     = true
  delivery_mode          = "SIM"
  events                 = ["envelope-completed"]
  event_data {
    version = "restv2.1"
  }
}

resource "docusign_connect_configuration" "off" {
  for_each               = var.clients
  account_id             = each.key
  name                   = "Switched off (${each.value})"
  url_to_publish_to      = "${var.listener}/off/${each.value}"
  all_users              = true
  allow_envelope_publish = false
  delivery_mode          = "SIM"
  events                 = ["envelope-completed"]
  event_data {
    version = "restv2.1"
  }
}

resource "docusign_connect_configuration" "failing" {
  for_each                 = var.clients
  account_id               = each.key
  name                     = "Failing listener (${each.value})"
  url_to_publish_to        = "${var.failing_listener}/fail/${each.value}"
  all_users                = true
  allow_envelope_publish   = true
  requires_acknowledgement = true
  enable_log               = true
  delivery_mode            = "SIM"
  events                   = ["envelope-completed"]
  event_data {
    version = "restv2.1"
  }
}

# What each client's user reaches: their own account only.
data "docusign_account" "client" {
  for_each   = var.clients
  account_id = each.key
}

output "client_users" {
  value = { for a, d in data.docusign_account.client : a => [d.user_id, [for x in d.accounts : x.account_id]] }
}

output "hmac_secret" {
  value     = docusign_connect_hmac_key.partner.secret
  sensitive = true
}
"#;

fn https_listener(ca: &Ca, client_ca: Option<String>) -> Listener {
    Listener::https(
        ca,
        client_ca,
        vec![("partner-client".into(), "partner-secret".into())],
    )
    .unwrap()
}

/// Raises `envelope-completed` on `account` and waits for its deliveries (retries included).
fn raise(emu: &Emulator, account: &str) -> Value {
    emu.control(
        "POST",
        &format!("/_emulator/accounts/{account}/events?wait=true"),
        Some(json!({"event": "envelope-completed"})),
    )
    .unwrap()
}

fn at<'a>(got: &'a [Received], path: &str) -> Vec<&'a Received> {
    got.iter().filter(|m| m.path == path).collect()
}

fn signed_with(secret: &str, m: &Received) -> bool {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    m.header("x-docusign-signature-1")
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .is_some_and(|sig| aws_lc_rs::hmac::verify(&key, &m.body, &sig).is_ok())
}

fn failures(emu: &Emulator, account: &str) -> Vec<Value> {
    let (status, v) = emu
        .api_on("GET", account, "/connect/failures", None)
        .unwrap();
    assert_eq!(status, 200, "{v}");
    v["failures"].as_array().cloned().unwrap_or_default()
}

#[test]
fn partner_settings_authenticate_client_messages_through_the_module() {
    let ca = Ca::new("acceptance listener CA").unwrap();
    let emu = Emulator::start_with(Config {
        topology: Some(partner_topology(CLIENTS, &["alice", "bob"])),
        delivery: DeliveryConfig {
            trusted_ca_pems: vec![ca.cert_pem.clone()],
            retry_backoff: Duration::from_millis(5),
            max_retries: 2,
            ..DeliveryConfig::default()
        },
        ..Config::default()
    });
    let partner = &emu.account_named("partner").to_owned();
    assert_eq!(
        partner,
        emu.account_id(),
        "the partner account is the default"
    );
    let client_a = &emu.account_named("client-a").to_owned();
    let client_b = &emu.account_named("client-b").to_owned();
    let listener = https_listener(&ca, None);
    let client_ca = emu
        .control("GET", "/_emulator/connect/client-certificate", None)
        .unwrap()["ca_pem"]
        .as_str()
        .unwrap()
        .to_owned();
    let mtls = https_listener(&ca, Some(client_ca));
    let failing = https_listener(&ca, None);
    failing.set_status(500);

    let mut wd = WorkDir::new("delivery_partner", &Overrides::docusign());
    wd.set_env(
        "TF_VAR_clients",
        &json!({client_a.as_str(): "a", client_b.as_str(): "b"}).to_string(),
    );
    wd.set_env("TF_VAR_listener", &listener.url(""));
    wd.set_env("TF_VAR_token_url", &listener.token_url());
    wd.set_env("TF_VAR_mtls_listener", &mtls.url(""));
    wd.set_env("TF_VAR_failing_listener", &failing.url(""));
    wd.copy_tf_files(
        "examples/modules/partner-connect",
        "modules/partner-connect",
    );
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\n{}\n{ROOT}",
        partner_provider(&emu, CLIENTS)
    ));
    wd.run(&["get", "-no-color"]).unwrap();
    wd.apply().unwrap();
    let state = wd.show_state().unwrap();
    let secret = state
        .attr_str("docusign_connect_hmac_key.partner", "secret")
        .unwrap();
    state
        .expect_attr("docusign_connect_hmac_key.partner", "account_id", partner)
        .unwrap();

    // docusign_account with account_id reads as that account's user.
    assert_eq!(
        state.output("client_users").unwrap(),
        &json!({
            client_a.as_str(): [emu.user_id("alice"), [client_a]],
            client_b.as_str(): [emu.user_id("bob"), [client_b]],
        })
    );

    for (account, tag) in [(client_a, "a"), (client_b, "b")] {
        let answer = raise(&emu, account);
        let got = listener.received();

        // OAuth for Connect with the partner's settings: the Bearer token the authorization
        // server issued to the partner's client id and scope; the seed's includeData.
        let oauth = at(&got, &format!("/oauth/{tag}"));
        assert_eq!(oauth.len(), 1, "{answer:#}");
        let token = oauth[0].bearer().unwrap_or_default();
        let issued = listener.issued();
        let grant = issued.iter().find(|i| i.token == token);
        assert!(
            grant.is_some_and(|g| g.client_id == "partner-client" && g.scope == "connect.listener"),
            "token not issued to the partner: {issued:?}"
        );
        let v = oauth[0].json();
        assert_eq!(v["data"]["accountId"], account.as_str());
        let summary = &v["data"]["envelopeSummary"];
        assert!(summary["recipients"]["signers"].is_array(), "{v:#}");
        assert!(
            summary["customFields"]["textCustomFields"].is_array(),
            "{v:#}"
        );
        assert!(summary["recipients"]["signers"][0].get("tabs").is_none());

        // HMAC with the partner's key: verifies with the secret Terraform holds.
        let hmac = at(&got, &format!("/hmac/{tag}"));
        assert_eq!(hmac.len(), 1, "{answer:#}");
        assert!(signed_with(&secret, hmac[0]), "{:?}", hmac[0].headers);
        assert!(hmac[0].header("authorization").is_none());
        assert!(
            hmac[0].json()["data"]["envelopeSummary"]["recipients"]["signers"][0]["tabs"]
                .is_object()
        );

        // Basic from user_name/password.
        let basic = at(&got, &format!("/basic/{tag}"));
        assert_eq!(basic.len(), 1, "{answer:#}");
        let want = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("listener-user:listener-password")
        );
        assert_eq!(basic[0].header("authorization"), Some(want.as_str()));

        // Mutual TLS: the listener requiring a client certificate got the message.
        let m = mtls.received();
        let m = at(&m, &format!("/mtls/{tag}"));
        assert_eq!(m.len(), 1, "{answer:#}");
        assert!(m[0].client_cert.is_some());

        // allow_envelope_publish = false: nothing sent.
        assert!(at(&got, &format!("/off/{tag}")).is_empty());

        // A listener answering 500 is retried, and the failure is listed.
        let f = failing.received();
        let tries: Vec<Value> = at(&f, &format!("/fail/{tag}"))
            .iter()
            .map(|m| m.json()["retryCount"].clone())
            .collect();
        assert_eq!(tries, vec![json!(0), json!(1), json!(2)]);
        let listed = failures(&emu, account);
        assert!(
            listed.iter().any(|f| f["configUrl"]
                .as_str()
                .is_some_and(|u| u.ends_with(&format!("/fail/{tag}")))
                && f["retryCount"] == "2"),
            "{listed:?}"
        );
    }

    // The partner's OAuth settings destroyed: the clients' OAuth messages fail, visibly.
    wd.set_env("TF_VAR_partner_oauth", "false");
    let plan = wd.plan("drop-oauth.tfplan", true).unwrap();
    plan.expect_actions("docusign_connect_oauth_config.partner[0]", &["delete"])
        .unwrap();
    wd.apply_plan("drop-oauth.tfplan").unwrap();
    let before = at(&listener.received(), "/oauth/a").len();
    raise(&emu, client_a);
    assert_eq!(at(&listener.received(), "/oauth/a").len(), before);
    let listed = failures(&emu, client_a);
    assert!(
        listed.iter().any(|f| f["configUrl"]
            .as_str()
            .is_some_and(|u| u.ends_with("/oauth/a"))
            && f["error"]
                .as_str()
                .is_some_and(|e| e.contains("OAuth for Connect is not set up")
                    && e.contains(partner.as_str()))),
        "{listed:?}"
    );
    wd.destroy().unwrap();
}

/// A client whose user never consented to the partner's integration key: the apply fails on
/// that client's configuration with a diagnostic naming the account, the user and the consent
/// URL to open; nothing is made in that account, and the consenting client's configuration is
/// made and kept in state.
#[test]
fn a_client_user_without_consent_is_named_with_the_consent_url() {
    let clients = &[("client-a", "alice"), ("client-c", "carol")];
    let emu = Emulator::start_with(Config {
        topology: Some(partner_topology(clients, &["alice"])),
        ..Config::default()
    });
    let client_c = emu.account_named("client-c").to_owned();
    let carol = emu.user_id("carol").to_owned();
    let wd = WorkDir::new("delivery_no_consent", &Overrides::docusign());
    wd.copy_tf_files(
        "examples/modules/partner-connect",
        "modules/partner-connect",
    );
    let clients_var: String = clients
        .iter()
        .map(|(account, tag)| {
            format!(
                "    {} = {}\n",
                hcl_string(emu.account_named(account)),
                hcl_string(tag)
            )
        })
        .collect();
    wd.write_config(&format!(
        r#"{REQUIRED_DOCUSIGN}
{}
module "hmac" {{
  source            = "./modules/partner-connect"
  for_each          = {{
{clients_var}  }}
  client_account_id = each.key
  name              = "Partner HMAC (${{each.value}})"
  webhook_url       = "https://hooks.partner.example.com/${{each.value}}"
  auth              = "hmac"
}}
"#,
        partner_provider(&emu, clients)
    ));
    wd.run(&["get", "-no-color"]).unwrap();
    let out = wd.apply_raw();
    let consent_url = format!(
        "/oauth/auth?response_type=code&scope=signature%20impersonation&client_id={PARTNER_KEY}"
    );
    wd.expect_failure_with(&out, &[client_c.as_str(), carol.as_str(), &consent_url])
        .unwrap();
    let text = crate::support::terraform::normalize_output(&out.combined());
    assert!(
        text.contains(&format!("module.hmac[\"{client_c}\"]")),
        "the diagnostic names another resource:\n{text}"
    );
    // Terraform goes on with what it can: the consenting client gets its configuration and
    // keeps it in state; the other gets nothing, anywhere.
    let client_a = emu.account_named("client-a").to_owned();
    assert_eq!(emu.configurations(&client_a).len(), 1);
    assert!(emu.configurations(&client_c).is_empty());
    let state = wd.show_state().unwrap();
    let ids = state.ids_of_type("docusign_connect_configuration").unwrap();
    assert_eq!(ids.len(), 1, "{ids:?}");
    wd.destroy().unwrap();
}
