//! The options of `createSession` (and a web page's own), from their facts: each option is
//! checked for its shape before any is read, and the error names the option.

use super::{field, number, Facts, Field, ObjectFacts, Wrong};
use crate::core::config::login::FACTS;
use crate::core::config::{
    AnswerOptions, Fact, FailureToast, LoginOptions, Options, StatusValue, TokenCarrier,
};
use crate::core::error::Error;
use crate::core::oauth::WebOptions;
use crate::wire::layout::{fields, value, ENTRY_SLOTS, SLOTS, WEB_OPTIONS_AT};
use crate::wire::text::units;

/// The options of `createSession`; the error names the option.
pub(crate) fn options(facts: Facts<'_>) -> Result<Options, Error> {
    decode_options(facts).map_err(|wrong| Error::invalid_config(wrong.describe("options are not valid: ")))
}

/// What an option must be.
#[derive(Clone, Copy)]
enum Shape {
    Text,
    Number,
    /// `false` or a text (`failureToast`).
    Toast,
    /// An array of texts (`allowedOrigins`).
    Texts,
    /// An object, checked where it is read (`login`).
    Object,
    /// `true` or `false`.
    Flag,
}

/// Each of [`fields::OPTIONS`]' shape, in order.
const OPTION_SHAPES: [Shape; 13] = [
    Shape::Text,
    Shape::Text,
    Shape::Text,
    Shape::Text,
    Shape::Number,
    Shape::Number,
    Shape::Number,
    Shape::Number,
    Shape::Toast,
    Shape::Text,
    Shape::Texts,
    Shape::Object,
    Shape::Flag,
];

fn decode_options(facts: Facts<'_>) -> Result<Options, Wrong> {
    let options = facts.object(0, &fields::OPTIONS);
    // The shim's own options are the shim's to check; they are known here all the same.
    options.known_object(&fields::SHIM_OPTIONS)?;
    // Every option is checked before any is read: a wrong one leaves nothing half made.
    for (index, shape) in OPTION_SHAPES.into_iter().enumerate() {
        options.read(index, |f| shaped(f, shape, facts))?;
    }
    let text = |index| options.text_of(index);
    let number = |index| Some(options.field(index)).filter(is_given).map(|f| f.a);
    let origins = options.field(10);
    Ok(Options {
        login_url: text(0),
        cloud_function: text(1),
        platform: text(2),
        namespace: text(3),
        leeway_seconds: number(4),
        default_ttl_seconds: number(5),
        timeout_ms: number(6),
        max_retries: number(7),
        failure_toast: match options.field(8).kind {
            k if k == value::FALSE => Some(FailureToast::Off),
            _ => text(8).map(FailureToast::Text),
        },
        token_header: text(9),
        allowed_origins: is_given(&origins)
            .then(|| entries(origins).filter_map(|at| facts.text(at + 1)).collect()),
        login: login(facts, &options, 11).map_err(|wrong| wrong.in_field("login"))?,
        background_fetch_token: match options.field(12).kind {
            k if k == value::TRUE => Some(true),
            k if k == value::FALSE => Some(false),
            _ => None,
        },
    })
}

/// The `login` option (field `index` of `options`), every setting checked for its shape.
fn login(
    facts: Facts<'_>,
    options: &ObjectFacts<'_>,
    index: usize,
) -> Result<Option<Box<LoginOptions>>, Wrong> {
    if !is_given(&options.field(index)) {
        return Ok(None);
    }
    let login = facts.object(options.at(index), &fields::LOGIN);
    login.known_object(&[])?;
    let mut texts: [Option<String>; 4] = Default::default();
    for (index, text) in texts.iter_mut().enumerate() {
        *text = text_setting(&login, index)?;
    }
    let fields = login
        .read(4, |_| string_map(facts.object(login.at(4), &[])))
        .map(Option::flatten)?;
    let answer = answer(facts, &login, 5).map_err(|wrong| wrong.in_field("answer"))?;
    let [method, body, code_field, platform_field] = texts;
    Ok(Some(Box::new(LoginOptions {
        method,
        body,
        code_field,
        platform_field,
        fields,
        answer,
    })))
}

/// `login.fields`: an object of strings, its entries in order (a name given twice, as JSON
/// keeps it: once, with its last value).
fn string_map(map: ObjectFacts<'_>) -> Result<Option<Vec<(String, String)>>, Wrong> {
    let wrong = || Wrong::new("must be an object of strings");
    if !map.is_object() || map.crowded {
        return Err(wrong());
    }
    let mut entries = Vec::new();
    for (name, at) in map.entries() {
        let value = (map.facts.kind(at) == value::STRING)
            .then(|| map.facts.text(at + 1))
            .flatten();
        let (Some(name), Some(value)) = (name, value) else {
            return Err(wrong());
        };
        entries.push((name, value));
    }
    Ok(Some(entries))
}

/// `login.answer` (field `index` of `login`).
fn answer(facts: Facts<'_>, login: &ObjectFacts<'_>, index: usize) -> Result<Option<AnswerOptions>, Wrong> {
    if !is_given(&login.field(index)) {
        return Ok(None);
    }
    let answer = facts.object(login.at(index), &fields::LOGIN_ANSWER_SETTINGS);
    if !answer.is_object() {
        return Err(Wrong::new("must be an object"));
    }
    answer.known_object(&[])?;
    let mut read = AnswerOptions::default();
    for (fact, path) in read.paths.iter_mut().enumerate() {
        if fact == Fact::Token as usize && answer.field(fact).kind == value::OBJECT {
            let carrier = facts.object(answer.at(fact), &fields::TOKEN_CARRIER);
            read.token_carrier = Some(token_carrier(carrier).map_err(|wrong| wrong.in_field("token"))?);
            continue;
        }
        *path = text_setting(&answer, fact)?;
    }
    read.success = answer.read(FACTS, |_| status_values(facts, answer.at(FACTS)))?;
    Ok(Some(read))
}

/// `login.answer.token` given as an object: `{ header: NAME }` or `{ cookie: NAME }`.
fn token_carrier(carrier: ObjectFacts<'_>) -> Result<TokenCarrier, Wrong> {
    carrier.known_object(&[])?;
    let header = text_setting(&carrier, field!(fields::TOKEN_CARRIER, "header"))?;
    let cookie = text_setting(&carrier, field!(fields::TOKEN_CARRIER, "cookie"))?;
    match (header, cookie) {
        (Some(name), None) => Ok(TokenCarrier::Header(name)),
        (None, Some(name)) => Ok(TokenCarrier::Cookie(name)),
        _ => Err(Wrong::new("must be a path, { header: NAME } or { cookie: NAME }")),
    }
}

/// `login.answer.success`: an array of numbers, texts or `true`/`false`.
fn status_values(facts: Facts<'_>, at: usize) -> Result<Vec<StatusValue>, Wrong> {
    let wrong = || Wrong::new("must list numbers, texts, true or false");
    let array = Field {
        kind: facts.kind(at),
        a: facts.slot(at + 1),
        b: facts.slot(at + 2),
    };
    if array.kind != value::ARRAY || (array.a > 0.0 && array.b < 0.0) {
        return Err(wrong());
    }
    let mut values = Vec::new();
    for at in entries(array) {
        values.push(match facts.kind(at) {
            k if k == value::NUMBER && facts.slot(at + 1).is_finite() => {
                StatusValue::Number(facts.slot(at + 1))
            }
            k if k == value::STRING => StatusValue::Text(facts.text(at + 1).ok_or_else(wrong)?),
            k if k == value::TRUE => StatusValue::Flag(true),
            k if k == value::FALSE => StatusValue::Flag(false),
            _ => return Err(wrong()),
        });
    }
    Ok(values)
}

/// A setting that is a string, if it is given.
fn text_setting(object: &ObjectFacts<'_>, index: usize) -> Result<Option<String>, Wrong> {
    if !is_given(&object.field(index)) {
        return Ok(None);
    }
    let text = object.text_of(index);
    text.map(Some)
        .ok_or_else(|| Wrong::new("must be a string").in_field(object.name(index)))
}

/// Whether a field holds a value (neither absent nor `null`).
fn is_given(field: &Field) -> bool {
    field.kind != value::ABSENT && field.kind != value::NULL
}

/// The slots of the values of an array's entries (none when they did not fit: the config's
/// check then finds too few, and names the limit).
fn entries(array: Field) -> impl Iterator<Item = usize> {
    let described = array.b >= 0.0 && array.b < SLOTS as f64;
    let count = if described && array.a >= 0.0 {
        (array.a as usize).min(SLOTS)
    } else {
        0
    };
    (0..count).map(move |i| array.b as usize + ENTRY_SLOTS * i + 2)
}

/// Checks that a given option has its shape.
fn shaped(f: Field, shape: Shape, facts: Facts<'_>) -> Result<(), Wrong> {
    let readable = |a, b| units(a, b, facts.texts).is_some();
    match shape {
        Shape::Number => number(f).map(|_| ()),
        Shape::Text if f.kind == value::STRING && readable(f.a, f.b) => Ok(()),
        // A string longer than the texts area crosses as its length alone.
        Shape::Text if f.kind == value::STRING => Err(Wrong::new("is too long")),
        Shape::Text => Err(Wrong::new("must be a string")),
        Shape::Toast if f.kind == value::FALSE || (f.kind == value::STRING && readable(f.a, f.b)) => Ok(()),
        Shape::Toast => Err(Wrong::new("must be false or the text to show")),
        Shape::Texts if f.kind != value::ARRAY => Err(Wrong::new("must be an array of strings")),
        Shape::Object if f.kind == value::OBJECT => Ok(()),
        Shape::Object => Err(Wrong::new("must be an object")),
        Shape::Flag if f.kind == value::TRUE || f.kind == value::FALSE => Ok(()),
        Shape::Flag => Err(Wrong::new("must be true or false")),
        Shape::Texts => {
            let all = entries(f).all(|at| {
                facts.kind(at) == value::STRING && readable(facts.slot(at + 1), facts.slot(at + 2))
            });
            if all {
                Ok(())
            } else {
                Err(Wrong::new("must be a string"))
            }
        }
    }
}

/// A web page's own options, described at [`WEB_OPTIONS_AT`] (absent: none given).
#[cfg_attr(not(all(feature = "web", target_arch = "wasm32")), allow(dead_code))]
pub(crate) fn web_options(facts: Facts<'_>) -> Result<WebOptions, Error> {
    let web = facts.object(WEB_OPTIONS_AT, &fields::WEB_OPTIONS);
    let decoded = (|| -> Result<_, Wrong> {
        if facts.kind(WEB_OPTIONS_AT) == value::ABSENT {
            return Ok(WebOptions::default());
        }
        web.known_object(&[])?;
        Ok(WebOptions {
            appid: web.string(0)?,
            scope: web.string(1)?,
            authorize_url: web.string(2)?,
            redirect_uri: web.string(3)?,
        })
    })();
    decoded.map_err(|wrong| Error::invalid_config(wrong.describe("web options are not valid: ")))
}
