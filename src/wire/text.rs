//! How each kind of text crosses: a [`Handle`] as its place in JavaScript's table, a
//! `String` (the web build's, and the core's own words) as code units in the texts area.

use crate::core::text::Text;
use crate::wire::handle::Handle;

/// A text the core passes on, as it crosses the boundary.
pub(crate) trait WireText: Text {
    /// The text an input's pair names (`texts` is the texts area); `None` when the pair
    /// names nothing readable.
    fn read(a: f64, b: f64, texts: &[u16]) -> Option<Self>;

    /// How it is written out: as its place in the table, or as code units.
    fn crossing(&self) -> Crossing<'_>;
}

/// How a text is written to the output.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Crossing<'a> {
    /// JavaScript's string at this place in its table.
    InTable(u32),
    /// This text, as code units in the texts area.
    Inline(&'a str),
}

impl WireText for Handle {
    fn read(a: f64, b: f64, _: &[u16]) -> Option<Handle> {
        Handle::new(whole_u32(a)?, whole_u32(b)?)
    }

    fn crossing(&self) -> Crossing<'_> {
        Crossing::InTable(self.id())
    }
}

impl WireText for String {
    fn read(a: f64, b: f64, texts: &[u16]) -> Option<String> {
        inline(a, b, texts)
    }

    fn crossing(&self) -> Crossing<'_> {
        Crossing::Inline(self)
    }
}

/// The text of an inline pair: `(offset, length)` in the texts area, lone surrogates
/// replaced. `None` for a pair that names no text, or more units than were written.
pub(crate) fn inline(a: f64, b: f64, texts: &[u16]) -> Option<String> {
    let units = units(a, b, texts)?;
    // ASCII, one byte per unit, is nearly everything: a plain loop for it (an interpreter
    // pays for every call a `char` decoder makes), the standard decoder for the rest.
    let ascii = units.iter().position(|&u| u >= 0x80).unwrap_or(units.len());
    let mut text = String::with_capacity(units.len() + (units.len() - ascii) * 2);
    text.extend(units[..ascii].iter().map(|&u| char::from(u as u8)));
    text.extend(char::decode_utf16(units[ascii..].iter().copied()).map(|c| c.unwrap_or('\u{FFFD}')));
    Some(text)
}

/// The code units an inline pair names.
pub(crate) fn units(a: f64, b: f64, texts: &[u16]) -> Option<&[u16]> {
    let start = whole_u32(a)? as usize;
    let len = whole_u32(b)? as usize;
    texts.get(start..start.checked_add(len)?)
}

/// `x` if it is a whole number that fits a `u32`.
#[allow(unsafe_code)]
pub(crate) fn whole_u32(x: f64) -> Option<u32> {
    if !(x >= 0.0 && x <= f64::from(u32::MAX) && x.fract() == 0.0) {
        return None;
    }
    // SAFETY: `x` is a whole number within u32's range (checked just above); the plain
    // conversion would check the range again, an interpreter paying for every instruction.
    Some(unsafe { x.to_int_unchecked::<u32>() })
}
