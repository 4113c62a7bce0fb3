//! No secret at `TF_LOG=trace`, in Terraform's output or in diagnostics, through a whole
//! lifecycle.

use super::*;

/// Strings that look like emulator access tokens (64 base64url characters) in `text`.
fn token_like(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| w.len() == 64)
        .map(str::to_owned)
        .collect()
}

/// Whether `token` is accepted by the emulator's `/oauth/userinfo`.
fn is_live_token(emu: &Emulator, token: &str) -> bool {
    let url = format!("{}/oauth/userinfo", emu.info().oauth_base_uri);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        http.get(url)
            .bearer_auth(token)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
}

#[test]
fn a_full_lifecycle_at_trace_level_never_shows_a_secret() {
    let emu = Emulator::start_jwt(Config::default(), INTEGRATION_KEY);
    // An HMAC key exists on the account; configurations sign with it.
    let (status, body) = emu.api("POST", "/connect/secret", None).unwrap();
    assert_eq!(status, 201, "{body}");
    // Only the creation answer shows the whole secret (lists show "qTjg…").
    let hmac: Vec<String> = token_strings(&body, "secretKey");
    assert!(
        hmac.len() == 1 && hmac[0].len() >= 40,
        "no whole HMAC secret in the creation answer"
    );

    let password = "basic-pw-9d8c7b6a5f";
    let password2 = "basic-pw-rotated-1e2f3a";
    let client_secret = "oauth-cs-4b3a2c1d0e";
    let key_pem = std::fs::read_to_string(jwt_private_key()).unwrap();
    // Every line of the key's base64 body is a secret fragment.
    let key_lines: Vec<&str> = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        .collect();
    assert!(!key_lines.is_empty());

    let mut wd = WorkDir::new("rel_secrets", &Overrides::docusign());
    let log = wd.path().join("trace.log");
    wd.set_env("TF_LOG", "TRACE");
    wd.set_env("TF_LOG_PATH", &log.to_string_lossy());
    let config = |pw: &str| {
        format!(
            r#"{REQUIRED_DOCUSIGN}
{}
resource "{TYPE}" "c" {{
  name              = "secrets"
  url_to_publish_to = "https://hooks.example.com/secrets"
  all_users         = true
  include_hmac      = true
  user_name         = "listener"
  password          = "{pw}"
  events            = ["envelope-completed"]
  event_data {{
    version = "restv2.1"
  }}
}}

resource "docusign_connect_oauth_config" "o" {{
  authorization_server_url = "https://login.example.com/oauth2/token"
  client_id                = "connect-client"
  client_secret            = "{client_secret}"
}}

resource "docusign_connect_hmac_key" "k" {{}}
"#,
            emu.jwt_provider_block(INTEGRATION_KEY, "")
        )
    };
    let mut outputs = Vec::new();
    wd.write_config(&config(password));
    outputs.push(apply(&wd, 10));
    assert!(outputs[0].success(), "{}", wd.describe_failure(&outputs[0]));
    // The secret of the key Terraform made, as the creation answer showed it (in state only).
    let made_hmac = wd
        .show_state()
        .unwrap()
        .attr_str("docusign_connect_hmac_key.k", "secret")
        .unwrap();
    assert!(made_hmac.len() >= 40, "no whole secret in state");
    outputs.push(wd.run_raw(&["plan", "-input=false", "-no-color", "-lock=false"]));
    // Update the password (the secret goes out again), refresh, import into a fresh state.
    wd.write_config(&config(password2));
    outputs.push(apply(&wd, 10));
    let id = state_ids(&wd).into_iter().next().unwrap();
    outputs.push(wd.run_raw(&["state", "rm", "-no-color", &format!("{TYPE}.c")]));
    outputs.push(wd.run_raw(&[
        "import",
        "-input=false",
        "-no-color",
        "-lock=false",
        &format!("{TYPE}.c"),
        &id,
    ]));
    outputs.push(wd.run_raw(&["refresh", "-input=false", "-no-color", "-lock=false"]));
    // A failing call: its diagnostic must not carry a secret either.
    emu.add_fault(json!({"method": "GET", "path": CONNECT_ALL, "times": 100,
        "error": {"status": 400, "errorCode": "INVALID_REQUEST_PARAMETER", "message": "injected"}}));
    let failed = wd.run_raw(&["plan", "-input=false", "-no-color", "-lock=false"]);
    assert!(!failed.success());
    outputs.push(failed);
    emu.clear_faults();
    // Expire the tokens so that the next run re-mints (a second token to look for).
    emu.control("POST", "/_emulator/tokens/expire", None)
        .unwrap();
    outputs.push(wd.run_raw(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock=false",
    ]));
    for (i, o) in outputs.iter().enumerate() {
        if i != 6 {
            assert!(o.success(), "command {i}: {}", wd.describe_failure(o));
        }
    }
    assert!(
        emu.configuration_ids(emu.account_id()).is_empty(),
        "destroy left configurations"
    );
    assert!(token_calls(&emu) >= 2, "the run minted tokens");

    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(
        trace.contains("ApplyResourceChange") && trace.contains("docusign"),
        "the trace log holds the provider's logs"
    );
    let mut everything = trace.clone();
    for o in &outputs {
        everything.push_str(&o.combined());
    }
    let mut secrets: Vec<(&str, &str)> = vec![
        ("basic-auth password", password),
        ("rotated password", password2),
        ("OAuth client secret", client_secret),
        ("development access token", &emu.info().access_token),
    ];
    for h in &hmac {
        secrets.push(("HMAC secret", h));
    }
    secrets.push(("HMAC secret of docusign_connect_hmac_key", &made_hmac));
    for l in &key_lines {
        secrets.push(("private key", l));
    }
    for (what, secret) in &secrets {
        assert!(
            !everything.contains(secret),
            "the {what} appears in Terraform's output or the TF_LOG trace"
        );
    }
    // Tokens minted by the JWT grant: no working token anywhere in the logs.
    let live: Vec<String> = token_like(&everything)
        .into_iter()
        .filter(|t| is_live_token(&emu, t))
        .collect();
    assert!(
        live.is_empty(),
        "{} live access token(s) in the logs",
        live.len()
    );
    // The sensitive attributes are masked in the plan output, not just absent from it.
    assert!(
        outputs[0].stdout.contains("(sensitive value)"),
        "{}",
        outputs[0].stdout
    );
}

/// Every string value named `field` anywhere in `v`.
fn token_strings(v: &Value, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if k == field => out.push(s.clone()),
                    other => out.extend(token_strings(other, field)),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| out.extend(token_strings(x, field))),
        _ => {}
    }
    out
}
