//! Property tests for the codecs: no input panics a decoder, and generated values of generated
//! types round-trip through msgpack and JSON.

use super::number::Number;
use super::types::Type;
use super::value::Value;
use super::{json, msgpack};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}"
}

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::Bool),
        Just(Type::Number),
        Just(Type::String),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map(name(), inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number(json: bool) -> BoxedStrategy<Number> {
    let finite = prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<u64>().prop_map(Number::from_u64),
        any::<f64>().prop_filter_map("finite", |f| f
            .is_finite()
            .then(|| Number::from_f64(f))
            .flatten()),
        ("-?[0-9]{1,30}(\\.[0-9]{1,30})?(e-?[0-9]{1,3})?")
            .prop_filter_map("decimal", |s| Number::parse(&s).ok()),
    ];
    if json {
        finite.boxed()
    } else {
        prop_oneof![
            9 => finite,
            1 => prop_oneof![Just(f64::INFINITY), Just(f64::NEG_INFINITY)]
                .prop_filter_map("inf", Number::from_f64),
        ]
        .boxed()
    }
}

/// A value of type `ty`; `unknowns` allows `Value::Unknown` (msgpack only).
fn arb_value(ty: &Type, unknowns: bool, depth: u32) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number(!unknowns).prop_map(Value::Number).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Dynamic => {
            if depth > 2 {
                any::<String>().prop_map(Value::String).boxed()
            } else {
                // cty collections are homogeneous: a dynamic slot holds one concrete type.
                arb_type()
                    .prop_filter("concrete", |t| !t.has_dynamic())
                    .prop_flat_map(move |t| arb_value(&t, unknowns, depth + 1))
                    .boxed()
            }
        }
        Type::List(et) => prop::collection::vec(arb_value(et, unknowns, depth + 1), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(et) => prop::collection::vec(arb_value(et, unknowns, depth + 1), 0..3)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(et) => {
            prop::collection::btree_map(any::<String>(), arb_value(et, unknowns, depth + 1), 0..3)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attrs) => {
            let parts: Vec<(String, BoxedStrategy<Value>)> = attrs
                .iter()
                .map(|(k, t)| (k.clone(), arb_value(t, unknowns, depth + 1)))
                .collect();
            let keys: Vec<String> = parts.iter().map(|(k, _)| k.clone()).collect();
            let strats: Vec<BoxedStrategy<Value>> = parts.into_iter().map(|(_, s)| s).collect();
            strats
                .prop_map(move |vals| {
                    Value::Object(keys.iter().cloned().zip(vals).collect::<BTreeMap<_, _>>())
                })
                .boxed()
        }
        Type::Tuple(ets) => {
            let strats: Vec<BoxedStrategy<Value>> = ets
                .iter()
                .map(|t| arb_value(t, unknowns, depth + 1))
                .collect();
            strats.prop_map(Value::Tuple).boxed()
        }
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |t| {
        let v = arb_value(&t, unknowns, 0);
        (Just(t), v)
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        // Regression files would land outside src/framework; failures print the minimal input.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn msgpack_arbitrary_bytes_never_panic(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = msgpack::decode(&bytes, &ty);
        let _ = msgpack::decode(&bytes, &Type::Dynamic);
    }

    #[test]
    fn json_arbitrary_bytes_never_panic(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = json::decode(&bytes, &ty);
        let _ = json::decode_lenient(&bytes, &ty);
    }

    #[test]
    fn json_arbitrary_text_never_panics(ty in arb_type(), s in "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,64}") {
        let _ = json::decode(s.as_bytes(), &ty);
        let _ = json::decode(s.as_bytes(), &Type::Dynamic);
    }

    #[test]
    fn msgpack_round_trips((ty, v) in typed_value(true)) {
        let bytes = msgpack::encode(&v, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = msgpack::decode(&bytes, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, v);
    }

    #[test]
    fn json_round_trips((ty, v) in typed_value(false)) {
        let bytes = json::encode(&v, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = json::decode(&bytes, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, v);
    }

    #[test]
    fn mutated_msgpack_never_panics((ty, v) in typed_value(true), flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
        let mut bytes = msgpack::encode(&v, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (i, b) in flips {
            if !bytes.is_empty() {
                let n = bytes.len();
                bytes[i % n] = b;
            }
        }
        let _ = msgpack::decode(&bytes, &ty);
    }

    #[test]
    fn truncated_json_never_panics((ty, v) in typed_value(false), cut in any::<usize>()) {
        let bytes = json::encode(&v, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let n = cut % bytes.len().max(1);
        let truncated = &bytes[..n];
        // Any strict prefix of a JSON document is either invalid or a different complete
        // number; in no case may decoding panic.
        let _ = json::decode(truncated, &ty);
    }

    #[test]
    fn type_json_round_trips(ty in arb_type()) {
        prop_assert_eq!(Type::from_json_bytes(&ty.to_json_bytes()).ok(), Some(ty));
    }

    #[test]
    fn number_text_round_trips(n in arb_number(true)) {
        let text = n.to_json_text().ok_or_else(|| TestCaseError::fail("finite"))?;
        prop_assert_eq!(Number::parse(&text).ok(), Some(n));
    }
}
