//! A string that the app needs to read but that must never reach a log.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::core::text::Text;

/// A login code or a backend token.
///
/// The value is readable with [`Secret::expose`] and is serialised as the plain string (the
/// app needs its token), but `Debug` prints `Secret(..)`: a session or an effect can be
/// logged with `{:?}` without leaking what it carries.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret<T = String>(T);

impl Secret<String> {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the code that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length of the value in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T: Text> Secret<T> {
    /// Wraps a text of any kind (a handle, at the WeChat boundary).
    pub fn hide(value: T) -> Self {
        Secret(value)
    }

    /// The text itself, for the code that must pass it on.
    pub fn text(&self) -> &T {
        &self.0
    }

    /// Length of the value in UTF-8 bytes.
    pub fn byte_len(&self) -> usize {
        self.0.byte_len()
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> Secret<T> {
    /// The text itself, to rename it (a handle whose table was compacted).
    pub(crate) fn text_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_output_hides_the_value() {
        let token = Secret::new("tok-very-private");
        let shown = format!("{token:?} {:?}", Some(&token));
        assert!(!shown.contains("very-private"), "{shown}");
        assert_eq!(token.expose(), "tok-very-private");
    }
}
