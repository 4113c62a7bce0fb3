//! The binary's first stdout line, its flags, the state file and the blocking helper.

mod common;

use common::*;
use docusign_emulator::{Config, Info, start, start_blocking};
use reqwest::Method;
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_docusign-emulator");

/// A JWT grant for `user` with integration key [`IK`], against the emulator of `info`.
async fn grant(http: &reqwest::Client, info: &Info, user: &str) -> reqwest::Response {
    let now = now();
    let c = json!({"iss": IK, "sub": user, "aud": info.oauth_audience(), "iat": now, "exp": now + 600, "scope": "signature"});
    http.post(format!("{}/oauth/token", info.oauth_base_uri))
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &assertion("app.key.pem", &c)),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn binary_prints_info_json_first_and_serves_it() {
    let key = format!("{}/tests/keys/app.pub.pem", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--accounts",
            "2",
            "--burst-limit",
            "7",
        ])
        .arg(format!("--jwt-key={IK}={key}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let info: Info = serde_json::from_str(&first).expect("first line is the Info JSON");
    let raw: serde_json::Value = serde_json::from_str(&first).unwrap();
    let mut keys: Vec<&str> = raw
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "account_id",
            "accounts",
            "all_accounts",
            "base_uri",
            "integration_key",
            "integration_keys",
            "oauth_base_uri",
            "user_id",
            "users"
        ]
    );
    assert_eq!(info.accounts.len(), 2);
    assert_eq!(info.accounts[0], info.account_id);
    assert!(info.base_uri.starts_with("http://127.0.0.1:"));
    let mut second = String::new();
    out.read_line(&mut second).unwrap();
    assert!(!second.trim_start().starts_with('{'), "only one JSON line");

    let http = reqwest::Client::new();
    let url = format!(
        "{}/restapi/v2.1/accounts/{}/connect",
        info.base_uri, info.account_id
    );
    let r = http
        .get(&url)
        .bearer_auth(&info.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-burstlimit-limit"], "7");
    // The registered key works against this process.
    let r = grant(&http, &info, &info.user_id).await;
    assert_eq!(r.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Starts the binary with `args` and returns its first stdout line as [`Info`], with the rest
/// of its stdout (kept open: the binary stops if its stdout closes).
fn first_line(
    args: &[&str],
) -> (
    std::process::Child,
    Info,
    BufReader<std::process::ChildStdout>,
) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let info = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    (child, info, out)
}

#[tokio::test]
async fn binary_serves_a_topology_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        format!("{}/tests/keys/app.pub.pem", env!("CARGO_MANIFEST_DIR")),
        dir.path().join("partner.pub.pem"),
    )
    .unwrap();
    let file = dir.path().join("topology.json");
    std::fs::write(
        &file,
        json!({
            "accounts": [{"name": "partner"}, {"name": "client-a"}],
            "users": [{"name": "Admin", "accounts": ["partner"]},
                      {"name": "Alice", "accounts": ["client-a"]}],
            "integration_keys": [{"integration_key": IK, "account": "partner",
                                  "public_key_file": "partner.pub.pem",
                                  "consented_users": ["Alice"]}]
        })
        .to_string(),
    )
    .unwrap();
    let (mut child, info, _stdout) = first_line(&["--topology", file.to_str().unwrap()]);
    let client = info.account_named("client-a").unwrap().to_owned();
    let alice = info.user_named("Alice").unwrap().clone();
    assert_eq!(alice.accounts, std::slice::from_ref(&client));
    assert_eq!(info.accounts, [info.account_named("partner").unwrap()]);
    // Alice's grant with the partner's key works and reaches her account only.
    let http = reqwest::Client::new();
    let r = grant(&http, &info, &alice.user_id).await;
    assert_eq!(r.status(), 200);
    let token: serde_json::Value = r.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap();
    for (account, status) in [(&client, 200), (&info.account_id, 401)] {
        let url = format!("{}/restapi/v2.1/accounts/{account}/connect", info.base_uri);
        let r = http.get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), status, "{account}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn binary_refuses_non_loopback_and_documents_flags() {
    let out = Command::new(BIN)
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--listen",
        "--accounts",
        "--jwt-key ",
        "--jwt-key-unconsented",
        "--hourly-limit",
        "--burst-limit",
        "--burst-window-secs",
        "--token-ttl-secs",
        "--state-file",
        "--topology",
        "--account ",
        "--user ",
        "--integration-key",
        "--consent",
        "--help",
    ] {
        assert!(text.contains(flag), "{flag} undocumented");
    }
}

#[tokio::test]
async fn library_refuses_non_loopback() {
    let err = start(Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..Config::default()
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("loopback"));
}

#[tokio::test]
async fn state_file_keeps_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let cfg = || Config {
        state_file: Some(file.clone()),
        accounts: 2,
        ..config()
    };
    let e = emu_with(cfg()).await;
    let created = e.connect(Method::POST, "", Some(minimal("kept"))).await;
    let first_info = e.info().clone();
    e.running.shutdown().await;
    let e = emu_with(cfg()).await;
    assert_eq!(e.info().accounts, first_info.accounts);
    assert_eq!(e.info().user_id, first_info.user_id);
    assert_eq!(e.info().integration_key, first_info.integration_key);
    assert_eq!(
        e.info().access_token,
        first_info.access_token,
        "the dev token survives too"
    );
    let list = e.connect(Method::GET, "", None).await;
    assert_eq!(list.json["configurations"][0], created.json);
    // New ids continue after the stored ones.
    let next = e.connect(Method::POST, "", Some(minimal("next"))).await;
    assert_ne!(next.json["connectId"], created.json["connectId"]);
}

#[test]
fn blocking_helper_serves_and_stops() {
    let running = start_blocking(Config::default()).unwrap();
    let addr = running
        .info()
        .base_uri
        .trim_start_matches("http://")
        .to_owned();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /_emulator/info HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains(&running.info().account_id));
    running.shutdown();
    assert!(std::net::TcpStream::connect(&addr).is_err(), "stopped");
}
