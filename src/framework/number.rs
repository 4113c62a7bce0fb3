//! Arbitrary-precision cty numbers.
//!
//! cty numbers are big floats. [`Number`] keeps every number Terraform can send without loss, in a
//! unique normal form (so `==` is numeric equality):
//!
//! * an integer that fits `i64` is `I64`;
//! * otherwise a value exactly representable as `f64` is `F64` (including ±infinity);
//! * otherwise an integer that fits `u64` is `U64`;
//! * otherwise `Big`, a canonical decimal string (`1.25`, `123e400`).
//!
//! NaN is not a number in cty and cannot be constructed.

use std::fmt;

/// A cty number. See the module docs for the normal form.
#[derive(Clone, PartialEq)]
pub struct Number(Repr);

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    I64(i64),
    F64(f64),
    U64(u64),
    Big(String),
}

impl Eq for Number {}

/// A string that is not a decimal number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid number {0:?}")]
pub struct ParseNumberError(pub String);

/// Largest exponent magnitude accepted when parsing, far beyond anything Terraform produces.
const MAX_EXP: i64 = 1_000_000;

impl Number {
    /// From a signed integer.
    pub fn from_i64(i: i64) -> Self {
        Number(Repr::I64(i))
    }

    /// From an unsigned integer.
    pub fn from_u64(u: u64) -> Self {
        if let Ok(i) = i64::try_from(u) {
            return Number(Repr::I64(i));
        }
        let f = u as f64;
        if f as u128 == u as u128 {
            Number(Repr::F64(f))
        } else {
            Number(Repr::U64(u))
        }
    }

    /// From a float; `None` for NaN.
    pub fn from_f64(f: f64) -> Option<Self> {
        if f.is_nan() {
            return None;
        }
        if f.fract() == 0.0
            && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
        {
            return Some(Number(Repr::I64(f as i64)));
        }
        Some(Number(Repr::F64(f)))
    }

    /// Parses a decimal number (`-12`, `1.5`, `6.02e23`; leading zeros tolerated).
    pub fn parse(s: &str) -> Result<Self, ParseNumberError> {
        let d = Decimal::parse(s).ok_or_else(|| ParseNumberError(truncate(s)))?;
        Ok(Self::from_decimal(&d))
    }

    fn from_decimal(d: &Decimal) -> Self {
        if d.digits == "0" {
            return Number(Repr::I64(0));
        }
        let n = d.digits.len() as i64;
        let small_int = d.exp >= 0 && n + d.exp <= 20;
        let int_val: Option<i128> = if small_int {
            let mut text = d.digits.clone();
            text.extend(std::iter::repeat_n('0', d.exp as usize));
            text.parse::<i128>()
                .ok()
                .map(|v| if d.neg { -v } else { v })
        } else {
            None
        };
        if let Some(v) = int_val
            && let Ok(i) = i64::try_from(v)
        {
            return Number(Repr::I64(i));
        }
        let canon = d.to_string();
        if let Ok(f) = canon.parse::<f64>()
            && f.is_finite()
            && exact_f64_text(f).as_deref() == Some(canon.as_str())
        {
            return Number(Repr::F64(f));
        }
        if let Some(v) = int_val
            && let Ok(u) = u64::try_from(v)
        {
            return Number(Repr::U64(u));
        }
        Number(Repr::Big(canon))
    }

    /// The value as `i64` if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::I64(i) => Some(i),
            _ => None,
        }
    }

    /// The value as `u64` if it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            Repr::I64(i) => u64::try_from(i).ok(),
            Repr::U64(u) => Some(u),
            Repr::F64(f)
                if f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f) =>
            {
                Some(f as u64)
            }
            _ => None,
        }
    }

    /// The nearest `f64` (lossy for big decimals).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::I64(i) => *i as f64,
            Repr::U64(u) => *u as f64,
            Repr::F64(f) => *f,
            Repr::Big(s) => s.parse::<f64>().unwrap_or(f64::NAN),
        }
    }

    /// True if the value is an integer (of any size).
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::I64(_) | Repr::U64(_) => true,
            Repr::F64(f) => f.is_finite() && f.fract() == 0.0,
            Repr::Big(s) => Decimal::parse(s).is_some_and(|d| d.exp >= 0),
        }
    }

    /// How msgpack should carry this number (cty rules).
    pub(crate) fn wire(&self) -> WireNumber<'_> {
        match &self.0 {
            Repr::I64(i) => WireNumber::I64(*i),
            Repr::U64(u) => WireNumber::U64(*u),
            Repr::F64(f) => WireNumber::F64(*f),
            Repr::Big(s) => WireNumber::Str(s),
        }
    }

    /// Exact JSON number text; `None` for infinities (not representable in JSON).
    pub fn to_json_text(&self) -> Option<String> {
        match &self.0 {
            Repr::I64(i) => Some(i.to_string()),
            Repr::U64(u) => Some(u.to_string()),
            Repr::F64(f) => exact_f64_text(*f),
            Repr::Big(s) => Some(s.clone()),
        }
    }
}

/// Wire form of a number for the msgpack encoder.
pub(crate) enum WireNumber<'a> {
    I64(i64),
    U64(u64),
    F64(f64),
    Str(&'a str),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::I64(i) => write!(f, "{i}"),
            Repr::U64(u) => write!(f, "{u}"),
            Repr::F64(x) => write!(f, "{x}"),
            Repr::Big(s) => f.write_str(s),
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::from_i64(i)
    }
}
impl From<i32> for Number {
    fn from(i: i32) -> Self {
        Number::from_i64(i.into())
    }
}
impl From<u32> for Number {
    fn from(i: u32) -> Self {
        Number::from_i64(i.into())
    }
}
impl From<u64> for Number {
    fn from(u: u64) -> Self {
        Number::from_u64(u)
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The exact decimal expansion of a finite f64, in canonical form.
fn exact_f64_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let frac_digits = f64_fraction_digits(f);
    let text = format!("{f:.frac_digits$}");
    Decimal::parse(&text).map(|d| d.to_string())
}

/// Number of decimal fraction digits in the exact expansion of a finite f64.
fn f64_fraction_digits(f: f64) -> usize {
    if f == 0.0 || f.fract() == 0.0 {
        return 0;
    }
    let bits = f.to_bits();
    let exp_field = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    let mut exp = if exp_field == 0 {
        -1074
    } else {
        mant |= 1u64 << 52;
        exp_field - 1075
    };
    if mant == 0 {
        return 0;
    }
    let tz = mant.trailing_zeros() as i64;
    exp += tz;
    if exp >= 0 { 0 } else { (-exp) as usize }
}

/// A parsed decimal: `(-1)^neg × digits × 10^exp`, digits without leading/trailing zeros
/// ("0" for zero, then `exp == 0` and `neg == false`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    neg: bool,
    digits: String,
    exp: i64,
}

impl Decimal {
    fn parse(s: &str) -> Option<Decimal> {
        let bytes = s.as_bytes();
        let mut i = 0;
        let neg = bytes.first() == Some(&b'-');
        if neg {
            i += 1;
        }
        let int_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &s[int_start..i];
        if int_part.is_empty() {
            return None;
        }
        let mut frac_part = "";
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let fs = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &s[fs..i];
            if frac_part.is_empty() {
                return None;
            }
        }
        let mut exp: i64 = 0;
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            i += 1;
            let mut eneg = false;
            if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
                eneg = bytes[i] == b'-';
                i += 1;
            }
            let es = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                exp = exp
                    .checked_mul(10)?
                    .checked_add(i64::from(bytes[i] - b'0'))?;
                if exp > MAX_EXP {
                    return None;
                }
                i += 1;
            }
            if i == es {
                return None;
            }
            if eneg {
                exp = -exp;
            }
        }
        if i != bytes.len() {
            return None;
        }
        let mut digits: String = format!("{int_part}{frac_part}");
        exp -= frac_part.len() as i64;
        let trimmed_lead = digits.trim_start_matches('0').len();
        digits.drain(..digits.len() - trimmed_lead);
        if digits.is_empty() {
            return Some(Decimal {
                neg: false,
                digits: "0".into(),
                exp: 0,
            });
        }
        let trimmed = digits.trim_end_matches('0').len();
        exp += (digits.len() - trimmed) as i64;
        digits.truncate(trimmed);
        if digits.len() as i64 > 4 * MAX_EXP {
            return None;
        }
        Some(Decimal { neg, digits, exp })
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.neg {
            f.write_str("-")?;
        }
        let n = self.digits.len() as i64;
        let e = self.exp;
        if (0..=21).contains(&e) {
            f.write_str(&self.digits)?;
            for _ in 0..e {
                f.write_str("0")?;
            }
            Ok(())
        } else if e < 0 && -e <= n + 1100 {
            let point = n + e;
            if point > 0 {
                let (a, b) = self.digits.split_at(point as usize);
                write!(f, "{a}.{b}")
            } else {
                f.write_str("0.")?;
                for _ in 0..(-point) {
                    f.write_str("0")?;
                }
                f.write_str(&self.digits)
            }
        } else {
            let (a, b) = self.digits.split_at(1);
            let sci = e + n - 1;
            if b.is_empty() {
                write!(f, "{a}e{sci}")
            } else {
                write!(f, "{a}.{b}e{sci}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form_makes_equal_numbers_equal() {
        assert_eq!(Number::parse("42").unwrap(), Number::from_i64(42));
        assert_eq!(Number::parse("4.2e1").unwrap(), Number::from_i64(42));
        assert_eq!(Number::parse("-0").unwrap(), Number::from_i64(0));
        assert_eq!(Number::from_f64(42.0).unwrap(), Number::from_i64(42));
        assert_eq!(
            Number::parse("1.5").unwrap(),
            Number::from_f64(1.5).unwrap()
        );
        assert_eq!(
            Number::from_u64(1 << 63),
            Number::from_f64(2f64.powi(63)).unwrap()
        );
        assert_eq!(
            Number::parse("18446744073709551615").unwrap(),
            Number::from_u64(u64::MAX)
        );
        assert!(Number::from_f64(f64::NAN).is_none());
    }

    #[test]
    fn decimal_that_is_not_a_float_stays_decimal() {
        let n = Number::parse("0.1").unwrap();
        assert_ne!(n, Number::from_f64(0.1).unwrap());
        assert_eq!(n.to_json_text().unwrap(), "0.1");
        let big = Number::parse("123456789012345678901234567890.000000000000000000001").unwrap();
        assert_eq!(
            big.to_json_text().unwrap(),
            "123456789012345678901234567890.000000000000000000001"
        );
        assert_eq!(
            Number::parse("1e400").unwrap().to_json_text().unwrap(),
            "1e400"
        );
    }

    #[test]
    fn float_json_text_round_trips_exactly() {
        for f in [
            0.1,
            -2.5e-300,
            1e300,
            std::f64::consts::PI,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            let n = Number::from_f64(f).unwrap();
            let back = Number::parse(&n.to_json_text().unwrap()).unwrap();
            assert_eq!(back, n, "{f}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "0x10",
            "1 ",
            "NaN",
            "1e99999999999999999999",
        ] {
            assert!(Number::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn accessors() {
        assert_eq!(Number::from_i64(-3).as_u64(), None);
        assert_eq!(Number::from_u64(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Number::parse("2.5").unwrap().as_i64(), None);
        assert!(Number::parse("1e30").unwrap().is_integer());
        assert!(!Number::parse("0.1").unwrap().is_integer());
    }
}
