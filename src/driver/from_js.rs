//! A small serde `Deserializer` over JavaScript values: what the core's decoders read
//! storage, answers and options with in the WeChat build.
//!
//! It reads plain data only (`undefined`/`null`, booleans, numbers, strings, arrays, plain
//! objects), which is all those inputs are. Its errors are built from static words and the
//! name of the field that was wrong, never with `core::fmt`: formatting machinery (float
//! printing above all) would cost the shipped module more than this whole file.

use std::borrow::Cow;

use js_sys::{Array, Object};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// Why a value did not decode. `field` names where, when a field was being read.
#[derive(Debug)]
pub struct DecodeError {
    field: Option<String>,
    problem: Cow<'static, str>,
}

impl DecodeError {
    fn new(problem: impl Into<Cow<'static, str>>) -> DecodeError {
        DecodeError {
            field: None,
            problem: problem.into(),
        }
    }

    /// "`field` what is wrong", for a message that helps.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        if let Some(field) = &self.field {
            text.push_str(field);
            text.push(' ');
        }
        text.push_str(&self.problem);
        text
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    // The message is dropped unformatted: see the module doc. Every error serde's derives
    // raise for these inputs has a specific method below.
    fn custom<T: std::fmt::Display>(_message: T) -> Self {
        DecodeError::new("is not valid")
    }

    fn invalid_type(_unexpected: de::Unexpected<'_>, _expected: &dyn de::Expected) -> Self {
        DecodeError::new("has the wrong type")
    }

    fn invalid_value(_unexpected: de::Unexpected<'_>, _expected: &dyn de::Expected) -> Self {
        DecodeError::new("has a value out of range")
    }

    fn invalid_length(_len: usize, _expected: &dyn de::Expected) -> Self {
        DecodeError::new("has the wrong length")
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let mut problem = String::from("is not a known field; expected one of ");
        for (i, name) in expected.iter().enumerate() {
            if i > 0 {
                problem.push_str(", ");
            }
            problem.push_str(name);
        }
        DecodeError {
            field: Some(field.to_owned()),
            problem: problem.into(),
        }
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError {
            field: Some(field.to_owned()),
            problem: "is required".into(),
        }
    }

    fn duplicate_field(field: &'static str) -> Self {
        DecodeError {
            field: Some(field.to_owned()),
            problem: "appears twice".into(),
        }
    }
}

/// Reads one JavaScript value.
#[derive(Debug)]
pub struct FromJs(pub JsValue);

impl FromJs {
    fn number(&self) -> Result<f64, DecodeError> {
        self.0
            .as_f64()
            .ok_or_else(|| DecodeError::new("must be a number"))
    }

    /// A whole, non-negative number that a JavaScript number holds exactly.
    fn whole(&self) -> Result<u64, DecodeError> {
        let n = self.number()?;
        if n.is_finite() && n >= 0.0 && n.trunc() == n && n <= crate::limits::MAX_SAFE_INTEGER as f64 {
            Ok(n as u64)
        } else {
            Err(DecodeError::new("must be a whole number"))
        }
    }

    fn is_plain_object(&self) -> bool {
        self.0.is_object() && !self.0.is_array() && !self.0.is_function()
    }
}

impl<'de> Deserializer<'de> for FromJs {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let value = &self.0;
        if value.is_null_or_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = value.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = value.as_f64() {
            visitor.visit_f64(n)
        } else if let Some(s) = value.as_string() {
            visitor.visit_string(s)
        } else if value.is_array() {
            let array: Array = self.0.unchecked_into();
            visitor.visit_seq(Elements { array, next: 0 })
        } else if self.is_plain_object() {
            self.deserialize_map(visitor)
        } else {
            Err(DecodeError::new("is not plain data"))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.0.is_null_or_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0.as_bool() {
            Some(b) => visitor.visit_bool(b),
            None => Err(DecodeError::new("must be true or false")),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_f64(self.number()?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_f64(self.number()?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_u64(self.whole()?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_u64(self.whole()?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0.as_string() {
            Some(s) => visitor.visit_string(s),
            None => Err(DecodeError::new("must be a string")),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.0.is_array() {
            visitor.visit_seq(Elements {
                array: self.0.unchecked_into(),
                next: 0,
            })
        } else {
            Err(DecodeError::new("must be an array"))
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if !self.is_plain_object() {
            return Err(DecodeError::new("must be an object"));
        }
        let entries = Object::entries(self.0.unchecked_ref::<Object>());
        visitor.visit_map(Entries {
            entries,
            next: 0,
            value: JsValue::UNDEFINED,
            name: String::new(),
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u128 char bytes byte_buf unit unit_struct newtype_struct
        tuple tuple_struct enum
    }
}

/// An array's elements, in order.
struct Elements {
    array: Array,
    next: u32,
}

impl<'de> SeqAccess<'de> for Elements {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        if self.next >= self.array.length() {
            return Ok(None);
        }
        let value = self.array.get(self.next);
        self.next += 1;
        seed.deserialize(FromJs(value)).map(Some)
    }
}

/// Puts `key` in front of the error's field path: `userInfo.nickName`. Not generic, so it
/// is written once for every type of value.
#[inline(never)]
fn in_field(mut error: DecodeError, key: String) -> DecodeError {
    error.field = Some(match error.field.take() {
        Some(inner) => {
            let mut path = key;
            path.push('.');
            path.push_str(&inner);
            path
        }
        None => key,
    });
    error
}

/// An object's own enumerable properties, in `Object.entries` order (one call for all of
/// them: each property read through `Reflect` would cost a call and an exception guard). An
/// error in a value is given the property's name.
struct Entries {
    entries: Array,
    next: u32,
    /// The value of the key just read, and its name.
    value: JsValue,
    name: String,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DecodeError> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let entry: Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        self.value = entry.get(1);
        self.name = entry.get(0).as_string().unwrap_or_default();
        seed.deserialize(self.name.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DecodeError> {
        let value = std::mem::replace(&mut self.value, JsValue::UNDEFINED);
        seed.deserialize(FromJs(value))
            .map_err(|error| in_field(error, std::mem::take(&mut self.name)))
    }
}
