//! A trace from its JSON, or from the lines `lines()` of `mp-session/trace` split it into.

use serde::Deserialize;

use super::{Exchange, Step, Trace, TraceError, LINE_HEAD, TRACE_UNREADABLE};

/// The trace as `session.trace()` serialises it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    version: String,
    layout: String,
    #[serde(default)]
    options: serde_json::Value,
    #[serde(default)]
    dropped: u64,
    entries: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(default)]
    t: Option<f64>,
    #[serde(default)]
    create: Option<[u32; 4]>,
    #[serde(default)]
    kind: Option<u32>,
    #[serde(default)]
    arg: u32,
    #[serde(default)]
    flag: i32,
    #[serde(default)]
    strings: u32,
    slots: Vec<Slot>,
    texts: String,
    out: Vec<Slot>,
    out_texts: String,
    #[serde(default)]
    trapped: Option<String>,
}

/// A slot as a trace holds it: JSON has no NaN or infinity, so the recorder writes them as
/// their names (and `JSON.stringify` alone, as null).
#[derive(Deserialize)]
#[serde(untagged)]
enum Slot {
    Number(f64),
    Name(String),
    Null(()),
}

impl Slot {
    fn number(&self) -> Option<f64> {
        match self {
            Slot::Number(n) => Some(*n),
            Slot::Name(name) => match name.as_str() {
                "NaN" => Some(f64::NAN),
                "Infinity" => Some(f64::INFINITY),
                "-Infinity" => Some(f64::NEG_INFINITY),
                _ => None,
            },
            Slot::Null(()) => Some(f64::NAN),
        }
    }
}

fn unreadable(why: String) -> TraceError {
    TraceError::new(TRACE_UNREADABLE, why)
}

/// [`Trace::parse`].
pub(super) fn parse(text: &str) -> Result<Trace, TraceError> {
    let json = if text.trim_start().starts_with('{') {
        text.to_owned()
    } else {
        joined(text)?
    };
    let raw: Raw = serde_json::from_str(&json)
        .map_err(|e| unreadable(format!("not a trace of session.trace() ({e})")))?;
    let exchanges = raw
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let step = match (e.create, e.kind) {
                (Some(entropy), None) => Step::Create { entropy },
                (None, Some(kind)) => Step::Input {
                    now: e.t.unwrap_or(f64::NAN),
                    kind,
                    arg: e.arg,
                    flag: e.flag,
                    strings: e.strings,
                },
                _ => {
                    return Err(unreadable(format!(
                        "entries[{i}] has both or neither of create and kind"
                    )))
                }
            };
            let numbers = |slots: Vec<Slot>, what: &str| {
                slots
                    .iter()
                    .map(Slot::number)
                    .collect::<Option<Vec<f64>>>()
                    .ok_or_else(|| {
                        unreadable(format!("entries[{i}].{what} holds a string that is no number"))
                    })
            };
            Ok(Exchange {
                step,
                slots: numbers(e.slots, "slots")?,
                texts: e.texts.encode_utf16().collect(),
                out: numbers(e.out, "out")?,
                out_texts: e.out_texts.encode_utf16().collect(),
                trapped: e.trapped,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Trace {
        version: raw.version,
        layout: raw.layout,
        options: raw.options.to_string(),
        dropped: raw.dropped,
        exchanges,
    })
}

/// The JSON of a trace split into `mp-session-trace <i>/<n> <part>` lines, joined again.
fn joined(text: &str) -> Result<String, TraceError> {
    let mut count = None;
    let mut parts = std::collections::BTreeMap::new();
    for line in text.lines() {
        let Some((_, rest)) = line.split_once(LINE_HEAD) else {
            continue;
        };
        let parsed = rest.split_once(' ').and_then(|(place, part)| {
            let (i, n) = place.split_once('/')?;
            Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?, part))
        });
        let Some((i, n, part)) = parsed.filter(|(i, n, _)| (1..=*n).contains(i)) else {
            return Err(unreadable(format!("not a line of a trace: {line:.60}")));
        };
        let expected = *count.get_or_insert(n);
        if expected != n {
            return Err(unreadable(format!(
                "lines of two traces: one of {expected} parts, one of {n}"
            )));
        }
        let part = part.trim_end_matches('\r');
        if parts.insert(i, part).is_some_and(|earlier| earlier != part) {
            return Err(unreadable(format!(
                "two different lines are part {i} of {n}: lines of two traces"
            )));
        }
    }
    let Some(n) = count else {
        return Err(unreadable(
            "neither the JSON of session.trace() nor lines that begin `mp-session-trace i/n`".into(),
        ));
    };
    if parts.len() < n {
        // The first few missing: the count a line gives may be anything.
        let absent: Vec<String> = (1..=n)
            .filter(|i| !parts.contains_key(i))
            .take(10)
            .map(|i| i.to_string())
            .collect();
        let more = if n - parts.len() > absent.len() {
            ", …"
        } else {
            ""
        };
        let listed = absent.join(", ");
        return Err(unreadable(match (absent.len(), more) {
            (1, "") => format!("part {listed} of {n} is missing"),
            _ => format!("parts {listed}{more} of {n} are missing"),
        }));
    }
    Ok(parts.into_values().collect())
}
