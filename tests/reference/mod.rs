//! The reference the shipped decoders (`mp_session::codec`) are held to, and the two places
//! they differ from it on purpose. Shared by `tests/codec.rs` and the fuzz targets
//! (`fuzz/fuzz_targets/common.rs` includes this file), so both judge by the same rules.
#![allow(dead_code)] // each user takes what it needs

/// `T` as the reference reads it (serde_json with the serde derives): an object only, nothing
/// after it. The shipped decoders (`mp_session::codec`) must agree with it.
pub fn reference<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = mp_session::decode::decode_object::<T, _>(&mut deserializer).ok()?;
    deserializer.end().ok().map(|()| value)
}

/// Numbers read by the two decoders: equal to within a rounding error.
pub fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-12 * a.abs().max(1.0),
        _ => false,
    }
}

/// Deep nesting: both decoders refuse it, at slightly different depths.
pub fn too_deep(text: &str) -> bool {
    text.bytes().filter(|b| *b == b'[' || *b == b'{').count() > 100
}

/// The one place the reference is more lenient on purpose: serde's derive also reads a
/// nested struct from an array (`"userInfo": []` as a tuple); the core, as every release
/// before, reads `userInfo` only from an object. (Read with the derive, which skips the other
/// fields unparsed, as the reference does: a `Value` would refuse an out-of-range number.)
pub fn user_info_as_array(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct UserInfoField {
        #[serde(rename = "userInfo", default)]
        user_info: Option<serde_json::Value>,
    }
    serde_json::from_str::<UserInfoField>(text)
        .ok()
        .and_then(|probe| probe.user_info)
        .is_some_and(|value| value.is_array())
}

/// The one place the core is stricter on purpose: a `\u` escape of a lone surrogate is
/// refused wherever it stands; serde refuses it only in a string it reads, and skips it in a
/// field it ignores.
pub fn lone_surrogate_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    // The code unit of a `\u` escape at `at`, if one is there.
    let unit = |at: usize| {
        let hex = bytes.get(at + 2..at + 6)?;
        (bytes.get(at..at + 2) == Some(b"\\u"))
            .then(|| u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok())?
    };
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        match unit(at) {
            Some(0xD800..=0xDBFF) if matches!(unit(at + 6), Some(0xDC00..=0xDFFF)) => at += 12,
            Some(0xD800..=0xDFFF) => return true,
            Some(_) => at += 6,
            None => at += 2,
        }
    }
    false
}

/// The value JavaScript's `JSON.parse` makes of the same text, as `mp_session::wire::script`
/// takes it: numbers are doubles, a key given twice keeps its last value.
pub fn js_value(value: &serde_json::Value) -> mp_session::wire::script::Value {
    use mp_session::wire::script::Value;
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
