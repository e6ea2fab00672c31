//! The exchange buffer: the one place in linear memory where JavaScript writes an input's
//! text and reads the output, as UTF-16 code units (what a JavaScript string is made of, so
//! neither side needs a `TextEncoder`, which phones lack).

use std::cell::RefCell;

use crate::core::limits::MAX_INPUT_UNITS;

thread_local! {
    static BUFFER: RefCell<Vec<u16>> = RefCell::new(vec![0; 1024]);
}

/// Makes the buffer hold at least `units` code units and returns where it starts. The
/// address changes only when the buffer grows: JavaScript asks again only then.
pub(crate) fn reserve(units: usize) -> *const u16 {
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        if buffer.len() < units {
            buffer.resize(units, 0);
        }
        buffer.as_ptr()
    })
}

/// The first `len` code units of the buffer as text, lone surrogates replaced; `None` for a
/// text longer than [`MAX_INPUT_UNITS`], which JavaScript does not copy (no value the core
/// reads is anywhere near as long: it is refused unread).
pub(crate) fn read(len: usize) -> Option<String> {
    if len > MAX_INPUT_UNITS {
        return None;
    }
    BUFFER.with(|buffer| {
        let buffer = buffer.borrow();
        let units = buffer.get(..len)?;
        // ASCII, one byte per unit, is all but a nickname: a plain byte loop for it (an
        // interpreter pays for every call a `char` decoder makes), the standard decoder for
        // the rest.
        let ascii = units.iter().position(|&u| u >= 0x80).unwrap_or(len);
        let mut bytes = Vec::with_capacity(len + (len - ascii) * 2);
        bytes.extend(units[..ascii].iter().map(|&u| u as u8));
        // SAFETY: every byte is below 0x80, so the bytes are ASCII, which is UTF-8.
        let mut text = unsafe { String::from_utf8_unchecked(bytes) };
        text.extend(char::decode_utf16(units[ascii..].iter().copied()).map(|c| c.unwrap_or('\u{FFFD}')));
        Some(text)
    })
}

/// Writes `text` at the start of the buffer (growing it if needed) and returns its length
/// in code units.
pub(crate) fn write(text: &str) -> usize {
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        // At most one unit per byte.
        if buffer.len() < text.len() {
            buffer.resize(text.len(), 0);
        }
        if text.is_ascii() {
            for (slot, &byte) in buffer.iter_mut().zip(text.as_bytes()) {
                *slot = u16::from(byte);
            }
            return text.len();
        }
        let mut len = 0;
        for (slot, unit) in buffer.iter_mut().zip(text.encode_utf16()) {
            *slot = unit;
            len += 1;
        }
        len
    })
}

/// Puts `text` in the buffer as JavaScript would (for tests and native callers).
pub(crate) fn put(text: &str) -> usize {
    let units: Vec<u16> = text.encode_utf16().collect();
    reserve(units.len());
    BUFFER.with(|buffer| buffer.borrow_mut()[..units.len()].copy_from_slice(&units));
    units.len()
}

/// The output of the last call, as JavaScript reads it (for tests and native callers).
pub(crate) fn take(len: usize) -> String {
    read(len).unwrap_or_default()
}
