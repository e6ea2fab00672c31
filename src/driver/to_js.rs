//! A small serde `Serializer` to JavaScript values: the session, the record and errors as
//! plain objects, the way `JSON.parse` would give them (`null` for a missing value).
//!
//! It writes the shapes the core's types have (structs of strings, numbers, booleans,
//! options and unit variants) and refuses anything else with a static error. Like
//! `from_js`, it never touches `core::fmt`.

use std::cell::RefCell;

use js_sys::Object;
use serde::ser::{self, Impossible, Serialize, SerializeStruct, Serializer};
use wasm_bindgen::prelude::*;

thread_local! {
    /// Field names already made into JavaScript strings, by address: the core's types have a
    /// couple of dozen, and making each again for every object would cost more than the rest.
    static FIELD_NAMES: RefCell<Vec<(usize, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// `key` as a JavaScript string, made once.
fn field_name(key: &'static str) -> JsValue {
    FIELD_NAMES.with(|names| {
        let address = key.as_ptr() as usize;
        let mut names = names.borrow_mut();
        if let Some((_, value)) = names.iter().find(|(a, _)| *a == address) {
            return value.clone();
        }
        let value = JsValue::from_str(key);
        names.push((address, value.clone()));
        value
    })
}

#[wasm_bindgen]
extern "C" {
    /// A new plain object: setting its properties cannot throw, so no exception guard.
    #[wasm_bindgen(extends = Object, js_name = Object)]
    #[derive(Debug)]
    type Plain;

    #[wasm_bindgen(constructor, js_class = "Object")]
    fn new() -> Plain;

    #[wasm_bindgen(method, structural, indexing_setter)]
    fn set(this: &Plain, key: &JsValue, value: &JsValue);
}

/// The only error: a shape the core's types do not have.
#[derive(Debug)]
pub struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a value of a shape mp-session does not write")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(_message: T) -> Self {
        Unsupported
    }
}

/// Writes one value.
#[derive(Debug)]
pub struct ToJs;

/// Writes the fields of a struct into a new object.
#[derive(Debug)]
pub struct Fields(Plain);

impl Serializer for ToJs {
    type Ok = JsValue;
    type Error = Unsupported;
    type SerializeSeq = Impossible<JsValue, Unsupported>;
    type SerializeTuple = Impossible<JsValue, Unsupported>;
    type SerializeTupleStruct = Impossible<JsValue, Unsupported>;
    type SerializeTupleVariant = Impossible<JsValue, Unsupported>;
    type SerializeMap = Impossible<JsValue, Unsupported>;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Impossible<JsValue, Unsupported>;

    fn serialize_bool(self, v: bool) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v as f64))
    }
    fn serialize_u8(self, v: u8) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v.into()))
    }
    // Times and counts; the core keeps them below 2^53, where a number is exact.
    fn serialize_u64(self, v: u64) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v as f64))
    }
    fn serialize_f32(self, v: f32) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_f64(v))
    }
    fn serialize_char(self, v: char) -> Result<JsValue, Unsupported> {
        let mut text = [0u8; 4];
        Ok(JsValue::from_str(v.encode_utf8(&mut text)))
    }
    fn serialize_str(self, v: &str) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_str(v))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<JsValue, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_none(self) -> Result<JsValue, Unsupported> {
        Ok(JsValue::NULL)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<JsValue, Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsValue, Unsupported> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<JsValue, Unsupported> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<JsValue, Unsupported> {
        Ok(JsValue::from_str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<JsValue, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<JsValue, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Fields, Unsupported> {
        Ok(Fields(Plain::new()))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        Err(Unsupported)
    }
}

impl SerializeStruct for Fields {
    type Ok = JsValue;
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        let value = value.serialize(ToJs)?;
        self.0.set(&field_name(key), &value);
        Ok(())
    }

    fn end(self) -> Result<JsValue, Unsupported> {
        Ok(self.0.into())
    }
}
