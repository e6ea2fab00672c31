//! Decoding outside data (storage, the backend's answer, options) from any serde format.

use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

/// Decodes a `T` only from an object (a map).
///
/// serde's derived structs also accept a sequence, field by field, so `["o-1"]` would pass
/// for `{ "openid": "o-1" }`; storage and the backend are outside data, and only an object
/// is a record or an answer. Use this for every decoder of outside data.
pub fn decode_object<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// Decodes an optional `T` only from an object: `null` is none, anything but an object is an
/// error (as [`decode_object`]: serde's derived structs would also take an array).
pub fn decode_optional_object<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    struct OptionalVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for OptionalVisitor<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object or null")
        }

        fn visit_unit<E>(self) -> Result<Option<T>, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Option<T>, E> {
            Ok(None)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
    }

    deserializer.deserialize_any(OptionalVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::decode_object;
    use crate::Answer;

    fn answer(json: &str) -> Result<Answer, serde_json::Error> {
        decode_object(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn only_objects_decode() {
        assert_eq!(
            answer(r#"{"openid":"o-1"}"#).unwrap().openid.as_deref(),
            Some("o-1")
        );
        assert!(answer(r#"["o-1"]"#).is_err());
        assert!(answer(r#""o-1""#).is_err());
        assert!(answer("null").is_err());
        assert!(answer("42").is_err());
    }
}
