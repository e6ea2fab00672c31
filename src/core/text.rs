//! The strings the core passes on without reading them: an openid, a token, a login code, a
//! nickname. The core needs only their length (the limits count UTF-8 bytes) and whether two
//! are the same, so it is generic over what holds them: a `String` natively and in tests, a
//! handle to a string JavaScript keeps at the WeChat boundary (`crate::wire::Handle`), where a
//! string that only passes through never enters the module's memory.

use std::fmt::Debug;

/// A string the core carries but never reads character by character.
///
/// Two texts are equal exactly when their strings are (a boundary that uses handles gives
/// one string one handle).
pub trait Text: Clone + PartialEq + Eq + Debug {
    /// Its length in UTF-8 bytes, as the limits count it.
    fn byte_len(&self) -> usize;

    /// Whether it is the empty string.
    fn is_empty(&self) -> bool {
        self.byte_len() == 0
    }

    /// The text itself, where the core holds it (a handle's text stays in JavaScript: the
    /// boundary reads what the core must see of it on the way in).
    fn as_text(&self) -> Option<&str> {
        None
    }
}

impl Text for String {
    fn byte_len(&self) -> usize {
        self.len()
    }

    fn as_text(&self) -> Option<&str> {
        Some(self)
    }
}
