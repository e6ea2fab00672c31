//! `js-shim/layout.js`, the shim's copy of the layout, generated from this description. The
//! test below fails when the committed file is not what it generates; with
//! `MP_SESSION_WRITE_LAYOUT=1` it writes the file first.
//!
//! Numbers are `const`s of their own (`KIND_SESSION_READ`): the bundler puts the number itself
//! where one is used, so they cost the shipped file nothing. Shapes and names are data the
//! shim walks.

use std::fmt::Write;

use super::parts::{self, Part, EFFECTS};
use super::{fields, header, kind, login_flag, pair, post_flag, record, send_flag, storage_flag, value};
use super::{HEADER, HOST_PLATFORM_AT, MAX_ORIGINS_DESCRIBED, NO_DEADLINE, SLOTS, WEB_OPTIONS_AT};
use crate::core::limits::MAX_ANSWER_CHARS;

/// The composite parts written once, by name, in an order where each comes after those it
/// uses.
const NAMED: [(&str, &str, Part); 8] = [
    ("USER_INFO", "A profile.", parts::USER_INFO),
    ("SESSION", "A session, as the app is given it.", parts::SESSION),
    ("RECORD", "The record as it is stored.", parts::RECORD),
    (
        "ERROR",
        "An error, as errors.js turns it into an Error.",
        parts::ERROR,
    ),
    (
        "GROUP",
        "A group of calls: the one named, those waiting for a session, of an effect, in line, for the device id.",
        parts::GROUP,
    ),
    ("SETTLED", "What resolved calls get.", parts::SETTLED),
    ("FIELD", "A field of a JSON body.", parts::FIELD),
    (
        "TOKEN_HEADER",
        "The header that carries the token.",
        parts::TOKEN_HEADER,
    ),
];

/// Each kind of part's number in the JavaScript tables (`PART_*`).
const PART_KINDS: [&str; 10] = [
    "NUMBER",
    "MAYBE_NUMBER",
    "FLAG",
    "TEXT",
    "NOTHING",
    "NAME",
    "OBJECT",
    "OPTIONAL",
    "CHOICE",
    "LIST",
];

fn part_kind(part: &Part) -> usize {
    let name = match part {
        Part::Number => "NUMBER",
        Part::MaybeNumber => "MAYBE_NUMBER",
        Part::Flag => "FLAG",
        Part::Text => "TEXT",
        Part::Nothing => "NOTHING",
        Part::Name(_) => "NAME",
        Part::Object(_) => "OBJECT",
        Part::Optional(_) => "OPTIONAL",
        Part::Choice(_) => "CHOICE",
        Part::List(_) => "LIST",
    };
    parts::place(&PART_KINDS, name)
}

/// `readSession` as `READ_SESSION`.
fn screaming(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// A part as JavaScript data: a kind's number, or `[kind, ...]`; a named part by its name,
/// unless it is `itself`.
fn part_js(part: &Part, itself: Option<&str>) -> String {
    if let Some((name, _, _)) = NAMED
        .iter()
        .find(|(name, _, p)| p == part && Some(*name) != itself)
    {
        return (*name).to_owned();
    }
    let kind = part_kind(part);
    let items: Vec<String> = match part {
        Part::Name(names) => names.iter().map(|n| format!("'{n}'")).collect(),
        Part::Object(fields) => fields_js(fields),
        Part::Optional(inner) | Part::List(inner) => vec![part_js(inner, None)],
        Part::Choice(choices) => choices.iter().map(|p| part_js(p, None)).collect(),
        _ => return kind.to_string(),
    };
    format!("[{kind}, {}]", items.join(", "))
}

fn fields_js(fields: &[(&str, Part)]) -> Vec<String> {
    fields
        .iter()
        .flat_map(|(name, part)| [format!("'{name}'"), part_js(part, None)])
        .collect()
}

fn constants<T: std::fmt::Display>(out: &mut String, doc: &str, prefix: &str, entries: &[(&str, T)]) {
    writeln!(out, "// {doc}").unwrap();
    for (name, n) in entries {
        writeln!(out, "export const {prefix}_{name} = {n}").unwrap();
    }
}

fn names(out: &mut String, doc: &str, name: &str, list: &[&str]) {
    let list: Vec<String> = list.iter().map(|n| format!("'{n}'")).collect();
    writeln!(out, "/** {doc} */\nexport var {name} = [{}]", list.join(", ")).unwrap();
}

/// The whole of `js-shim/layout.js`.
pub(crate) fn javascript() -> String {
    let mut out = String::from(
        "// @ts-check\n\
         // Generated from src/wire/layout/ (the boundary's one description): do not edit.\n\
         // `MP_SESSION_WRITE_LAYOUT=1 cargo test --lib layout` writes it again; `cargo test`\n\
         // fails while it differs from what the Rust description generates.\n\n",
    );
    let o = &mut out;
    constants(
        o,
        "What a value is, as JavaScript describes it.",
        "VALUE",
        value::ALL,
    );
    constants(
        o,
        "How a text pair names no text, or a string of the table.",
        "PAIR",
        pair::ALL,
    );
    constants(o, "What happened: an input's kind.", "KIND", kind::ALL);
    constants(o, "A storage input's flag.", "STORAGE_FLAG", storage_flag::ALL);
    constants(o, "A login result's flag.", "LOGIN_FLAG", login_flag::ALL);
    constants(o, "An app request's result's flag.", "SEND_FLAG", send_flag::ALL);
    constants(
        o,
        "A login request's flag when there is no HTTP status.",
        "POST_FLAG",
        post_flag::ALL,
    );
    constants(o, "The slots at the start of an output.", "HEADER", header::ALL);
    writeln!(o, "/** The deadline slot when the machine waits for no time. */\nexport const NO_DEADLINE = {NO_DEADLINE}").unwrap();
    // The groups' names as constants too: the shim keeps its calls under these names.
    writeln!(o, "// Each group of calls, by the name the core gives it.").unwrap();
    for group in parts::GROUPS {
        writeln!(o, "export const GROUP_{} = '{group}'", screaming(group)).unwrap();
    }
    let numbers = [
        ("HEADER", "Slots at the start of an output.", HEADER),
        ("SLOTS", "All the slots.", SLOTS),
        (
            "MAX_ANSWER_CHARS",
            "The longest backend answer read.",
            MAX_ANSWER_CHARS,
        ),
        (
            "MAX_ORIGINS_DESCRIBED",
            "allowedOrigins entries described.",
            MAX_ORIGINS_DESCRIBED,
        ),
        (
            "WEB_OPTIONS_AT",
            "The slot where a web page's options are described.",
            WEB_OPTIONS_AT,
        ),
        (
            "HOST_PLATFORM_AT",
            "The slot of the platform the shim runs on.",
            HOST_PLATFORM_AT,
        ),
        (
            "RECORD_STRING_LENGTH",
            "A stored value that is a string: the slot of its length ('' is nothing stored).",
            record::STRING_LENGTH,
        ),
    ];
    for (name, doc, n) in numbers {
        writeln!(o, "/** {doc} */\nexport const {name} = {n}").unwrap();
    }
    names(o, "The stored record's fields.", "RECORD_FIELDS", &fields::RECORD);
    names(
        o,
        "The backend answer's fields.",
        "ANSWER_FIELDS",
        &fields::ANSWER,
    );
    names(o, "A profile's fields.", "USER_INFO_FIELDS", &fields::USER_INFO);
    names(o, "createSession's options.", "OPTION_FIELDS", &fields::OPTIONS);
    names(
        o,
        "A web page's own options.",
        "WEB_OPTION_FIELDS",
        &fields::WEB_OPTIONS,
    );
    writeln!(
        o,
        "/** The field described again, field by field, after its object's. */\nexport const NESTED = '{}'",
        fields::NESTED
    )
    .unwrap();
    let kinds: Vec<(&str, usize)> = PART_KINDS
        .iter()
        .map(|k| (*k, parts::place(&PART_KINDS, k)))
        .collect();
    constants(
        o,
        "Each kind of part of an effect (layout/parts.rs, `Part`).",
        "PART",
        &kinds,
    );
    for (name, doc, part) in NAMED {
        writeln!(o, "/** {doc} */\nvar {name} = {}", part_js(&part, Some(name))).unwrap();
    }
    let names: Vec<String> = EFFECTS.iter().map(|(name, _)| screaming(name)).collect();
    let tags: Vec<(&str, usize)> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    constants(o, "Each effect's tag.", "EFFECT", &tags);
    // An effect whose parts are those of an earlier one shares its list.
    let lists: Vec<String> = EFFECTS
        .iter()
        .map(|(_, fields)| fields_js(fields).join(", "))
        .collect();
    let first = |i: usize| lists.iter().position(|list| *list == lists[i]).unwrap_or(i);
    for (i, (name, _)) in EFFECTS.iter().enumerate() {
        if first(i) == i && (i + 1..lists.len()).any(|j| lists[j] == lists[i]) {
            let list = &lists[i];
            writeln!(
                o,
                "/** The parts of {name} and of the effects like it. */\nvar {}_PARTS = [{list}]",
                screaming(name)
            )
            .unwrap();
        }
    }
    writeln!(
        o,
        "/** Each effect's parts, by its tag: a field's name, then its part. */\nexport var EFFECT_PARTS = ["
    )
    .unwrap();
    for (i, (name, _)) in EFFECTS.iter().enumerate() {
        let shared = (i + 1..lists.len()).any(|j| lists[j] == lists[i]) || first(i) != i;
        let parts = if shared {
            format!("{}_PARTS", screaming(EFFECTS[first(i)].0))
        } else {
            format!("[{}]", lists[i])
        };
        writeln!(o, "  /* {name} */ {parts},").unwrap();
    }
    writeln!(o, "]").unwrap();
    out
}

mod tests {
    #[test]
    fn the_committed_layout_js_is_what_the_rust_layout_generates() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js-shim/layout.js");
        let generated = super::javascript();
        if std::env::var_os("MP_SESSION_WRITE_LAYOUT").is_some() {
            std::fs::write(path, &generated).expect("js-shim/layout.js written");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "js-shim/layout.js is not what src/wire/layout/ generates: run \
             `MP_SESSION_WRITE_LAYOUT=1 cargo test --lib layout` and commit the file"
        );
    }
}
