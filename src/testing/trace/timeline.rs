//! A trace as a person reads it: a line for each input, when it came (milliseconds after the
//! first) and what it said, then a line for each effect the core answered with, and the
//! deadline it set. The same lines name both sides of a divergence.

use super::{Exchange, Output, Step, Trace};
use crate::testing::outputs::{Read, Text};
use crate::wire::layout::{
    answer, kind, kind_name, login_flag, record, storage_flag, value, ENTRY_SLOTS, HOST_PLATFORM_AT, SLOTS,
};

/// The whole trace, a line each: what it was recorded with, then each exchange.
pub fn timeline(trace: &Trace) -> String {
    let origin = origin(trace);
    let mut out = format!(
        "mp-session {} (layout {}): {} exchanges, {} dropped\noptions {}\n",
        trace.version,
        trace.layout,
        trace.exchanges.len(),
        trace.dropped,
        trace.options
    );
    for (i, x) in trace.exchanges.iter().enumerate() {
        out.push_str(&format!("{i:>4} {}\n", input(x, origin)));
        match Output::read(&x.out, &x.out_texts) {
            Ok(output) => {
                for line in self::output(&output, origin) {
                    out.push_str(&format!("{:>16}{line}\n", "→ "));
                }
            }
            Err(error) => out.push_str(&format!(
                "{:>16}(an output that does not follow the layout: {error})\n",
                "→ "
            )),
        }
    }
    out
}

/// The time the trace's times count from: its first input's.
pub(super) fn origin(trace: &Trace) -> f64 {
    trace
        .exchanges
        .iter()
        .find_map(|x| match x.step {
            Step::Input { now, .. } => Some(now),
            Step::Create { .. } => None,
        })
        .unwrap_or(0.0)
}

/// What crossed in: when, what happened, its facts.
pub(super) fn input(x: &Exchange, origin: f64) -> String {
    let facts = Facts {
        slots: &x.slots,
        texts: &x.texts,
        budget: std::cell::Cell::new(MOST_ENTRIES),
    };
    let (now, kind, arg, flag) = match x.step {
        Step::Create { .. } => {
            let on = facts.text(HOST_PLATFORM_AT, false);
            return format!("{:>9}  create on {on} {}", "", facts.value(0, false, 0));
        }
        Step::Input {
            now, kind, arg, flag, ..
        } => (now, kind, arg, flag),
    };
    let mut line = format!(
        "{:>9}  {}",
        format!("+{} ms", number(now - origin)),
        kind_name(kind).unwrap_or_else(|| format!("kind {kind}"))
    );
    let failed = |s: &mut String| s.push_str(&format!(" failed, said {}", facts.text(0, false)));
    match kind {
        kind::ENSURE | kind::LOGOUT | kind::DEVICE_ID => line.push_str(&format!(" call {arg}")),
        kind::SET_USER_INFO => line.push_str(&format!(" call {arg} {}", facts.value(0, true, 0))),
        kind::REQUEST => line.push_str(&format!(" call {arg} {}", facts.text(0, false))),
        kind::SESSION_READ | kind::DEVICE_ID_READ | kind::STORAGE_RESULT if flag != storage_flag::OK => {
            line.push_str(&format!(" op {arg}"));
            failed(&mut line);
        }
        kind::SESSION_READ if facts.slot(0) == value::STRING => line.push_str(&format!(
            " op {arg} a string of {} units",
            number(facts.slot(record::STRING_LENGTH))
        )),
        kind::SESSION_READ => line.push_str(&format!(" op {arg} {}", facts.value(0, true, 0))),
        kind::DEVICE_ID_READ => line.push_str(&format!(" op {arg} {}", facts.value(0, false, 0))),
        kind::STORAGE_RESULT => line.push_str(&format!(" op {arg} done")),
        kind::LOGIN_RESULT if flag == login_flag::FAILED => {
            line.push_str(&format!(" op {arg}"));
            failed(&mut line);
        }
        kind::LOGIN_RESULT => line.push_str(&format!(" op {arg} {}", facts.value(0, true, 0))),
        kind::POST_RESULT | kind::SEND_RESULT if flag < 0 => {
            line.push_str(&format!(" op {arg}"));
            failed(&mut line);
        }
        kind::POST_RESULT => line.push_str(&format!(
            " op {arg} status {flag} {} ({} units)",
            facts.value(0, true, 0),
            number(facts.slot(answer::LENGTH))
        )),
        kind::SEND_RESULT => {
            line.push_str(&format!(" op {arg} status {flag}"));
            if facts.slot(0) != value::ABSENT {
                line.push_str(&format!(", isSessionExpired {}", facts.value(0, false, 0)));
            }
        }
        kind::LISTENERS => line.push_str(if flag != 0 { " some" } else { " none" }),
        _ => {}
    }
    line
}

/// What came out: a line an effect, then the deadline.
pub(super) fn output(output: &Output, origin: f64) -> Vec<String> {
    let mut lines: Vec<String> = output
        .effects
        .iter()
        .map(|e| {
            let mut line = e.name.to_owned();
            if let Read::Object(fields) = &e.parts {
                line.push_str(&fields_of(fields));
            }
            line
        })
        .collect();
    if output.more {
        lines.push("(more effects wait for room)".into());
    }
    if output.has_deadline() {
        lines.push(format!("deadline +{} ms", number(output.deadline - origin)));
    }
    lines
}

fn fields_of(fields: &[(&str, Read)]) -> String {
    fields
        .iter()
        .filter(|(_, read)| *read != Read::Nothing)
        .map(|(name, read)| format!(" {name} {}", read_text(read)))
        .collect()
}

fn read_text(read: &Read) -> String {
    match read {
        Read::Number(n) => number(*n),
        Read::Flag(flag) => flag.to_string(),
        Read::Text(Text::None) | Read::Nothing => "none".into(),
        Read::Text(Text::Handle(id)) => format!("#{id}"),
        Read::Text(Text::Inline(text)) => format!("{text:?}"),
        Read::Name(name) => (*name).to_owned(),
        Read::Object(fields) => format!("{{{} }}", fields_of(fields)),
        Read::List(items) => format!("[{}]", items.iter().map(read_text).collect::<Vec<_>>().join(", ")),
    }
}

/// A whole number as one; NaN as `none`.
fn number(n: f64) -> String {
    if n.is_nan() {
        "none".into()
    } else if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A slot's number as a place or a count: a whole number from 0 to [`SLOTS`].
fn place(x: f64) -> Option<usize> {
    (x.fract() == 0.0 && (0.0..=SLOTS as f64).contains(&x)).then_some(x as usize)
}

/// An input's slots and texts, read as the shim described them.
struct Facts<'a> {
    slots: &'a [f64],
    texts: &'a [u16],
    /// Entries still to be shown: a trace edited by hand may point many objects at the same
    /// entries, which would be shown again and again.
    budget: std::cell::Cell<usize>,
}

/// The most entries of an input's values a line shows (the slots hold about 200).
const MOST_ENTRIES: usize = 400;

impl Facts<'_> {
    fn slot(&self, at: usize) -> f64 {
        self.slots.get(at).copied().unwrap_or(f64::NAN)
    }

    /// The pair at `at`: a string passed on (`#id (bytes B)`), or code units as text.
    fn text(&self, at: usize, passed: bool) -> String {
        let (a, b) = (self.slot(at), self.slot(at + 1));
        if a.is_nan() || a < 0.0 {
            return "none".into();
        }
        if passed {
            return format!("#{} ({} B)", number(a), number(b));
        }
        match self.texts.get(a as usize..(a + b.max(0.0)) as usize) {
            Some(units) => format!("{:?}", String::from_utf16_lossy(units)),
            None => format!("({} units)", number(b)),
        }
    }

    /// The value described at `at`: its kind, then its number, its string, or its entries.
    fn value(&self, at: usize, passed: bool, depth: usize) -> String {
        let kind = self.slot(at);
        if kind == value::ABSENT {
            "absent".into()
        } else if kind == value::NULL {
            "null".into()
        } else if kind == value::FALSE || kind == value::TRUE {
            (kind == value::TRUE).to_string()
        } else if kind == value::NUMBER {
            number(self.slot(at + 1))
        } else if kind == value::STRING {
            self.text(at + 1, passed)
        } else if kind == value::ARRAY || kind == value::OBJECT {
            let array = kind == value::ARRAY;
            let (count, first) = (self.slot(at + 1), self.slot(at + 2));
            // Entries only where the shim puts them: after the value, within the slots (a
            // trace may be edited by hand), as many as the budget leaves.
            let (Some(n), Some(first)) = (place(count), place(first)) else {
                return format!("({} {})", number(count), if array { "items" } else { "keys" });
            };
            let left = self.budget.get();
            if depth >= 8 || first <= at || first + ENTRY_SLOTS * n > self.slots.len() || n > left {
                return format!("({n} {})", if array { "items" } else { "keys" });
            }
            self.budget.set(left - n);
            let entries: Vec<String> = (0..n)
                .map(|i| {
                    let entry = first + ENTRY_SLOTS * i;
                    let item = self.value(entry + 2, passed, depth + 1);
                    if array {
                        item
                    } else {
                        let key = self.text(entry, false);
                        format!("{} {item}", key.trim_matches('"'))
                    }
                })
                .collect();
            if array {
                format!("[{}]", entries.join(", "))
            } else {
                format!("{{{}}}", entries.join(", "))
            }
        } else if kind == value::FUNCTION {
            "function".into()
        } else {
            "other".into()
        }
    }
}
