//! The `docusign-emulator` release binary as a child process, and its request log.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::http;

/// A running emulator; dropping it kills the process.
pub struct Emulator {
    child: Child,
    pub base_uri: String,
    pub oauth_base_uri: String,
    pub account_id: String,
    access_token: String,
}

/// One logged call (`GET /_emulator/requests`).
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// `None` when the emulator dropped the connection.
    pub status: Option<u16>,
}

impl Call {
    /// A DocuSign REST API call (what counts against DocuSign's limits).
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/restapi/")
    }

    /// An OAuth call (token grant, userinfo).
    pub fn is_oauth(&self) -> bool {
        self.path.starts_with("/oauth/")
    }

    /// Anything but a 2xx answer.
    pub fn failed(&self) -> bool {
        !matches!(self.status, Some(200..=299))
    }

    /// `GET .../accounts/{id}/connect`: the list call that serves refreshes.
    pub fn is_list(&self) -> bool {
        self.method == "GET" && self.is_api() && self.path.ends_with("/connect")
    }
}

impl Emulator {
    /// Starts `bin --listen 127.0.0.1:0 extra_args...` and reads its first stdout line.
    pub fn start(bin: &Path, extra_args: &[&str]) -> Result<Emulator, String> {
        let mut child = Command::new(bin)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().ok_or("emulator: no stdout pipe")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let first = reader.read_line(&mut line).map(|_| line);
            let _ = tx.send(first);
            // Keep draining the banner so the emulator never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut emu = Emulator {
            child,
            base_uri: String::new(),
            oauth_base_uri: String::new(),
            account_id: String::new(),
            access_token: String::new(),
        };
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => return Err(format!("emulator: read stdout: {e}")),
            Err(_) => return Err("emulator: no info line within 30 s".to_owned()),
        };
        let info: Value = serde_json::from_str(line.trim())
            .map_err(|e| format!("emulator: info line is not JSON ({e})"))?;
        let field = |k: &str| {
            info.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("emulator: info line lacks {k}"))
        };
        emu.base_uri = field("base_uri")?;
        emu.oauth_base_uri = field("oauth_base_uri")?;
        emu.account_id = field("account_id")?;
        emu.access_token = field("access_token")?;
        Ok(emu)
    }

    /// The `DOCUSIGN_*` environment that points the provider at this emulator.
    pub fn provider_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DOCUSIGN_BASE_URI", self.base_uri.clone()),
            ("DOCUSIGN_OAUTH_BASE_URI", self.oauth_base_uri.clone()),
            ("DOCUSIGN_ACCOUNT_ID", self.account_id.clone()),
            ("DOCUSIGN_ACCESS_TOKEN", self.access_token.clone()),
        ]
    }

    /// Empties the request log.
    pub fn clear_log(&self) -> Result<(), String> {
        let r = http::request(&self.base_uri, "DELETE", "/_emulator/requests", None)?;
        if r.status == 200 {
            Ok(())
        } else {
            Err(format!("clear the request log: HTTP {}", r.status))
        }
    }

    /// Every call logged since the last [`clear_log`](Self::clear_log).
    pub fn calls(&self) -> Result<Vec<Call>, String> {
        let r = http::request(&self.base_uri, "GET", "/_emulator/requests", None)?;
        if r.status != 200 {
            return Err(format!("read the request log: HTTP {}", r.status));
        }
        parse_log(&r.body)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses `GET /_emulator/requests`.
pub fn parse_log(body: &str) -> Result<Vec<Call>, String> {
    let v: Value =
        serde_json::from_str(body).map_err(|e| format!("request log is not JSON: {e}"))?;
    let entries = v.as_array().ok_or("request log is not a JSON array")?;
    entries
        .iter()
        .map(|e| {
            let s = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("log entry lacks {k}: {e}"))
            };
            let path = s("path")?;
            Ok(Call {
                method: s("method")?,
                path: path.split('?').next().unwrap_or_default().to_owned(),
                status: e
                    .get("status")
                    .and_then(Value::as_u64)
                    .and_then(|n| u16::try_from(n).ok()),
            })
        })
        .collect()
}

/// Counts of one operation's calls.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// REST API calls.
    pub api: usize,
    /// Of which `GET /connect` list calls.
    pub list: usize,
    /// Of which POST, PUT, DELETE and other GETs.
    pub post: usize,
    pub put: usize,
    pub delete: usize,
    pub get_one: usize,
    /// OAuth calls (token grant, userinfo).
    pub oauth: usize,
    /// API or OAuth calls answered with anything but 2xx (including dropped ones).
    pub failed: usize,
}

impl Counts {
    pub fn of(calls: &[Call]) -> Counts {
        let mut c = Counts::default();
        for call in calls {
            if call.is_oauth() {
                c.oauth += 1;
            } else if call.is_api() {
                c.api += 1;
                match call.method.as_str() {
                    "GET" if call.is_list() => c.list += 1,
                    "GET" => c.get_one += 1,
                    "POST" => c.post += 1,
                    "PUT" => c.put += 1,
                    "DELETE" => c.delete += 1,
                    _ => {}
                }
            } else {
                continue;
            }
            if call.failed() {
                c.failed += 1;
            }
        }
        c
    }

    /// E.g. `1 (1 list)` or `500 (500 POST)`; OAuth calls are appended when there are any.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (n, what) in [
            (self.list, "list"),
            (self.get_one, "GET one"),
            (self.post, "POST"),
            (self.put, "PUT"),
            (self.delete, "DELETE"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        let mut s = if parts.is_empty() {
            self.api.to_string()
        } else {
            format!("{} ({})", self.api, parts.join(", "))
        };
        if self.oauth > 0 {
            s.push_str(&format!(" + {} OAuth", self.oauth));
        }
        if self.failed > 0 {
            s.push_str(&format!(", {} failed", self.failed));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_classify_the_log() {
        let log = r#"[
          {"seq":1,"method":"POST","path":"/oauth/token","status":200},
          {"seq":2,"method":"GET","path":"/restapi/v2.1/accounts/a/connect?x=1","status":200,"account_id":"a"},
          {"seq":3,"method":"GET","path":"/restapi/v2.1/accounts/a/connect/42","status":200},
          {"seq":4,"method":"POST","path":"/restapi/v2.1/accounts/a/connect","status":400},
          {"seq":5,"method":"PUT","path":"/restapi/v2.1/accounts/a/connect","status":null},
          {"seq":6,"method":"POST","path":"/restapi/v2.1/accounts/a/connect","status":201}
        ]"#;
        let c = Counts::of(&parse_log(log).unwrap());
        assert_eq!(
            c,
            Counts {
                api: 5,
                list: 1,
                post: 2,
                put: 1,
                delete: 0,
                get_one: 1,
                oauth: 1,
                failed: 2,
            }
        );
        assert_eq!(
            c.describe(),
            "5 (1 list, 1 GET one, 2 POST, 1 PUT) + 1 OAuth, 2 failed"
        );
        assert_eq!(Counts::default().describe(), "0");
        assert!(parse_log("{}").is_err());
        assert!(parse_log(r#"[{"method":"GET"}]"#).is_err());
    }
}
