//! JSON, as small as the shipped module needs it: a parser into [`Json`] values, a writer for
//! strings, and field access that says which field is wrong.
//!
//! Every value that crosses between JavaScript and the core crosses as one JSON text, read
//! once here. serde's derives stay the crate's data model (and `serde_json` the reference the
//! tests compare against), but their decoders would cost the WeChat build more than the whole
//! flow, so outside data is decoded by hand from these values.

use std::borrow::Cow;

/// Deepest nesting read, as `serde_json`'s: the core's own values are three levels deep.
const MAX_DEPTH: u32 = 127;

/// A parsed JSON value. Objects keep their fields in order, duplicates included.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// A number, and its exact value when it was written as an integer (no fraction, no
    /// exponent) that fits a `u64`: only those are whole numbers to `serde_json`, and so to
    /// these decoders.
    Number(f64, Option<u64>),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Parses one JSON text; `None` when it is not exactly one well-formed value.
pub(crate) fn parse(text: &str) -> Option<Json> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = parser.value(0)?;
    parser.space();
    (parser.at == parser.bytes.len()).then_some(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline(always)]
    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Option<Json> {
        let end = self.at.checked_add(word.len())?;
        (self.bytes.get(self.at..end)? == word).then(|| {
            self.at = end;
            value
        })
    }

    fn value(&mut self, depth: u32) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.space();
        match self.peek()? {
            b'n' => self.literal(b"null", Json::Null),
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Array(items))
            }
            b'{' => {
                self.at += 1;
                // A record has seven fields: room for them at once.
                let mut fields = Vec::with_capacity(8);
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        fields.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Json::Object(fields))
            }
            _ => self.number(),
        }
    }

    #[inline(always)]
    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    /// A JSON number. Integers below 2^53 are exact; others are within a rounding error,
    /// which is all the core's checks need (it keeps whole numbers only).
    fn number(&mut self) -> Option<Json> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let int_start = self.at;
        let int_digits = self.digits();
        if int_digits == 0 || (int_digits > 1 && self.bytes[int_start] == b'0') {
            return None;
        }
        let int_end = self.at;
        let mut frac = int_end..int_end;
        if self.peek() == Some(b'.') {
            self.at += 1;
            let start = self.at;
            if self.digits() == 0 {
                return None;
            }
            frac = start..self.at;
        }
        let mut scale: i32 = 0;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            let minus = self.peek() == Some(b'-');
            if matches!(self.peek(), Some(b'-' | b'+')) {
                self.at += 1;
            }
            let start = self.at;
            if self.digits() == 0 {
                return None;
            }
            for &d in &self.bytes[start..self.at] {
                scale = scale.saturating_mul(10).saturating_add(i32::from(d - b'0'));
            }
            if minus {
                scale = -scale;
            }
        }
        // The first 18 significant digits as an integer; the rest only move the scale.
        let mut mantissa: u64 = 0;
        for &d in &self.bytes[int_start..int_end] {
            if mantissa < 100_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(d - b'0');
            } else {
                scale = scale.saturating_add(1);
            }
        }
        for &d in &self.bytes[frac] {
            if mantissa < 100_000_000_000_000_000 {
                mantissa = mantissa * 10 + u64::from(d - b'0');
                scale = scale.saturating_sub(1);
            }
        }
        let mut value = mantissa as f64;
        if mantissa != 0 && scale > 0 {
            value *= 10f64.powi(scale.min(400));
        } else if mantissa != 0 && scale < 0 {
            value /= 10f64.powi((-scale).min(400));
        }
        let mut exact = None;
        if self.at == int_end {
            exact = Some(0u64);
            for &d in &self.bytes[int_start..int_end] {
                exact = exact.and_then(|n| n.checked_mul(10)?.checked_add(u64::from(d - b'0')));
            }
            if negative && exact != Some(0) {
                exact = None;
            }
        }
        Some(Json::Number(if negative { -value } else { value }, exact))
    }

    fn hex4(&mut self) -> Option<u32> {
        let end = self.at.checked_add(4)?;
        let digits = self.bytes.get(self.at..end)?;
        let mut value = 0;
        for &d in digits {
            value = value * 16 + char::from(d).to_digit(16)?;
        }
        self.at = end;
        Some(value)
    }

    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.at += 1;
        let mut out: Option<String> = None;
        loop {
            // A run of plain characters; it stops only at ASCII bytes, so it is a whole
            // `str` slice, copied at once.
            let run = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            let plain = self.text.get(run..self.at)?;
            let end = self.peek()?;
            self.at += 1;
            match (end, &mut out) {
                // Most strings have no escape: one copy, of the right size.
                (b'"', None) => return Some(plain.to_owned()),
                (b'"', Some(out)) => {
                    out.push_str(plain);
                    return Some(std::mem::take(out));
                }
                (b'\\', _) => {
                    let out = out.get_or_insert_with(String::new);
                    out.push_str(plain);
                    let escaped = self.peek()?;
                    self.at += 1;
                    out.push(match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return None,
                    });
                }
                _ => return None, // a raw control character
            }
        }
    }

    /// The character of a `\u` escape (the `\u` already read), joining a surrogate pair; a
    /// lone surrogate is refused, as `serde_json` refuses it.
    fn escaped_char(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) && self.bytes.get(self.at..self.at + 2) == Some(b"\\u") {
            self.at += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                return char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00));
            }
            return None;
        }
        char::from_u32(first)
    }
}

/// Appends `text` as a JSON string. Only what JSON requires is escaped: the result is as
/// short as the text allows.
pub(crate) fn push_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        if byte != b'"' && byte != b'\\' && byte >= 0x20 {
            continue;
        }
        // Bytes below 0x80 are whole characters: the runs around them are whole `str`s.
        out.push_str(text.get(run..at).unwrap_or_default());
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                crate::core::digits::push_hex(out, byte, false);
            }
        }
        run = at + 1;
    }
    out.push_str(text.get(run..).unwrap_or_default());
    out.push('"');
}

/// Appends `"name":`, after a comma unless it is the object's first field.
pub(crate) fn push_key(out: &mut String, name: &str) {
    if !out.ends_with('{') {
        out.push(',');
    }
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
}

/// Appends `text` as a JSON string, or `null`.
pub(crate) fn push_opt_string(out: &mut String, text: Option<&str>) {
    match text {
        Some(text) => push_string(out, text),
        None => out.push_str("null"),
    }
}

/// Why a value did not decode: which field (a path such as `userInfo.nickName`) and what.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Wrong {
    pub(crate) field: Option<String>,
    pub(crate) problem: Cow<'static, str>,
}

impl Wrong {
    pub(crate) fn new(problem: impl Into<Cow<'static, str>>) -> Wrong {
        Wrong {
            field: None,
            problem: problem.into(),
        }
    }

    fn in_field(mut self, name: &str) -> Wrong {
        let mut path = String::from(name);
        if let Some(inner) = self.field.take() {
            path.push('.');
            path.push_str(&inner);
        }
        self.field = Some(path);
        self
    }

    /// "`field` what is wrong".
    pub(crate) fn describe(&self) -> String {
        let mut text = String::new();
        if let Some(field) = &self.field {
            text.push_str(field);
            text.push(' ');
        }
        text.push_str(&self.problem);
        text
    }
}

/// The fields of a JSON object, read one by one by name.
pub(crate) struct Fields<'a> {
    fields: &'a [(String, Json)],
}

impl<'a> Fields<'a> {
    /// The fields of `value`, which must be an object. `known` lists the names allowed, or
    /// is `None` when unknown fields are ignored.
    pub(crate) fn of(value: &'a Json, known: Option<&[&str]>) -> Result<Fields<'a>, Wrong> {
        let Json::Object(fields) = value else {
            return Err(Wrong::new("must be an object"));
        };
        if let Some(known) = known {
            if let Some((name, _)) = fields.iter().find(|(name, _)| !known.contains(&name.as_str())) {
                let mut problem = String::from("is not a known field; expected one of ");
                for (i, name) in known.iter().enumerate() {
                    problem.push_str(if i == 0 { "" } else { ", " });
                    problem.push_str(name);
                }
                return Err(Wrong::new(problem).in_field(name));
            }
        }
        Ok(Fields { fields })
    }

    /// The field `name`, unless it is absent or `null`; a field given twice is an error.
    fn get(&self, name: &str) -> Result<Option<&'a Json>, Wrong> {
        let mut found = self
            .fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value);
        let first = found.next();
        if found.next().is_some() {
            return Err(Wrong::new("appears twice").in_field(name));
        }
        Ok(first.filter(|value| **value != Json::Null))
    }

    /// An optional field decoded by `decode`; its error names the field.
    pub(crate) fn read<T>(
        &self,
        name: &str,
        decode: impl FnOnce(&'a Json) -> Result<T, Wrong>,
    ) -> Result<Option<T>, Wrong> {
        match self.get(name)? {
            None => Ok(None),
            Some(value) => decode(value).map(Some).map_err(|wrong| wrong.in_field(name)),
        }
    }

    /// An optional string field.
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, Wrong> {
        self.read(name, string)
    }

    /// An optional number field.
    pub(crate) fn number(&self, name: &str) -> Result<Option<f64>, Wrong> {
        self.read(name, number)
    }

    /// A required whole number field, `0..=max`.
    pub(crate) fn whole(&self, name: &str, max: u64) -> Result<u64, Wrong> {
        match self.read(name, |value| whole(value, max))? {
            Some(n) => Ok(n),
            None => Err(Wrong::new("is required").in_field(name)),
        }
    }
}

/// A string value.
pub(crate) fn string(value: &Json) -> Result<String, Wrong> {
    match value {
        Json::String(text) => Ok(text.clone()),
        _ => Err(Wrong::new("must be a string")),
    }
}

/// A number value.
pub(crate) fn number(value: &Json) -> Result<f64, Wrong> {
    match value {
        // As serde_json: a number beyond the largest f64 is well-formed JSON, but no number.
        Json::Number(n, _) if n.is_infinite() => Err(Wrong::new("is out of range")),
        Json::Number(n, _) => Ok(*n),
        _ => Err(Wrong::new("must be a number")),
    }
}

/// A whole, non-negative number no larger than `max`, written as an integer.
pub(crate) fn whole(value: &Json, max: u64) -> Result<u64, Wrong> {
    number(value)?;
    match value {
        Json::Number(_, Some(n)) if *n <= max => Ok(*n),
        _ => Err(Wrong::new("must be a whole number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_json_stringify_writes() {
        let value = parse(r#" {"a":[1,-2.5,3e2,true,false,null],"b":"x\"\\\/\n\u00e9\ud83d\ude00","c":{}} "#);
        let Some(Json::Object(fields)) = value else {
            panic!("{value:?}")
        };
        assert_eq!(
            fields[0].1,
            Json::Array(vec![
                Json::Number(1.0, Some(1)),
                Json::Number(-2.5, None),
                Json::Number(300.0, None),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ])
        );
        assert_eq!(fields[1].1, Json::String("x\"\\/\né😀".into()));
        assert_eq!(fields[2].1, Json::Object(Vec::new()));
    }

    #[test]
    fn integers_up_to_2_pow_53_are_exact() {
        for n in [0u64, 7, 1_767_225_600_000, (1 << 53) - 1] {
            assert_eq!(parse(&n.to_string()), Some(Json::Number(n as f64, Some(n))));
        }
        assert_eq!(parse("0.001"), Some(Json::Number(0.001, None)));
        assert_eq!(parse("1.5e3"), Some(Json::Number(1500.0, None)));
        assert_eq!(parse("-0"), Some(Json::Number(-0.0, Some(0))));
        assert_eq!(
            parse("18446744073709551616"),
            Some(Json::Number(18446744073709551616.0, None))
        );
        assert!(matches!(parse("1e400"), Some(Json::Number(n, None)) if n.is_infinite()));
        assert!(
            number(&parse("-1e400").unwrap()).is_err(),
            "out of range, as serde_json says"
        );
    }

    #[test]
    fn refuses_what_is_not_one_well_formed_value() {
        for text in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "1e",
            "\"\u{1}\"",
            "\"abc",
            "nul",
            "{} {}",
            "{'a':1}",
            "[1 2]",
            "\"\\x\"",
            "\"\\u12\"",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(parse(&deep), None, "nesting is bounded");
    }

    #[test]
    fn a_lone_surrogate_is_refused_as_serde_json_refuses_it() {
        assert_eq!(parse(r#""\ud800x""#), None);
        assert_eq!(parse(r#""\udc00""#), None);
        assert_eq!(parse(r#""\ud83d\ude00""#), Some(Json::String("😀".into())));
    }

    #[test]
    fn strings_are_written_back_as_parsed() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "tab\tnew\nline\u{1}",
            "小明 😀",
        ] {
            let mut out = String::new();
            push_string(&mut out, text);
            assert_eq!(parse(&out), Some(Json::String(text.into())), "{out}");
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
        }
    }

    #[test]
    fn fields_name_what_is_wrong() {
        let value = parse(r#"{"a":1,"b":"x","a":2}"#).unwrap();
        let fields = Fields::of(&value, None).unwrap();
        assert_eq!(fields.number("a").unwrap_err().describe(), "a appears twice");
        assert_eq!(
            fields.string("b"),
            Ok(Some("x".into())),
            "only a field read twice is refused"
        );
        let value = parse(r#"{"lognUrl":1}"#).unwrap();
        let wrong = Fields::of(&value, Some(&["loginUrl", "namespace"]))
            .err()
            .unwrap();
        assert_eq!(
            wrong.describe(),
            "lognUrl is not a known field; expected one of loginUrl, namespace"
        );
        let value = parse(r#"{"n":"1","w":1.5}"#).unwrap();
        let fields = Fields::of(&value, None).unwrap();
        assert_eq!(fields.number("n").unwrap_err().describe(), "n must be a number");
        assert_eq!(
            fields.whole("w", 10).unwrap_err().describe(),
            "w must be a whole number"
        );
        assert_eq!(fields.whole("x", 10).unwrap_err().describe(), "x is required");
        assert_eq!(fields.string("absent"), Ok(None));
    }
}
