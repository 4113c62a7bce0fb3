//! A small checker of JSON bodies against DocuSign's official Swagger definitions, for tests
//! of both the emulator's responses and the provider's requests.
//!
//! The definitions come from `esignature.rest.swagger-v2.1.json` (2022) merged with the
//! newer `connect-subset-2023.swagger.json` (new definitions such as `connectOAuthConfig`,
//! and new properties such as `includeOAuth`, `integratorManaged`, `disabledBy`), plus the
//! three `connectCustomConfiguration` fields that neither spec has but that DocuSign's current
//! Java SDK models (`ConnectCustomConfiguration.java` in `docusign/docusign-esign-java-client`)
//! and that recorded demo-API responses carry: `pausePublish`, `enableOAuthPerConfiguration`
//! (strings) and `oAuthConfiguration` (`connectOAuthConfig`).
//!
//! The folder is `$DOCUSIGN_SWAGGER_DIR`, else `emulator/swagger/` in this repository: trimmed
//! copies of both files holding only the Connect definitions and `errorDetails` (with every
//! definition they reference), described in `emulator/swagger/README.md`.
//!
//! Rules: unknown field names are errors; types are checked recursively through `$ref`s,
//! arrays and maps. One known spec bug is tolerated: a property declared `type: string` with
//! `additionalProperties` (`connectOAuthConfig.customParameters`) accepts a string or an
//! object of strings, as the SDKs were fixed to send.
//!
//! ```no_run
//! let spec = docusign_emulator::swagger::Spec::cached().unwrap();
//! spec.check("errorDetails", &serde_json::json!({"errorCode": "X", "message": "m"})).unwrap();
//! ```

use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The 2022 spec file name.
pub const SPEC_2022: &str = "esignature.rest.swagger-v2.1.json";
/// The 2023 Connect subset file name.
pub const SPEC_2023: &str = "connect-subset-2023.swagger.json";

/// Merged definitions.
#[derive(Debug, Clone)]
pub struct Spec {
    defs: Map<String, Value>,
}

/// The folder holding the Swagger files.
pub fn spec_dir() -> PathBuf {
    match std::env::var_os("DOCUSIGN_SWAGGER_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("swagger"),
    }
}

fn read_defs(path: &Path) -> Result<Map<String, Value>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut doc: Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    match doc.get_mut("definitions").map(Value::take) {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(format!("{} has no definitions", path.display())),
    }
}

impl Spec {
    /// Loads and merges the definitions from [`spec_dir`].
    pub fn load() -> Result<Spec, String> {
        Spec::load_from(&spec_dir())
    }

    /// A process-wide copy loaded once from [`spec_dir`].
    pub fn cached() -> Result<&'static Spec, String> {
        static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
        SPEC.get_or_init(Spec::load).as_ref().map_err(Clone::clone)
    }

    /// Loads and merges the definitions from `dir`.
    pub fn load_from(dir: &Path) -> Result<Spec, String> {
        let mut defs = read_defs(&dir.join(SPEC_2022))?;
        let newer = read_defs(&dir.join(SPEC_2023))?;
        for (name, def) in newer {
            match defs.get_mut(&name) {
                None => {
                    defs.insert(name, def);
                }
                Some(existing) => {
                    let new_props = def
                        .get("properties")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    if let Some(Value::Object(props)) = existing.get_mut("properties") {
                        for (k, v) in new_props {
                            props.entry(k).or_insert(v);
                        }
                    }
                }
            }
        }
        if let Some(Value::Object(props)) = defs
            .get_mut("connectCustomConfiguration")
            .and_then(|d| d.get_mut("properties"))
        {
            props
                .entry("pausePublish")
                .or_insert(json!({"type": "string"}));
            props
                .entry("enableOAuthPerConfiguration")
                .or_insert(json!({"type": "string"}));
            props
                .entry("oAuthConfiguration")
                .or_insert(json!({"$ref": "#/definitions/connectOAuthConfig"}));
        }
        Ok(Spec { defs })
    }

    /// The merged definition `name`.
    pub fn definition(&self, name: &str) -> Option<&Value> {
        self.defs.get(name)
    }

    /// The property names of definition `name`.
    pub fn properties(&self, name: &str) -> Vec<String> {
        self.defs
            .get(name)
            .and_then(|d| d.get("properties"))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Checks `value` against definition `name`; the errors name JSON paths.
    pub fn check(&self, name: &str, value: &Value) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        match self.defs.get(name) {
            Some(schema) => self.walk(schema, value, "$", &mut errors, 0),
            None => errors.push(format!("no definition named {name}")),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn walk(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        errors: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > 32 {
            errors.push(format!("{at}: schema nesting too deep"));
            return;
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/definitions/");
            match self.defs.get(name) {
                Some(s) => self.walk(s, value, at, errors, depth + 1),
                None => errors.push(format!("{at}: unresolved $ref {r}")),
            }
            return;
        }
        let ty = schema.get("type").and_then(Value::as_str);
        let props = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties").filter(|a| a.is_object());
        match (ty, value) {
            (Some("string"), Value::String(_)) => {}
            (Some("string"), Value::Object(m)) if additional.is_some() => {
                if let Some(a) = additional {
                    for (k, v) in m {
                        self.walk(a, v, &format!("{at}.{k}"), errors, depth + 1);
                    }
                }
            }
            (Some("boolean"), Value::Bool(_)) => {}
            (Some("integer"), Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            (Some("number"), Value::Number(_)) => {}
            (Some("array"), Value::Array(items)) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item_schema, item, &format!("{at}[{i}]"), errors, depth + 1);
                    }
                }
            }
            (Some("object") | None, Value::Object(m))
                if props.is_some() || additional.is_some() =>
            {
                for (k, v) in m {
                    let path = format!("{at}.{k}");
                    match props.and_then(|p| p.get(k)) {
                        Some(s) => self.walk(s, v, &path, errors, depth + 1),
                        None => match additional {
                            Some(a) => self.walk(a, v, &path, errors, depth + 1),
                            None => errors.push(format!("{path}: unknown field")),
                        },
                    }
                }
            }
            (Some("object"), Value::Object(_)) => {}
            (None, _) if props.is_none() => {}
            (expected, got) => errors.push(format!(
                "{at}: expected {}, got {}",
                expected.unwrap_or("object"),
                kind_of(got)
            )),
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_rejects_unknown_and_mistyped_fields() {
        let spec = Spec::cached().unwrap();
        assert!(
            spec.check("errorDetails", &json!({"errorCode": "A", "message": "b"}))
                .is_ok()
        );
        let e = spec
            .check("errorDetails", &json!({"errorCode": 1, "extra": "x"}))
            .unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        let e = spec
            .check(
                "connectConfigResults",
                &json!({"configurations": [{"allUsers": true}], "totalRecords": 1}),
            )
            .unwrap_err();
        assert!(
            e.iter().any(|m| m.contains("configurations[0].allUsers")),
            "{e:?}"
        );
        assert!(e.iter().any(|m| m.contains("totalRecords")), "{e:?}");
    }

    #[test]
    fn merged_fields_are_known() {
        let spec = Spec::cached().unwrap();
        let props = spec.properties("connectCustomConfiguration");
        for f in [
            "includeOAuth",
            "integratorManaged",
            "disabledBy",
            "pausePublish",
            "enableOAuthPerConfiguration",
            "oAuthConfiguration",
        ] {
            assert!(props.iter().any(|p| p == f), "{f} missing");
        }
        assert!(
            spec.check(
                "connectOAuthConfig",
                &json!({"customParameters": {"a": "b"}})
            )
            .is_ok()
        );
        assert!(
            spec.check("connectOAuthConfig", &json!({"customParameters": {"a": 1}}))
                .is_err()
        );
    }

    #[test]
    fn every_model_field_is_in_the_spec() {
        let spec = Spec::cached().unwrap();
        let props = spec.properties("connectCustomConfiguration");
        for f in crate::model::FIELDS {
            assert!(
                props.iter().any(|p| p == f.name),
                "{} not in the spec",
                f.name
            );
        }
    }
}
