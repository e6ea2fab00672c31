//! Reading an output of the wasm boundary the way `js-shim/boundary.js` reads it: by walking
//! the effect tables of `crate::wire::layout::parts`, never by counting slots. Tests of the
//! boundary read what the exported functions wrote with it.

use crate::wire::layout::parts::{Part, EFFECTS};
use crate::wire::layout::{header, HEADER};

/// A text pair as read from an output.
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    /// No text.
    None,
    /// The string at this place of JavaScript's table.
    Handle(u32),
    /// Code units in the texts area.
    Inline(String),
}

/// One part of an effect, as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Read {
    /// A number (NaN for a [`Part::MaybeNumber`] with none).
    Number(f64),
    /// A flag.
    Flag(bool),
    /// A text pair.
    Text(Text),
    /// Nothing ([`Part::Nothing`], or an optional part that is absent).
    Nothing,
    /// A name of a [`Part::Name`] list.
    Name(&'static str),
    /// An object's fields, in order.
    Object(Vec<(&'static str, Read)>),
    /// A list.
    List(Vec<Read>),
}

impl Read {
    /// The part at `path` (field names joined by `.`); [`Read::Nothing`] when there is none.
    pub fn get(&self, path: &str) -> &Read {
        path.split('.').fold(self, |read, name| match read {
            Read::Object(fields) => fields
                .iter()
                .find(|(field, _)| *field == name)
                .map_or(&Read::Nothing, |(_, read)| read),
            _ => &Read::Nothing,
        })
    }

    /// The number at `path` (`None`: not a number).
    pub fn number(&self, path: &str) -> Option<f64> {
        match self.get(path) {
            Read::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The text at `path` (`None`: not a text pair).
    pub fn text(&self, path: &str) -> Option<&Text> {
        match self.get(path) {
            Read::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// One effect: its tag, its name in the table, and its parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// Its tag (its place in [`EFFECTS`]).
    pub tag: f64,
    /// Its name.
    pub name: &'static str,
    /// Its parts, an [`Read::Object`].
    pub parts: Read,
}

impl Effect {
    /// The part at `path`.
    pub fn get(&self, path: &str) -> &Read {
        self.parts.get(path)
    }
}

struct Reader<'a> {
    slots: &'a [f64],
    texts: &'a [u16],
    at: usize,
}

impl Reader<'_> {
    fn slot(&mut self) -> Result<f64, String> {
        let x = *self
            .slots
            .get(self.at)
            .ok_or_else(|| format!("slot {} is past the slots", self.at))?;
        self.at += 1;
        Ok(x)
    }

    fn count(&mut self) -> Result<usize, String> {
        let n = self.slot()?;
        if n >= 0.0 && n.fract() == 0.0 {
            Ok(n as usize)
        } else {
            Err(format!("slot {} holds {n}, not a count", self.at - 1))
        }
    }

    fn part(&mut self, part: &Part) -> Result<Read, String> {
        Ok(match part {
            Part::Number | Part::MaybeNumber => Read::Number(self.slot()?),
            Part::Flag => Read::Flag(self.slot()? == 1.0),
            Part::Text => {
                let (a, b) = (self.slot()?, self.slot()?);
                Read::Text(if a < 0.0 {
                    Text::None
                } else if b < 0.0 {
                    Text::Handle(a as u32)
                } else {
                    let units = self
                        .texts
                        .get(a as usize..(a + b) as usize)
                        .ok_or_else(|| format!("a text pair ({a}, {b}) past the texts area"))?;
                    Text::Inline(String::from_utf16_lossy(units))
                })
            }
            Part::Nothing => Read::Nothing,
            Part::Name(names) => {
                let n = self.count()?;
                Read::Name(names.get(n).ok_or_else(|| format!("no name {n} in {names:?}"))?)
            }
            Part::Object(fields) => Read::Object(self.fields(fields)?),
            Part::Optional(inner) | Part::Omitted(inner) => match self.slot()? {
                0.0 => Read::Nothing,
                _ => self.part(inner)?,
            },
            Part::Choice(choices) => {
                let n = self.count()?;
                let choice = choices.get(n).ok_or_else(|| format!("no choice {n}"))?;
                self.part(choice)?
            }
            Part::List(inner) => {
                let n = self.count()?;
                (0..n)
                    .map(|_| self.part(inner))
                    .collect::<Result<_, _>>()
                    .map(Read::List)?
            }
        })
    }

    fn fields(&mut self, fields: &[(&'static str, Part)]) -> Result<Vec<(&'static str, Read)>, String> {
        fields
            .iter()
            .map(|(name, part)| Ok((*name, self.part(part)?)))
            .collect()
    }
}

/// The effects of an output: from slot [`HEADER`] to the slot the header says is the end.
/// An error says where the slots do not follow the tables.
pub fn effects(slots: &[f64], texts: &[u16]) -> Result<Vec<Effect>, String> {
    let end = slots.get(header::USED).copied().unwrap_or(0.0) as usize;
    let mut reader = Reader {
        slots,
        texts,
        at: HEADER,
    };
    let mut effects = Vec::new();
    while reader.at < end {
        let tag = reader.slot()?;
        let (name, fields) = EFFECTS
            .get(tag as usize)
            .filter(|_| tag.fract() == 0.0 && tag >= 0.0)
            .ok_or_else(|| format!("slot {} holds {tag}, no effect's tag", reader.at - 1))?;
        let parts = Read::Object(reader.fields(fields)?);
        effects.push(Effect { tag, name, parts });
    }
    if reader.at == end {
        Ok(effects)
    } else {
        Err(format!(
            "the effects end at slot {}, the header says {end}",
            reader.at
        ))
    }
}
