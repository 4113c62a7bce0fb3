//! JSON values: `RawState.json` (state upgrade) and `DynamicValue.json`.
//!
//! Own small parser so that numbers keep their exact text (cty numbers are arbitrary precision)
//! and so that nesting depth is bounded. Follows cty's JSON rules: objects may omit attributes
//! (they decode as null); primitives convert leniently like cty (`"true"` for a bool, `"12"` for
//! a number, a number or bool for a string); `dynamic` is `{"value": …, "type": <type JSON>}`.
//! JSON cannot carry unknowns.
//!
//! * [`decode`]: strict: an attribute not in the type is an error.
//! * [`decode_lenient`]: for state written by an older schema: unknown attributes are ignored.
//! * [`encode`]: value → compact JSON bytes (objects always have every attribute).

use super::codec::{DecodeError, EncodeError, MAX_DEPTH, Walk, infer_type};
use super::number::Number;
use super::path::PathStep;
use super::types::Type;
use super::value::Value;
use std::collections::BTreeMap;

/// Parsed JSON, numbers as text.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Decodes JSON bytes against `ty`; attributes not in an object type are errors.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let j = parse(bytes)?;
    Decoder {
        lenient: false,
        walk: Walk::default(),
    }
    .value(&j, ty)
}

/// Decodes JSON bytes against `ty`, ignoring attributes that the type does not have.
pub fn decode_lenient(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let j = parse(bytes)?;
    Decoder {
        lenient: true,
        walk: Walk::default(),
    }
    .value(&j, ty)
}

/// Encodes a wholly known value of type `ty` as compact JSON.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut out = String::new();
    Encoder {
        walk: Walk::default(),
        out: &mut out,
    }
    .value(v, ty)?;
    Ok(out.into_bytes())
}

// ---------------------------------------------------------------------------------------------
// Parser

fn parse(bytes: &[u8]) -> Result<Json, DecodeError> {
    let mut p = Parser { b: bytes, i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err("trailing characters after JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, msg: &str) -> DecodeError {
        Walk::default().dec(format!("invalid JSON at byte {}: {msg}", self.i))
    }

    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.b[self.i.min(self.b.len())..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.ws();
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') if self.eat(b"null") => Ok(Json::Null),
            Some(b't') if self.eat(b"true") => Ok(Json::Bool(true)),
            Some(b'f') if self.eat(b"false") => Ok(Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b"]") {
                        return Ok(Json::Array(items));
                    }
                    if !self.eat(b",") {
                        return Err(self.err("expected ',' or ']'"));
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut items: Vec<(String, Json)> = Vec::new();
                self.ws();
                if self.eat(b"}") {
                    return Ok(Json::Object(items));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected object key"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b":") {
                        return Err(self.err("expected ':'"));
                    }
                    let v = self.value(depth + 1)?;
                    if items.iter().any(|(ek, _)| *ek == k) {
                        return Err(self.err("duplicate object key"));
                    }
                    items.push((k, v));
                    self.ws();
                    if self.eat(b"}") {
                        return Ok(Json::Object(items));
                    }
                    if !self.eat(b",") {
                        return Err(self.err("expected ',' or '}'"));
                    }
                }
            }
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                while let Some(c) = self.b.get(self.i) {
                    if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                let text = std::str::from_utf8(&self.b[start..self.i])
                    .map_err(|_| self.err("invalid number"))?;
                if Number::parse(text).is_err() {
                    return Err(self.err("invalid number"));
                }
                Ok(Json::Number(text.to_owned()))
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(h)
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        self.i += 1; // opening quote
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let c = *self
                .b
                .get(self.i)
                .ok_or_else(|| self.err("unterminated string"))?;
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *self
                        .b
                        .get(self.i)
                        .ok_or_else(|| self.err("unterminated escape"))?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return Err(self.err("lone surrogate"));
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("invalid surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(cp).ok_or_else(|| self.err("invalid code point"))?
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                c if c < 0x20 => return Err(self.err("control character in string")),
                c => buf.push(c),
            }
        }
        String::from_utf8(buf).map_err(|_| self.err("invalid UTF-8 in string"))
    }
}

// ---------------------------------------------------------------------------------------------
// JSON -> Value

struct Decoder {
    lenient: bool,
    walk: Walk,
}

impl Decoder {
    fn value(&mut self, j: &Json, ty: &Type) -> Result<Value, DecodeError> {
        if self.walk.depth() > MAX_DEPTH {
            return Err(self.walk.dec("value nested too deeply"));
        }
        if *j == Json::Null {
            return Ok(Value::Null);
        }
        match ty {
            Type::Bool => match j {
                Json::Bool(b) => Ok(Value::Bool(*b)),
                Json::String(s) if s == "true" => Ok(Value::Bool(true)),
                Json::String(s) if s == "false" => Ok(Value::Bool(false)),
                _ => Err(self.walk.dec("bool required")),
            },
            Type::Number => match j {
                Json::Number(t) | Json::String(t) => Number::parse(t)
                    .map(Value::Number)
                    .map_err(|_| self.walk.dec("number required")),
                _ => Err(self.walk.dec("number required")),
            },
            Type::String => match j {
                Json::String(s) => Ok(Value::String(s.clone())),
                Json::Number(t) => Ok(Value::String(t.clone())),
                Json::Bool(b) => Ok(Value::String(b.to_string())),
                _ => Err(self.walk.dec("string required")),
            },
            Type::List(et) | Type::Set(et) => {
                let Json::Array(items) = j else {
                    return Err(self.walk.dec("array required"));
                };
                let elems = self.elems(items, |_| et)?;
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(elems)
                } else {
                    Value::Set(elems)
                })
            }
            Type::Tuple(ets) => {
                let Json::Array(items) = j else {
                    return Err(self.walk.dec("array required"));
                };
                if items.len() != ets.len() {
                    return Err(self
                        .walk
                        .dec(format!("tuple of {} elements required", ets.len())));
                }
                let elems = self.elems(items, |i| &ets[i])?;
                Ok(Value::Tuple(elems))
            }
            Type::Map(et) => {
                let Json::Object(items) = j else {
                    return Err(self.walk.dec("object required"));
                };
                let mut m = BTreeMap::new();
                for (k, v) in items {
                    self.walk.push(PathStep::ElementKeyString(k.clone()));
                    let x = self.value(v, et)?;
                    self.walk.pop();
                    m.insert(k.clone(), x);
                }
                Ok(Value::Map(m))
            }
            Type::Object(attrs) => {
                let Json::Object(items) = j else {
                    return Err(self.walk.dec("object required"));
                };
                let mut m = BTreeMap::new();
                for (k, v) in items {
                    let Some(at) = attrs.get(k) else {
                        if self.lenient {
                            continue;
                        }
                        return Err(self.walk.dec(format!("unsupported attribute {k:?}")));
                    };
                    self.walk.push(PathStep::Attribute(k.clone()));
                    let x = self.value(v, at)?;
                    self.walk.pop();
                    m.insert(k.clone(), x);
                }
                for k in attrs.keys() {
                    m.entry(k.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(m))
            }
            Type::Dynamic => {
                let Json::Object(items) = j else {
                    return Err(self
                        .walk
                        .dec("dynamic value must be an object with \"value\" and \"type\""));
                };
                let get = |name: &str| items.iter().find(|(k, _)| k == name).map(|(_, v)| v);
                let (Some(tj), Some(vj)) = (get("type"), get("value")) else {
                    return Err(self
                        .walk
                        .dec("dynamic value must have \"value\" and \"type\""));
                };
                if items.len() != 2 {
                    return Err(self.walk.dec("dynamic value has extra keys"));
                }
                let t = Type::from_json(&to_serde(tj)).map_err(|e| self.walk.dec(e.to_string()))?;
                if t == Type::Dynamic {
                    return Err(self.walk.dec("dynamic value cannot have type \"dynamic\""));
                }
                self.value(vj, &t)
            }
        }
    }

    fn elems<'t>(
        &mut self,
        items: &[Json],
        ty_at: impl Fn(usize) -> &'t Type,
    ) -> Result<Vec<Value>, DecodeError> {
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            self.walk.push(Walk::idx(i));
            out.push(self.value(item, ty_at(i))?);
            self.walk.pop();
        }
        Ok(out)
    }
}

fn to_serde(j: &Json) -> serde_json::Value {
    use serde_json::Value as S;
    match j {
        Json::Null => S::Null,
        Json::Bool(b) => S::Bool(*b),
        Json::Number(t) => S::String(t.clone()),
        Json::String(s) => S::String(s.clone()),
        Json::Array(a) => S::Array(a.iter().map(to_serde).collect()),
        Json::Object(o) => S::Object(o.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect()),
    }
}

// ---------------------------------------------------------------------------------------------
// Value -> JSON

struct Encoder<'o> {
    walk: Walk,
    out: &'o mut String,
}

impl Encoder<'_> {
    fn str(&mut self, s: &str) {
        // serde_json's string escaping cannot fail for a &str.
        match serde_json::to_string(s) {
            Ok(q) => self.out.push_str(&q),
            Err(_) => self.out.push_str("\"\""),
        }
    }

    fn value(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        if self.walk.depth() > MAX_DEPTH {
            return Err(self.walk.enc("value nested too deeply"));
        }
        match (v, ty) {
            (Value::Null, _) => self.out.push_str("null"),
            (Value::Unknown, _) => {
                return Err(self.walk.enc("unknown values cannot be encoded as JSON"));
            }
            (_, Type::Dynamic) => {
                let t = infer_type(v);
                self.out.push_str("{\"value\":");
                self.value(v, &t)?;
                self.out.push_str(",\"type\":");
                self.out.push_str(&t.to_json().to_string());
                self.out.push('}');
            }
            (Value::Bool(b), Type::Bool) => self.out.push_str(if *b { "true" } else { "false" }),
            (Value::Number(n), Type::Number) => {
                let t = n
                    .to_json_text()
                    .ok_or_else(|| self.walk.enc("infinity cannot be encoded as JSON"))?;
                self.out.push_str(&t);
            }
            (Value::String(s), Type::String) => self.str(s),
            (Value::List(xs), Type::List(et)) | (Value::Set(xs), Type::Set(et)) => {
                self.out.push('[');
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.walk.push(Walk::idx(i));
                    self.value(x, et)?;
                    self.walk.pop();
                }
                self.out.push(']');
            }
            (Value::Tuple(xs), Type::Tuple(ets)) => {
                if xs.len() != ets.len() {
                    return Err(self
                        .walk
                        .enc(format!("tuple of {} elements required", ets.len())));
                }
                self.out.push('[');
                for (i, (x, et)) in xs.iter().zip(ets).enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.walk.push(Walk::idx(i));
                    self.value(x, et)?;
                    self.walk.pop();
                }
                self.out.push(']');
            }
            (Value::Map(m), Type::Map(et)) => {
                self.out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.str(k);
                    self.out.push(':');
                    self.walk.push(PathStep::ElementKeyString(k.clone()));
                    self.value(x, et)?;
                    self.walk.pop();
                }
                self.out.push('}');
            }
            (Value::Object(m), Type::Object(attrs)) => {
                if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                    return Err(self.walk.enc(format!("unsupported attribute {extra:?}")));
                }
                self.out.push('{');
                for (i, (k, at)) in attrs.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.str(k);
                    self.out.push(':');
                    self.walk.push(PathStep::Attribute(k.clone()));
                    self.value(m.get(k).unwrap_or(&Value::Null), at)?;
                    self.walk.pop();
                }
                self.out.push('}');
            }
            (_, ty) => {
                return Err(self
                    .walk
                    .enc(format!("value does not conform to type {ty}")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_ty() -> Type {
        Type::object([
            ("id", Type::String),
            ("n", Type::Number),
            ("tags", Type::set(Type::String)),
            ("d", Type::Dynamic),
        ])
    }

    #[test]
    fn decodes_state_with_missing_and_lenient_keys() {
        let raw = br#"{"id":"x","n":123456789012345678901234567890.5,"old_attr":1,"d":{"value":["a"],"type":["list","string"]}}"#;
        assert!(
            decode(raw, &obj_ty())
                .unwrap_err()
                .message
                .contains("old_attr")
        );
        let v = decode_lenient(raw, &obj_ty()).unwrap();
        assert_eq!(v.attr_str("id"), Some("x"));
        assert_eq!(v.get_attr("tags"), Some(&Value::Null));
        assert_eq!(v.get_attr("d"), Some(&Value::List(vec![Value::from("a")])));
        assert_eq!(
            v.get_attr("n")
                .and_then(Value::as_number)
                .and_then(Number::to_json_text)
                .as_deref(),
            Some("123456789012345678901234567890.5")
        );
    }

    #[test]
    fn primitive_conversions_like_cty() {
        assert_eq!(decode(b"\"true\"", &Type::Bool).unwrap(), Value::Bool(true));
        assert_eq!(decode(b"\"12\"", &Type::Number).unwrap(), Value::from(12));
        assert_eq!(decode(b"1.50", &Type::String).unwrap(), Value::from("1.50"));
        assert!(decode(b"\"yes\"", &Type::Bool).is_err());
        assert!(decode(b"[]", &Type::String).is_err());
    }

    #[test]
    fn encode_round_trip_and_escapes() {
        let v = Value::object([
            ("id", Value::from("q\"\n\u{1F600}")),
            ("n", Value::Number(Number::parse("0.1").unwrap())),
            ("tags", Value::Set(vec![Value::from("b")])),
            ("d", Value::from(true)),
        ]);
        let bytes = encode(&v, &obj_ty()).unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"d":{"value":true,"type":"bool"},"id":"q\"\n😀","n":0.1,"tags":["b"]}"#
        );
        assert_eq!(decode(&bytes, &obj_ty()).unwrap(), v);
    }

    #[test]
    fn encode_errors() {
        assert!(encode(&Value::Unknown, &Type::String).is_err());
        let e = encode(&Value::object([("id", Value::from(1))]), &obj_ty()).unwrap_err();
        assert_eq!(e.path.to_string(), "id");
        assert!(encode(&Value::object([("zz", Value::Null)]), &obj_ty()).is_err());
    }

    #[test]
    fn malformed_json_is_an_error() {
        for bad in [
            &b""[..],
            b"{",
            b"[1,]",
            b"{\"a\" 1}",
            b"\"\\x\"",
            b"\"\\ud800\"",
            b"tru",
            b"1 2",
            b"\"\xff\"",
            b"{\"a\":1,\"a\":2}",
            b"01.",
            b"\"a\nb\"",
        ] {
            assert!(
                decode(bad, &Type::Dynamic).is_err() && decode(bad, &obj_ty()).is_err(),
                "{bad:?}"
            );
        }
        let deep = "[".repeat(10_000);
        assert!(decode(deep.as_bytes(), &Type::list(Type::String)).is_err());
    }

    #[test]
    fn surrogate_pairs_decode() {
        assert_eq!(
            decode(br#""\ud83d\ude00""#, &Type::String).unwrap(),
            Value::from("😀")
        );
    }
}
