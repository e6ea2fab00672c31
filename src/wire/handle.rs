//! A string that stays in JavaScript, named by a number.

use std::num::NonZeroU32;

use crate::core::text::Text;

/// A string JavaScript keeps in its session's table (`js-shim/boundary.js`), named by its
/// place there, with its length in UTF-8 bytes as JavaScript measured it. JavaScript gives
/// one string one handle, so two handles are equal exactly when their strings are: the core
/// can compare an openid or a token without reading either.
///
/// For a string of at most 42 UTF-16 code units JavaScript may give its length in units
/// instead of bytes (it then need not look at its characters): it has at most 126 bytes,
/// under every limit the core holds a text to (the smallest is 128), so no verdict changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle {
    /// One more than the place: never zero, so that an `Option<Handle>` takes no more room
    /// (the session and the record, which hold several, move on every launch).
    place: NonZeroU32,
    bytes: u32,
}

impl Handle {
    /// The string at place `id` of the table, `bytes` long in UTF-8; `None` for the one
    /// place there cannot be.
    pub fn new(id: u32, bytes: u32) -> Option<Handle> {
        Some(Handle {
            place: NonZeroU32::new(id.wrapping_add(1))?,
            bytes,
        })
    }

    /// Its place in JavaScript's table.
    pub fn id(self) -> u32 {
        self.place.get() - 1
    }

    /// The same string after the table was compacted and it moved to place `id`.
    pub fn moved_to(self, id: u32) -> Handle {
        Handle::new(id, self.bytes).unwrap_or(self)
    }
}

impl Text for Handle {
    fn byte_len(&self) -> usize {
        self.bytes as usize
    }
}
