//! A DocuSign emulator per test, in process on its own runtime thread (so tests stay
//! independent and parallel), with helpers for its `/_emulator/` control surface and for
//! out-of-band REST calls.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use super::terraform::{Failure, TfResult, hcl_string, repo_root};

pub use docusign_emulator::{Config, Info};

/// One call recorded by the emulator (`GET /_emulator/requests`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct LoggedRequest {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub fault: Option<String>,
}

impl LoggedRequest {
    /// A DocuSign REST API call (not OAuth, not the control surface).
    pub fn is_api_call(&self) -> bool {
        self.path.starts_with("/restapi/")
    }
}

/// A running emulator; dropping it stops the server.
pub struct Emulator {
    running: docusign_emulator::BlockingRunning,
    http: reqwest::Client,
    /// Where the emulator keeps its data, when it keeps it in a file.
    state_file: Option<std::path::PathBuf>,
    /// The temporary directory of a [`start_storing`](Self::start_storing) state file.
    _state_dir: Option<tempfile::TempDir>,
}

impl Emulator {
    /// Starts an emulator with the default configuration (one account, demo rate limits).
    pub fn start() -> Emulator {
        Self::start_with(Config::default())
    }

    /// Starts an emulator with `config` (e.g. more accounts, `allow_http_listeners`).
    pub fn start_with(config: Config) -> Emulator {
        let state_file = config.state_file.clone();
        let running = docusign_emulator::start_blocking(config)
            .unwrap_or_else(|e| panic!("start the DocuSign emulator: {e}"));
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap_or_else(|e| panic!("build an HTTP client: {e}"));
        Emulator {
            running,
            http,
            state_file,
            _state_dir: None,
        }
    }

    /// Starts an emulator with `config` plus one consented JWT application, `integration_key`,
    /// holding the test key pair ([`jwt_provider_block`](Self::jwt_provider_block) uses it).
    pub fn start_jwt(config: Config, integration_key: &str) -> Emulator {
        let public = std::fs::read_to_string(jwt_keys_dir().join("app.pub.pem"))
            .unwrap_or_else(|e| panic!("read the test public key: {e}"));
        let mut jwt_apps = config.jwt_apps.clone();
        jwt_apps.push(docusign_emulator::JwtApp {
            integration_key: integration_key.into(),
            public_key_pem: public,
            consented: true,
        });
        Self::start_with(Config { jwt_apps, ..config })
    }

    /// A provider block using the JWT grant of `integration_key` with the test private key (no
    /// access token), with `extra` lines inside the block.
    pub fn jwt_provider_block(&self, integration_key: &str, extra: &str) -> String {
        let i = self.info();
        format!(
            "provider \"docusign\" {{\n  base_uri         = {}\n  oauth_base_uri   = {}\n  \
             account_id       = {}\n  integration_key  = {}\n  user_id          = {}\n  \
             private_key_file = {}\n{extra}}}\n",
            hcl_string(&i.base_uri),
            hcl_string(&i.oauth_base_uri),
            hcl_string(&i.account_id),
            hcl_string(integration_key),
            hcl_string(&i.user_id),
            hcl_string(&jwt_private_key().to_string_lossy()),
        )
    }

    /// Starts an emulator with `config` that keeps its data in a file of its own, so that the
    /// test can read what DocuSign holds but never answers (passwords, client secrets): see
    /// [`stored`](Self::stored).
    pub fn start_storing(config: Config) -> Emulator {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
        let mut emu = Self::start_with(Config {
            state_file: Some(dir.path().join("emulator.json")),
            ..config
        });
        emu._state_dir = Some(dir);
        emu
    }

    /// Everything the emulator holds, secrets included (its state file). Panics when the
    /// emulator was started without a state file.
    pub fn stored(&self) -> Value {
        let path = self
            .state_file
            .as_ref()
            .unwrap_or_else(|| panic!("this emulator keeps no state file: use start_storing"));
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
    }

    /// The stored data of `account`.
    fn stored_account(&self, account: &str) -> Option<Value> {
        self.stored()
            .get("accounts")?
            .as_array()?
            .iter()
            .find(|a| a.get("id").and_then(Value::as_str) == Some(account))
            .cloned()
    }

    /// The listener password DocuSign holds for configuration `id` of `account` (it never
    /// answers it).
    pub fn stored_password(&self, account: &str, id: &str) -> Option<String> {
        let a = self.stored_account(account)?;
        a.get("configs")?
            .get(id)?
            .get("body")?
            .get("password")?
            .as_str()
            .map(str::to_owned)
    }

    /// The OAuth for Connect client secret DocuSign holds for `account` (it never answers it).
    pub fn stored_client_secret(&self, account: &str) -> Option<String> {
        let a = self.stored_account(account)?;
        a.get("oauth")?
            .get("clientSecret")?
            .as_str()
            .map(str::to_owned)
    }

    pub fn info(&self) -> &Info {
        self.running.info()
    }

    pub fn base_uri(&self) -> &str {
        &self.info().base_uri
    }

    pub fn account_id(&self) -> &str {
        &self.info().account_id
    }

    /// `provider "docusign" { base_uri, oauth_base_uri, account_id, access_token }` pointing at
    /// this emulator.
    pub fn provider_block(&self) -> String {
        self.provider_block_with("")
    }

    /// Like [`provider_block`](Self::provider_block) with extra lines inside the block (e.g.
    /// `alias = "other"`).
    pub fn provider_block_with(&self, extra: &str) -> String {
        let i = self.info();
        format!(
            "provider \"docusign\" {{\n  base_uri       = {}\n  oauth_base_uri = {}\n  \
             account_id     = {}\n  access_token   = {}\n{extra}}}\n",
            hcl_string(&i.base_uri),
            hcl_string(&i.oauth_base_uri),
            hcl_string(&i.account_id),
            hcl_string(&i.access_token),
        )
    }

    /// The `DOCUSIGN_*` environment that configures the provider for this emulator (for
    /// configurations with an empty `provider "docusign" {}` block).
    pub fn provider_env(&self) -> Vec<(String, String)> {
        let i = self.info();
        vec![
            ("DOCUSIGN_BASE_URI".into(), i.base_uri.clone()),
            ("DOCUSIGN_OAUTH_BASE_URI".into(), i.oauth_base_uri.clone()),
            ("DOCUSIGN_ACCOUNT_ID".into(), i.account_id.clone()),
            ("DOCUSIGN_ACCESS_TOKEN".into(), i.access_token.clone()),
        ]
    }

    /// Every call logged since start or the last [`clear_requests`](Self::clear_requests).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        let v = self
            .control("GET", "/_emulator/requests", None)
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_value(v).unwrap_or_else(|e| panic!("parse the emulator request log: {e}"))
    }

    /// Only the DocuSign REST API calls (what counts against the rate limit).
    pub fn api_calls(&self) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .filter(LoggedRequest::is_api_call)
            .collect()
    }

    /// The API calls that change something (every method but GET), in order.
    pub fn writes(&self) -> Vec<LoggedRequest> {
        self.api_calls()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }

    /// The paths of the API calls with `method`, in order.
    pub fn paths_of(&self, method: &str) -> Vec<String> {
        self.api_calls()
            .into_iter()
            .filter(|r| r.method == method)
            .map(|r| r.path)
            .collect()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.control("DELETE", "/_emulator/requests", None)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Adds a fault rule (see the emulator's `FaultSpec`); returns its id.
    pub fn add_fault(&self, spec: Value) -> u64 {
        let v = self
            .control("POST", "/_emulator/faults", Some(spec))
            .unwrap_or_else(|e| panic!("{e}"));
        v.get("id")
            .and_then(Value::as_u64)
            .unwrap_or_else(|| panic!("fault id missing in {v}"))
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.control("DELETE", "/_emulator/faults", None)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Removes all data, faults, the log and rate-limit counters.
    pub fn reset(&self) {
        self.control("POST", "/_emulator/reset", None)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// A control-surface call; non-2xx answers are errors.
    pub fn control(&self, method: &str, path: &str, body: Option<Value>) -> TfResult<Value> {
        let (status, v) = self.send(method, path, body, None)?;
        if (200..300).contains(&status) {
            Ok(v)
        } else {
            Err(Failure(format!("{method} {path}: HTTP {status}: {v}")))
        }
    }

    /// An authenticated REST call as a third party would make it, e.g.
    /// `api("DELETE", &format!("/connect/{id}"), None)` to delete out of band. `path` is relative
    /// to `/restapi/v2.1/accounts/{account_id}`. Returns (status, JSON body or null).
    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> TfResult<(u16, Value)> {
        self.api_on(method, self.account_id(), path, body)
    }

    /// [`api`](Self::api) on any account, as the first user who is a member of it (the
    /// default user's token when no user is, so that DocuSign's refusal shows).
    pub fn api_on(
        &self,
        method: &str,
        account: &str,
        path: &str,
        body: Option<Value>,
    ) -> TfResult<(u16, Value)> {
        let full = format!("/restapi/v2.1/accounts/{account}{path}");
        let info = self.info();
        let token = info
            .users
            .iter()
            .find(|u| u.accounts.iter().any(|a| a == account))
            .map_or(info.access_token.as_str(), |u| u.access_token.as_str());
        self.send(method, &full, body, Some(token))
    }

    /// The id of the topology's user labelled `name`. Panics if there is none.
    pub fn user_id(&self, name: &str) -> &str {
        self.info()
            .users
            .iter()
            .find(|u| u.name == name)
            .map(|u| u.user_id.as_str())
            .unwrap_or_else(|| panic!("no user {name} in the emulator's topology"))
    }

    /// The id of the topology's account labelled `name`. Panics if there is none.
    pub fn account_named(&self, name: &str) -> &str {
        self.info()
            .all_accounts
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.account_id.as_str())
            .unwrap_or_else(|| panic!("no account {name} in the emulator's topology"))
    }

    /// `GET /connect` of `account`: the configurations DocuSign holds. Panics unless HTTP 200.
    pub fn configurations(&self, account: &str) -> Vec<Value> {
        let (status, body) = self
            .api_on("GET", account, "/connect", None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, 200, "GET /connect of {account}: {body}");
        body.get("configurations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// The ids of [`configurations`](Self::configurations).
    pub fn configuration_ids(&self, account: &str) -> BTreeSet<String> {
        self.configurations(account)
            .iter()
            .filter_map(|c| c.get("connectId").and_then(Value::as_str))
            .map(str::to_owned)
            .collect()
    }

    /// The emulator's delivery view of a configuration: whose settings its messages would use.
    pub fn delivery(&self, account: &str, id: &str) -> Value {
        self.control(
            "GET",
            &format!("/_emulator/accounts/{account}/connect/{id}/delivery"),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> TfResult<(u16, Value)> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| Failure(format!("bad method {method}: {e}")))?;
        let url = format!("{}{path}", self.base_uri());
        let mut req = self.http.request(method.clone(), &url);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure(format!("runtime: {e}")))?;
        rt.block_on(async move {
            let resp = req
                .send()
                .await
                .map_err(|e| Failure(format!("{method} {url}: {e}")))?;
            let status = resp.status().as_u16();
            let text = resp
                .text()
                .await
                .map_err(|e| Failure(format!("{method} {url}: {e}")))?;
            let v = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            };
            Ok((status, v))
        })
    }
}

/// The test key pair of the emulator's JWT applications.
pub fn jwt_keys_dir() -> PathBuf {
    repo_root().join("emulator/tests/keys")
}

/// The private key of [`jwt_keys_dir`], as a file.
pub fn jwt_private_key() -> PathBuf {
    jwt_keys_dir().join("app.key.pem")
}
