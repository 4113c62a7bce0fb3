//! msgpack DynamicValues, the form Terraform uses for every value on the wire (cty rules).
//!
//! * null is nil; unknown is written as ext 0 (`d4 00 00`) and **any** ext type reads as unknown
//!   (Terraform ≥ 1.6 sends refined unknowns as ext 12).
//! * numbers: int when an `i64`, uint for larger integers, float64 when exactly a float, else a
//!   decimal string; the decoder accepts all of these (and float32).
//! * objects are maps that must contain exactly every attribute on input. On output, attributes
//!   missing from a [`Value::Object`] are written as nil; attributes not in the type are errors.
//! * `dynamic` is `[json type as bin, value]`; a bare nil or unknown is accepted too.
//! * On output, a `List`/`Set` value is accepted for either collection type, and `Map`/`Object`
//!   for either map-like type; decoding always yields the variant matching the type.
//!
//! Nesting is limited to [`MAX_DEPTH`](super::codec::MAX_DEPTH) levels; no input can panic.

use super::codec::{DecodeError, EncodeError, MAX_DEPTH, Walk, infer_type};
use super::number::{Number, WireNumber};
use super::path::PathStep;
use super::types::Type;
use super::value::Value;
use rmpv::Value as Mp;
use std::collections::BTreeMap;

/// Decodes msgpack bytes against `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let mut rd = bytes;
    let mp = rmpv::decode::read_value_with_max_depth(&mut rd, 2 * MAX_DEPTH + 8)
        .map_err(|e| Walk::default().dec(format!("invalid msgpack: {e}")))?;
    if !rd.is_empty() {
        return Err(Walk::default().dec(format!("{} trailing bytes after msgpack value", rd.len())));
    }
    let mut walk = Walk::default();
    from_mp(&mp, ty, &mut walk)
}

/// Encodes `v` as msgpack of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut walk = Walk::default();
    let mp = to_mp(v, ty, &mut walk)?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &mp)
        .map_err(|e| walk.enc(format!("msgpack write failed: {e}")))?;
    Ok(out)
}

/// The msgpack of an unknown value: ext 0 with one zero byte (`d4 00 00`), as cty writes it.
pub fn unknown_bytes() -> Vec<u8> {
    vec![0xd4, 0x00, 0x00]
}

fn from_mp(mp: &Mp, ty: &Type, walk: &mut Walk) -> Result<Value, DecodeError> {
    if walk.depth() > MAX_DEPTH {
        return Err(walk.dec("value nested too deeply"));
    }
    match mp {
        Mp::Nil => return Ok(Value::Null),
        Mp::Ext(..) => return Ok(Value::Unknown),
        _ => {}
    }
    match ty {
        Type::Bool => match mp {
            Mp::Boolean(b) => Ok(Value::Bool(*b)),
            _ => Err(walk.dec("bool required")),
        },
        Type::Number => {
            let n = match mp {
                Mp::Integer(i) => i
                    .as_i64()
                    .map(Number::from_i64)
                    .or_else(|| i.as_u64().map(Number::from_u64)),
                Mp::F32(f) => Number::from_f64(f64::from(*f)),
                Mp::F64(f) => Number::from_f64(*f),
                Mp::String(s) => s.as_str().and_then(|s| Number::parse(s).ok()),
                _ => None,
            };
            n.map(Value::Number)
                .ok_or_else(|| walk.dec("number required"))
        }
        Type::String => match mp {
            Mp::String(s) => s
                .as_str()
                .map(|s| Value::String(s.to_owned()))
                .ok_or_else(|| walk.dec("string is not valid UTF-8")),
            Mp::Binary(b) => std::str::from_utf8(b)
                .map(|s| Value::String(s.to_owned()))
                .map_err(|_| walk.dec("string is not valid UTF-8")),
            _ => Err(walk.dec("string required")),
        },
        Type::List(et) | Type::Set(et) => {
            let Mp::Array(items) = mp else {
                return Err(walk.dec("array required"));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                walk.push(Walk::idx(i));
                out.push(from_mp(item, et, walk)?);
                walk.pop();
            }
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(out)
            } else {
                Value::Set(out)
            })
        }
        Type::Tuple(ets) => {
            let Mp::Array(items) = mp else {
                return Err(walk.dec("array required"));
            };
            if items.len() != ets.len() {
                return Err(walk.dec(format!(
                    "tuple of {} elements required ({} given)",
                    ets.len(),
                    items.len()
                )));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                walk.push(Walk::idx(i));
                out.push(from_mp(item, et, walk)?);
                walk.pop();
            }
            Ok(Value::Tuple(out))
        }
        Type::Map(et) => {
            let Mp::Map(entries) = mp else {
                return Err(walk.dec("map required"));
            };
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = key_str(k).ok_or_else(|| walk.dec("map keys must be strings"))?;
                walk.push(PathStep::ElementKeyString(key.to_owned()));
                let x = from_mp(v, et, walk)?;
                walk.pop();
                if out.insert(key.to_owned(), x).is_some() {
                    return Err(walk.dec(format!("duplicate map key {key:?}")));
                }
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let Mp::Map(entries) = mp else {
                return Err(walk.dec("object required"));
            };
            if entries.len() != attrs.len() {
                return Err(walk.dec(format!(
                    "an object with {} attributes is required ({} given)",
                    attrs.len(),
                    entries.len()
                )));
            }
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = key_str(k).ok_or_else(|| walk.dec("object keys must be strings"))?;
                let Some(at) = attrs.get(key) else {
                    return Err(walk.dec(format!("unsupported attribute {key:?}")));
                };
                walk.push(PathStep::Attribute(key.to_owned()));
                let x = from_mp(v, at, walk)?;
                walk.pop();
                if out.insert(key.to_owned(), x).is_some() {
                    return Err(walk.dec(format!("duplicate attribute {key:?}")));
                }
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let Mp::Array(pair) = mp else {
                return Err(walk.dec("dynamic value must be a [type, value] array"));
            };
            let [tj, v] = pair.as_slice() else {
                return Err(walk.dec("dynamic value must be a [type, value] array"));
            };
            let tbytes: &[u8] = match tj {
                Mp::Binary(b) => b,
                Mp::String(s) => s.as_bytes(),
                _ => return Err(walk.dec("dynamic value type must be JSON bytes")),
            };
            let t = Type::from_json_bytes(tbytes).map_err(|e| walk.dec(e.to_string()))?;
            if t == Type::Dynamic {
                return Err(walk.dec("dynamic value cannot have type \"dynamic\""));
            }
            from_mp(v, &t, walk)
        }
    }
}

fn key_str(k: &Mp) -> Option<&str> {
    match k {
        Mp::String(s) => s.as_str(),
        _ => None,
    }
}

fn to_mp(v: &Value, ty: &Type, walk: &mut Walk) -> Result<Mp, EncodeError> {
    if walk.depth() > MAX_DEPTH {
        return Err(walk.enc("value nested too deeply"));
    }
    Ok(match (v, ty) {
        (Value::Null, _) => Mp::Nil,
        (Value::Unknown, _) => Mp::Ext(0, vec![0]),
        (_, Type::Dynamic) => {
            let t = infer_type(v);
            let inner = to_mp(v, &t, walk)?;
            Mp::Array(vec![Mp::Binary(t.to_json_bytes()), inner])
        }
        (Value::Bool(b), Type::Bool) => Mp::Boolean(*b),
        (Value::Number(n), Type::Number) => match n.wire() {
            WireNumber::I64(i) => Mp::from(i),
            WireNumber::U64(u) => Mp::from(u),
            WireNumber::F64(f) => Mp::F64(f),
            WireNumber::Str(s) => Mp::from(s),
        },
        (Value::String(s), Type::String) => Mp::from(s.as_str()),
        (Value::List(xs) | Value::Set(xs), Type::List(et) | Type::Set(et)) => {
            let mut out = Vec::with_capacity(xs.len());
            for (i, x) in xs.iter().enumerate() {
                walk.push(Walk::idx(i));
                out.push(to_mp(x, et, walk)?);
                walk.pop();
            }
            Mp::Array(out)
        }
        (Value::Tuple(xs), Type::Tuple(ets)) => {
            if xs.len() != ets.len() {
                return Err(walk.enc(format!(
                    "tuple of {} elements required ({} given)",
                    ets.len(),
                    xs.len()
                )));
            }
            let mut out = Vec::with_capacity(xs.len());
            for (i, (x, et)) in xs.iter().zip(ets).enumerate() {
                walk.push(Walk::idx(i));
                out.push(to_mp(x, et, walk)?);
                walk.pop();
            }
            Mp::Array(out)
        }
        (Value::Map(m) | Value::Object(m), Type::Map(et)) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, x) in m {
                walk.push(PathStep::ElementKeyString(k.clone()));
                out.push((Mp::from(k.as_str()), to_mp(x, et, walk)?));
                walk.pop();
            }
            Mp::Map(out)
        }
        (Value::Object(m) | Value::Map(m), Type::Object(attrs)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(walk.enc(format!("unsupported attribute {extra:?}")));
            }
            let mut out = Vec::with_capacity(attrs.len());
            for (k, at) in attrs {
                walk.push(PathStep::Attribute(k.clone()));
                out.push((
                    Mp::from(k.as_str()),
                    to_mp(m.get(k).unwrap_or(&Value::Null), at, walk)?,
                ));
                walk.pop();
            }
            Mp::Map(out)
        }
        (_, ty) => return Err(walk.enc(format!("value does not conform to type {ty}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_null_bytes_match_cty() {
        assert_eq!(
            encode(&Value::Unknown, &Type::String).unwrap(),
            [0xd4, 0, 0]
        );
        assert_eq!(unknown_bytes(), [0xd4, 0, 0]);
        assert_eq!(
            encode(&Value::Null, &Type::list(Type::String)).unwrap(),
            [0xc0]
        );
        // Refined unknown (ext 12) and odd ext lengths are unknown too.
        assert_eq!(
            decode(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2], &Type::String).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode(&[0xc7, 0x00, 0x00], &Type::Number).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode(&[0xd4, 0x05, 0x00], &Type::Dynamic).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn dynamic_wire_form_matches_reference_bytes() {
        let bytes = [
            0x92, 0xc4, 0x08, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa2, b'h', b'i',
        ];
        assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), Value::from("hi"));
        assert_eq!(encode(&Value::from("hi"), &Type::Dynamic).unwrap(), bytes);
    }

    #[test]
    fn numbers_follow_cty_encoding() {
        let enc =
            |s: &str| encode(&Value::Number(Number::parse(s).unwrap()), &Type::Number).unwrap();
        assert_eq!(enc("1"), [0x01]);
        assert_eq!(enc("-1"), [0xff]);
        assert_eq!(enc("1.5"), [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
        assert_eq!(enc("0.1"), [0xa3, b'0', b'.', b'1']);
        assert_eq!(
            decode(&[0xa3, b'0', b'.', b'1'], &Type::Number).unwrap(),
            Value::Number(Number::parse("0.1").unwrap())
        );
        assert_eq!(
            decode(&[0xca, 0x3f, 0xc0, 0, 0], &Type::Number).unwrap(),
            Value::Number(Number::parse("1.5").unwrap())
        );
        assert!(decode(&[0xa3, b'a', b'b', b'c'], &Type::Number).is_err());
    }

    #[test]
    fn objects_need_every_attribute() {
        let ty = Type::object([("a", Type::String), ("b", Type::Bool)]);
        let partial = encode(
            &Value::map([("a", Value::from("x"))]),
            &Type::map(Type::String),
        )
        .unwrap();
        let e = decode(&partial, &ty).unwrap_err();
        assert!(
            e.message.contains("2 attributes is required (1 given)"),
            "{e}"
        );
        let wrong = encode(
            &Value::map([("a", Value::from("x")), ("c", Value::from("y"))]),
            &Type::map(Type::String),
        )
        .unwrap();
        assert!(
            decode(&wrong, &ty)
                .unwrap_err()
                .message
                .contains("unsupported attribute")
        );
        // Missing attributes are written as nil on output.
        let full = encode(&Value::object([("a", Value::from("x"))]), &ty).unwrap();
        assert_eq!(
            decode(&full, &ty).unwrap(),
            Value::object([("a", Value::from("x")), ("b", Value::Null)])
        );
    }

    #[test]
    fn errors_carry_paths() {
        let ty = Type::object([("l", Type::list(Type::object([("n", Type::Number)])))]);
        let v = Value::object([(
            "l",
            Value::List(vec![Value::object([("n", Value::from("x"))])]),
        )]);
        let e = encode(&v, &ty).unwrap_err();
        assert_eq!(e.path.to_string(), "l[0].n");
        let bad = encode(
            &v,
            &Type::object([("l", Type::list(Type::object([("n", Type::String)])))]),
        )
        .unwrap();
        assert_eq!(decode(&bad, &ty).unwrap_err().path.to_string(), "l[0].n");
    }

    #[test]
    fn malformed_input_is_an_error() {
        for bad in [
            &[][..],
            &[0x92, 0x01],
            &[0xdd, 0xff, 0xff, 0xff, 0xff],
            &[0x01, 0x02],
            &[0xa2, 0xff, 0xfe],
        ] {
            assert!(decode(bad, &Type::list(Type::String)).is_err(), "{bad:?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n(0x91, 100_000).chain([0x01]).collect();
        assert!(decode(&deep, &Type::Dynamic).is_err());
        let mut ty = Type::String;
        for _ in 0..(MAX_DEPTH + 5) {
            ty = Type::list(ty);
        }
        let deep_list: Vec<u8> = std::iter::repeat_n(0x91, MAX_DEPTH + 5)
            .chain([0xa1, b'x'])
            .collect();
        assert!(decode(&deep_list, &ty).is_err());
    }
}
