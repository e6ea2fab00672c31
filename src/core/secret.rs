//! A string that the app needs to read but that must never reach a log.

use core::fmt;

use serde::{Deserialize, Serialize};

/// A login code or a backend token.
///
/// The value is readable with [`Secret::expose`] and is serialised as the plain string (the
/// app needs its token), but `Debug` prints `Secret(..)`: a session or an effect can be
/// logged with `{:?}` without leaking what it carries.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
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

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
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
