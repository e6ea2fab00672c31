//! `js-shim/layout.js`, the shim's copy of the layout, generated from this description. The
//! test below fails when the committed file is not what it generates; with
//! `MP_SESSION_WRITE_LAYOUT=1` it writes the file first.
//!
//! Numbers are `const`s of their own (`KIND_SESSION_READ`): the bundler puts the number itself
//! where one is used, so they cost the shipped file nothing. The shim describes values whole,
//! every key by its name, so it needs none of the core's lists of names. The effects are read
//! by functions generated from their parts, one per effect and per composite part, so that a
//! phone compiles only the readers of the effects that come, and each reads its slots
//! straight, with no table to walk.

use std::fmt::Write;

use super::parts::{self, Part, EFFECTS};
use super::{fields, header, kind, login_flag, pair, post_flag, record, send_flag, storage_flag, value};
use super::{ENTRY_SLOTS, HEADER, HOST_PLATFORM_AT, NO_DEADLINE, SLOTS, TREE_AT, WEB_OPTIONS_AT};
use crate::core::limits::MAX_ANSWER_CHARS;

/// The composite parts read by a function of their own (`session()`), by that function's
/// name.
const NAMED: [(&str, &str, Part); 8] = [
    ("userInfo", "A profile.", parts::USER_INFO),
    (
        "userId",
        "The backend's id of the user: a string or a number.",
        parts::USER_ID,
    ),
    ("session", "A session, as the app is given it.", parts::SESSION),
    ("record", "The record as it is stored.", parts::RECORD),
    (
        "error",
        "An error, as errors.js turns it into an Error.",
        parts::ERROR,
    ),
    ("settled", "What resolved calls get.", parts::SETTLED),
    ("field", "A field of a JSON body.", parts::FIELD),
    (
        "tokenHeader",
        "The header that carries the token.",
        parts::TOKEN_HEADER,
    ),
];

/// The lists a [`Part::Name`] names one of, by their JavaScript names.
const NAME_LISTS: [(&str, &str, &[&str]); 2] = [
    (
        "GROUPS",
        "A group of calls: the one named, those waiting for a session, of an effect, in line, for the device id.",
        &parts::GROUPS,
    ),
    ("SOURCES", "Where a session came from.", &parts::SOURCES),
];

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

/// The JavaScript expression that reads `part` from slot `at` on (the generated helpers:
/// `text()`, `maybe()`, `list(read)`, the functions of [`NAMED`]), unless the part is
/// `itself`, the function being written.
fn reader(part: &Part, itself: Option<&str>) -> String {
    if let Some((name, _, _)) = NAMED
        .iter()
        .find(|(name, _, p)| p == part && Some(*name) != itself)
    {
        return format!("{name}()");
    }
    match part {
        Part::Number => "F[at++]".to_owned(),
        Part::MaybeNumber => "maybe()".to_owned(),
        Part::Flag => "F[at++] === 1".to_owned(),
        Part::Text => "text()".to_owned(),
        Part::Nothing => "undefined".to_owned(),
        Part::Name(names) => {
            let (list, _, _) = NAME_LISTS
                .iter()
                .find(|(_, _, list)| list == names)
                .expect("a part's names are a list of NAME_LISTS");
            format!("{list}[F[at++]]")
        }
        Part::Object(fields) => object(fields),
        Part::Omitted(_) => panic!("a part that may be left out is read by its object's function"),
        Part::Optional(inner) => format!("(F[at++] ? {} : null)", reader(inner, None)),
        Part::List(inner) => format!("list({})", element(inner)),
        Part::Choice(choices) => {
            // Only as a function of its own: the choice's slot is read once, into `c`.
            assert!(itself.is_some(), "a choice is read by a function of NAMED");
            let mut out = String::new();
            for (i, choice) in choices.iter().enumerate() {
                let read = reader(choice, None);
                if i + 1 < choices.len() {
                    write!(out, "c === {i} ? {read} : ").unwrap();
                } else {
                    out.push_str(&read);
                }
            }
            out
        }
    }
}

/// An object's fields, read in order.
fn object(fields: &[(&str, Part)]) -> String {
    let items: Vec<String> = fields
        .iter()
        .map(|(name, part)| format!("{name}: {}", reader(part, None)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// A function's body that reads an object whose last parts may be left out: the object, then
/// each such key set only when its part follows.
fn object_with_omitted(fields: &[(&str, Part)]) -> String {
    let kept = fields
        .iter()
        .position(|(_, part)| matches!(part, Part::Omitted(_)))
        .unwrap_or(fields.len());
    let mut body = format!(
        "var o = /** @type {{Record<string, any>}} */ ({})\n",
        object(&fields[..kept])
    );
    for (name, part) in &fields[kept..] {
        let Part::Omitted(inner) = part else {
            panic!("the parts an object may leave out come last in it ({name})")
        };
        writeln!(body, "  if (F[at++]) o.{name} = {}", reader(inner, None)).unwrap();
    }
    body.push_str("  return o");
    body
}

/// The function that reads one element of a list.
fn element(part: &Part) -> String {
    match part {
        Part::Number => "number".to_owned(),
        Part::Text => "text".to_owned(),
        _ => {
            let (name, _, _) = NAMED
                .iter()
                .find(|(_, _, p)| p == part)
                .expect("a list's elements are numbers, texts or a part of NAMED");
            (*name).to_owned()
        }
    }
}

/// What every generated reader uses: where it reads, the loop over an output's effects, and
/// the helpers of [`reader`].
const READER: &str = r#"// The output's reader: each effect's parts in the order the core writes them.
/** The slots being read. @type {Float64Array<ArrayBufferLike>} */
var F = new Float64Array(0)
/** The slot read next. */
var at = 0
/** What reads the text pair at a slot. @type {(slot: number) => string | null} */
var textAt = function () { return null }
/** What the table's effect is given: the places of the strings to keep. @type {(places: number[]) => void} */
var kept = function () {}

/**
 * Reads the effects written from slot `from` to `end` into `into`, each an object with its
 * parts by name and its `tag`; the table's effect goes to `keep` at once (the texts after it
 * are read in the table it leaves).
 * @param {Float64Array} slots @param {number} from @param {number} end
 * @param {(slot: number) => string | null} readText @param {(places: number[]) => void} keep
 * @param {Array<{ tag: number, [part: string]: any }>} into
 */
export function readEffects(slots, from, end, readText, keep, into) {
  F = slots
  at = from
  textAt = readText
  kept = keep
  while (at < end) {
    var tag = F[at++]
    var read = EFFECT_READERS[tag]
    if (!read) throw new Error('mp-session: the core wrote an effect this shim does not know (' + tag + ')')
    var effect = read()
    if (effect) {
      effect.tag = tag
      into.push(effect)
    }
  }
}

function number() { return F[at++] }
function text() {
  at += 2
  return textAt(at - 2)
}
function maybe() {
  var x = F[at++]
  return x !== x ? null : x
}
/** @param {() => any} read */
function list(read) {
  var n = F[at++]
  var out = []
  for (var i = 0; i < n; i++) out.push(read())
  return out
}
"#;

/// `messageTail`: what follows an error's own message, in the core's words, as its `Display`
/// writes them (a function, so that its words cost nothing until an error is made).
fn message_tail(o: &mut String) {
    use crate::core::error::words::{AND, AND_MESSAGE, BACKEND_SAID, ERRCODE, PLATFORM_SAID, STATUS};
    writeln!(
        o,
        "/**\n \
         * What follows an error's own message: its errcode and HTTP status, then what the backend\n \
         * or the platform said (core/error.rs, `Display`, in its `words`).\n \
         * @param {{number | null | undefined}} errcode @param {{number | null | undefined}} status\n \
         * @param {{string | null | undefined}} backendCode @param {{string | null | undefined}} detail\n \
         */\n\
         export function messageTail(errcode, status, backendCode, detail) {{\n  \
         var known = []\n  \
         if (errcode != null) known.push('{ERRCODE}' + errcode)\n  \
         if (status != null) known.push('{STATUS}' + status)\n  \
         return (known.length ? ' (' + known.join('{AND}') + ')' : '') +\n    \
         (backendCode ? '{BACKEND_SAID}' + backendCode + (detail ? '{AND_MESSAGE}' + detail : '')\n      \
         : detail ? '{PLATFORM_SAID}' + detail : '')\n\
         }}"
    )
    .unwrap();
}

/// The reader: the functions that read an output's effects, generated from [`EFFECTS`].
fn readers(o: &mut String) {
    o.push_str(READER);
    for (name, doc, list) in NAME_LISTS {
        let list: Vec<String> = list.iter().map(|n| format!("'{n}'")).collect();
        writeln!(
            o,
            "/** {doc} */
var {name} = [{}]",
            list.join(", ")
        )
        .unwrap();
    }
    for (name, doc, part) in NAMED {
        let body = match part {
            Part::Choice(_) => format!(
                "var c = F[at++]
  return {}",
                reader(&part, Some(name))
            ),
            Part::Object(fields) if fields.iter().any(|(_, p)| matches!(p, Part::Omitted(_))) => {
                object_with_omitted(fields)
            }
            _ => format!("return {}", reader(&part, Some(name))),
        };
        writeln!(
            o,
            "/** {doc} */
function {name}() {{
  {body}
}}"
        )
        .unwrap();
    }
    let bodies: Vec<String> = EFFECTS
        .iter()
        .enumerate()
        .map(|(tag, (_, fields))| {
            if tag == super::effect::TABLE as usize {
                let [(_, places)] = fields else {
                    panic!("the table's effect is its places")
                };
                format!("kept({})", reader(places, None))
            } else {
                format!("return {}", object(fields))
            }
        })
        .collect();
    // Effects of the same parts share one reader, named after the first of them.
    let first = |i: usize| bodies.iter().position(|b| *b == bodies[i]).unwrap_or(i);
    let shared = |i: usize| first(i) != i || bodies[i + 1..].contains(&bodies[i]);
    for (i, (name, _)) in EFFECTS.iter().enumerate() {
        if shared(i) && first(i) == i {
            writeln!(
                o,
                "/** The reader of {name} and of the effects like it. */\nfunction {name}Parts() {{\n  {}\n}}",
                bodies[i]
            )
            .unwrap();
        }
    }
    writeln!(
        o,
        "/** Each effect's reader, by its tag. @type {{Array<() => any>}} */\nvar EFFECT_READERS = ["
    )
    .unwrap();
    for (i, (name, _)) in EFFECTS.iter().enumerate() {
        if shared(i) {
            writeln!(o, "  /* {name} */ {}Parts,", EFFECTS[first(i)].0).unwrap();
        } else {
            writeln!(o, "  /* {name} */ function () {{ {} }},", bodies[i]).unwrap();
        }
    }
    writeln!(o, "]").unwrap();
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
    writeln!(
        o,
        "// The package's version (a trace says which core it was taken with)."
    )
    .unwrap();
    writeln!(o, "export const VERSION = '{}'", env!("CARGO_PKG_VERSION")).unwrap();
    writeln!(
        o,
        "// The field of setUserInfo's argument whose text the core reads."
    )
    .unwrap();
    writeln!(o, "export const USER_INFO_AVATAR = '{}'", fields::USER_INFO[1]).unwrap();
    writeln!(
        o,
        "/** The header whose seconds the core reads, its name in lower case. */\nexport const RETRY_AFTER = '{}'",
        super::answer::RETRY_AFTER
    )
    .unwrap();
    writeln!(
        o,
        "// The fields of a cookie the answer sets, as the core reads them."
    )
    .unwrap();
    for field in fields::COOKIE {
        writeln!(o, "export const COOKIE_{} = '{field}'", screaming(field)).unwrap();
    }
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
            "ENTRY_SLOTS",
            "The slots of an entry of a described object or array: its key's pair, its value.",
            ENTRY_SLOTS,
        ),
        (
            "TREE_AT",
            "Where the entries of the described objects and arrays start.",
            TREE_AT,
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
            "ANSWER_LENGTH_AT",
            "The slot of a backend answer's length in code units.",
            super::answer::LENGTH,
        ),
        (
            "ANSWER_COPIES_AT",
            "The slot where the values at a request's `copy` paths are described again, three slots each.",
            super::answer::COPIES_AT,
        ),
        (
            "USER_INFO_COPY_AT",
            "The slot where setUserInfo's avatarUrl is described again, its text copied.",
            super::user_info::COPY_AT,
        ),
        (
            "ANSWER_HEADER_AT",
            "The slot where a login answer's headers are described.",
            super::answer::HEADER_AT,
        ),
        (
            "ANSWER_COOKIES_AT",
            "The slot where the cookies a login answer sets are described, by name.",
            super::answer::COOKIES_AT,
        ),
        (
            "ANSWER_RETRY_AFTER_AT",
            "The slot where a login answer's Retry-After header is described again, its text copied.",
            super::answer::RETRY_AFTER_AT,
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
    message_tail(o);
    // The shim describes every key: it needs no list of names. The options' names are here
    // for the tests that try each option (the bundle leaves out what the shim does not use).
    names(
        o,
        "createSession's options, as the core reads them.",
        "OPTION_FIELDS",
        &fields::OPTIONS,
    );
    names(
        o,
        "The options the mini-program shim reads itself (known to the core).",
        "SHIM_OPTION_FIELDS",
        &fields::SHIM_OPTIONS,
    );
    let screamed: Vec<String> = EFFECTS.iter().map(|(name, _)| screaming(name)).collect();
    let tags: Vec<(&str, usize)> = screamed
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    constants(o, "Each effect's tag.", "EFFECT", &tags);
    // The names a trace's live log prints (mp-session/trace; the bundle of index.js leaves
    // them out): each input's kind, each effect's, by its number.
    let kinds: Vec<String> = (0..).map_while(super::kind_name).collect();
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    names(o, "Each input's kind, by its number.", "KINDS", &kinds);
    let effects: Vec<&str> = EFFECTS.iter().map(|(name, _)| *name).collect();
    names(o, "Each effect's name, by its tag.", "EFFECTS", &effects);
    readers(o);
    writeln!(
        o,
        "// The boundary's layout (src/wire/layout/, `layout_id`): a trace carries it.\n\
         export const LAYOUT = '{}'",
        super::layout_id()
    )
    .unwrap();
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
