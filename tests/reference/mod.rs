//! The reference the core's decoders (`mp_session::wire::facts`, fed by JavaScript's half
//! `mp_session::testing::script`) are held to, and the two places they differ from it on
//! purpose (`userInfo` read only from an object, and a value wider than the exchange's slots). Shared by `tests/facts.rs` and the fuzz targets (`fuzz/fuzz_targets/common.rs`
//! includes this file), so both judge by the same rules.
//!
//! What the core judges is a JavaScript value: the stored value storage hands back, or what
//! `JSON.parse` made of the backend's answer. The reference is `serde_json` with the serde
//! derives, reading that value as `JSON.stringify` writes it. So a key given twice counts once
//! (its last value, as `JSON.parse` keeps it) and `1.0` is the whole number 1, on both sides.
#![allow(dead_code)] // each user takes what it needs

use mp_session::testing::script::Value;

/// `T` as the reference reads it (serde_json with the serde derives): an object only, nothing
/// after it.
pub fn reference<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = mp_session::decode::decode_object::<T, _>(&mut deserializer).ok()?;
    deserializer.end().ok().map(|()| value)
}

/// The value JavaScript's `JSON.parse` makes of `text`, when serde_json reads it as a value
/// too (it refuses a few texts `JSON.parse` takes: a number beyond a double, a lone surrogate
/// escape; those are left out).
pub fn parsed(text: &str) -> Option<Value> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .map(|v| js_value(&v))
}

/// The value JavaScript's `JSON.parse` makes of the same text, as `mp_session::testing::script`
/// takes it: numbers are doubles, a key given twice keeps its last value.
pub fn js_value(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::string(s),
        serde_json::Value::Array(items) => Value::Array(items.iter().map(js_value).collect()),
        serde_json::Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), js_value(v))).collect())
        }
    }
}

/// `value` as `JSON.stringify` writes it: a whole number as an integer (digits exact, where
/// JavaScript rounds those beyond 2^53 to its shortest form: the same number), any other
/// finite number as its shortest form, a number that is not finite as `null`.
pub fn stringify(value: &Value) -> String {
    match value {
        Value::Absent | Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if !n.is_finite() => "null".into(),
        Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 18_446_744_073_709_551_616.0 => {
            (*n as u64).to_string()
        }
        Value::Number(n) if n.fract() == 0.0 && *n < 0.0 && *n >= -9_223_372_036_854_775_808.0 => {
            (*n as i64).to_string()
        }
        Value::Number(n) => serde_json::to_string(n).unwrap_or_else(|_| "null".into()),
        Value::String(units) => serde_json::to_string(&String::from_utf16_lossy(units)).unwrap(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(stringify).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .filter(|(_, v)| *v != Value::Absent)
                .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), stringify(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    }
}

/// Numbers read by the two decoders: equal to within a rounding error.
/// Whether the core's answer and the reference's say the same, every field compared (numbers
/// by [`close`]). `expiresAt`, an envelope and a cookie's lifetime come only from
/// `login.answer`, which the reference does not read: they are none on both sides. A field added to `Answer` is a
/// compile error here until it is compared.
pub fn answers_agree(a: &mp_session::Answer, b: &mp_session::Answer) -> bool {
    let mp_session::Answer {
        openid,
        user_id,
        expires_at,
        envelope,
        unionid,
        token,
        cookie_max_age,
        cookie_expires,
        expires_in,
        expires_in_camel,
        user_info,
        errcode,
        error,
    } = a;
    (
        openid, user_id, unionid, token, user_info, error, expires_at, envelope,
    ) == (
        &b.openid,
        &b.user_id,
        &b.unionid,
        &b.token,
        &b.user_info,
        &b.error,
        &b.expires_at,
        &b.envelope,
    ) && close(*expires_in, b.expires_in)
        && close(*expires_in_camel, b.expires_in_camel)
        && close(*errcode, b.errcode)
        && close(*cookie_max_age, b.cookie_max_age)
        && close(*cookie_expires, b.cookie_expires)
}

pub fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-12 * a.abs().max(1.0),
        _ => false,
    }
}

/// Deep nesting: serde refuses it.
pub fn too_deep(text: &str) -> bool {
    text.bytes().filter(|b| *b == b'[' || *b == b'{').count() > 100
}

/// Whether the value's objects and arrays all find room in the slots, described as a stored
/// record or options are: beyond that the core is given an object without its entries and
/// reads it as unreadable, where serde reads any width (the other difference on purpose).
pub fn fits(value: &Value) -> bool {
    mp_session::testing::script::fits(&[value])
}

/// The same for a backend's answer, whose `error` is described a second time.
pub fn answer_fits(value: &Value) -> bool {
    mp_session::testing::script::fits(&[value, value.get("error")])
}

/// The one place the reference is more lenient on purpose: serde's derive also reads a
/// nested struct from an array (`"userInfo": []` as a tuple); the core, as every release
/// before, reads `userInfo` only from an object.
pub fn user_info_as_array(value: &Value) -> bool {
    matches!(value.get("userInfo"), Value::Array(_))
}

/// The options as the core's half reads them: the shim's own options (its hooks, `api`,
/// `wasmPath`, `encryptStorage`, `fallback`) are known to the core and left to the shim, where
/// `Options`' derive, which has no field for them, refuses them. The reference reads the rest.
pub fn without_shim_options(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(key, _)| !mp_session::wire::layout::fields::SHIM_OPTIONS.contains(&key.as_str()))
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    }
}
