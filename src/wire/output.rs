//! Writing what one call hands back to JavaScript: the effects as numbers in the slots, the
//! core's own words (messages, the storage key) as code units in the texts area, and every
//! string that only passed through the core as the pair that names it. Each effect is written
//! part by part in the order and the shapes of `layout/parts.rs` (`EFFECTS`), from which the
//! shim's readers are generated; the tests below read every effect back through that table.

use crate::core::config::Config;
use crate::core::effect::{Calls, Effect, Settled, ANONYMOUS_CODE_FIELD, DEVICE_ID_KEY, PLATFORM_FIELD};
use crate::core::error::Error;
use crate::core::record::Record;
use crate::core::session::{Session, Source, UserId};
use crate::core::user_info::UserInfo;
use crate::wire::layout::answer::MAX_COPIES;
use crate::wire::layout::parts::{group, settled, source, user_id};
use crate::wire::layout::{effect, header, pair, HEADER, MAX_EFFECT_SLOTS, NO_DEADLINE};
use crate::wire::text::{Crossing, WireText};

/// The output being written.
#[derive(Debug)]
pub(crate) struct Output<'a> {
    slots: &'a mut [f64],
    used: usize,
    /// The texts area: written from its start, grown when needed, never shrunk (JavaScript
    /// writes the next input's texts into the room it reserved).
    texts: &'a mut Vec<u16>,
    texts_used: usize,
}

impl<'a> Output<'a> {
    /// An empty output over the exchange's slots and texts (the input was read already).
    pub(crate) fn new(slots: &'a mut [f64], texts: &'a mut Vec<u16>) -> Output<'a> {
        Output {
            slots,
            used: HEADER,
            texts,
            texts_used: 0,
        }
    }

    /// Whether one more effect of any kind fits.
    pub(crate) fn has_room(&self) -> bool {
        self.used + MAX_EFFECT_SLOTS <= self.slots.len()
    }

    /// Appends one number (callers check [`Output::has_room`] before each effect).
    pub(crate) fn slot(&mut self, x: f64) {
        if let Some(slot) = self.slots.get_mut(self.used) {
            *slot = x;
        }
        self.used += 1;
    }

    /// Appends the pair of a text of the core's own, its code units in the texts area.
    pub(crate) fn text(&mut self, text: &str) {
        let start = self.texts_used;
        for unit in text.encode_utf16() {
            match self.texts.get_mut(self.texts_used) {
                Some(slot) => *slot = unit,
                None => self.texts.push(unit),
            }
            self.texts_used += 1;
        }
        self.slot(start as f64);
        self.slot((self.texts_used - start) as f64);
    }

    /// Appends the pair that names a text which passed through the core.
    fn passed_text<T: WireText>(&mut self, text: &T) {
        match text.crossing() {
            Crossing::InTable(id) => {
                self.slot(f64::from(id));
                self.slot(pair::IN_TABLE);
            }
            Crossing::Inline(text) => self.text(text),
        }
    }

    fn none(&mut self) {
        self.slot(pair::NONE);
        self.slot(0.0);
    }

    /// The paths whose values the answer's describer copies (`copy`): a count, then each.
    fn copied(&mut self, paths: [Option<&str>; MAX_COPIES]) {
        self.number(paths.iter().flatten().count() as f64);
        for path in paths.iter().flatten() {
            self.text(path);
        }
    }

    fn opt_text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.text(text),
            None => self.none(),
        }
    }

    #[cfg_attr(mp_session_tuned, optimize(speed))]
    fn passed<T: WireText>(&mut self, text: Option<&T>) {
        match text {
            Some(text) => self.passed_text(text),
            None => self.none(),
        }
    }

    fn flag(&mut self, on: bool) {
        self.slot(if on { 1.0 } else { 0.0 });
    }

    fn number(&mut self, n: impl Into<f64>) {
        self.slot(n.into());
    }

    /// A slot that says whether there is a profile, then its `nickName` and `avatarUrl`.
    fn user_info<T: WireText>(&mut self, info: Option<&UserInfo<T>>) {
        self.flag(info.is_some());
        if let Some(info) = info {
            self.passed(info.nick_name.as_ref());
            self.passed(info.avatar_url.as_ref());
        }
    }

    /// A slot that says whether there is a user id, then its choice slot ([`user_id`]) and
    /// its text or its number.
    fn user_id<T: WireText>(&mut self, id: Option<&UserId<T>>) {
        self.flag(id.is_some());
        match id {
            None => {}
            Some(UserId::Text(text)) => {
                self.slot(user_id::TEXT);
                self.passed_text(text);
            }
            Some(UserId::Number(n)) => {
                self.slot(user_id::NUMBER);
                self.number(*n as f64);
            }
        }
    }

    /// A number, or NaN for none.
    fn maybe_number(&mut self, n: Option<f64>) {
        self.slot(n.unwrap_or(f64::NAN));
    }

    /// A session: openid, unionid, token, expiresAt, userInfo, source (0 cache, 1 login), userId.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    fn session<T: WireText>(&mut self, session: &Session<T>) {
        self.passed(session.openid.as_ref());
        self.passed(session.unionid.as_ref());
        self.passed(session.token.as_ref().map(|t| t.text()));
        self.number(session.expires_at as f64);
        self.user_info(session.user_info.as_ref());
        self.slot(match session.source {
            Source::Cache => source::CACHE,
            Source::Login => source::LOGIN,
        });
        self.user_id(session.user_id.as_ref());
    }

    /// A slot that says whether there is a session, then the session if there is.
    fn opt_session<T: WireText>(&mut self, session: Option<&Session<T>>) {
        self.flag(session.is_some());
        if let Some(session) = session {
            self.session(session);
        }
    }

    /// The record as stored, in the order of `parts::RECORD` (every field named: one added to
    /// the record is a compile error here until it is written).
    fn record<T: WireText>(&mut self, record: &Record<T>) {
        let Record {
            v,
            openid,
            unionid,
            token,
            expires_at,
            obtained_at,
            user_info,
            user_id,
        } = record;
        self.number(*v);
        self.passed(openid.as_ref());
        self.passed(unionid.as_ref());
        self.passed(token.as_ref().map(|t| t.text()));
        self.number(*expires_at as f64);
        self.number(*obtained_at as f64);
        self.user_info(user_info.as_ref());
        self.user_id(user_id.as_ref());
    }

    /// An error as the shim turns it into an `Error`, in the order of `parts::ERROR`.
    pub(crate) fn error<T: WireText>(&mut self, error: &Error<T>) {
        self.text(error.code().as_str());
        self.text(error.message());
        self.flag(error.is_retryable());
        self.maybe_number(error.errcode().map(|e| e as f64));
        self.maybe_number(error.status().map(f64::from));
        self.opt_text(error.detail());
        self.opt_text(error.backend_code());
        self.opt_session(error.session());
    }

    /// The session `mps_create` made, and the storage keys JavaScript reads and writes.
    pub(crate) fn created(&mut self, id: u32, config: &Config) {
        self.slot(effect::CREATED);
        self.number(id);
        self.text(config.storage_key());
        self.text(DEVICE_ID_KEY);
    }

    /// A failed `mps_create`.
    pub(crate) fn not_created(&mut self, error: &Error) {
        self.slot(effect::REJECT);
        self.calls(Calls::One(0));
        self.error(error);
    }

    /// What `current()` returns.
    pub(crate) fn current<T: WireText>(&mut self, session: Option<&Session<T>>) {
        self.slot(effect::CURRENT);
        self.opt_session(session);
    }

    /// A redirect to `url` (web pages).
    #[cfg_attr(not(all(feature = "web", target_arch = "wasm32")), allow(dead_code))]
    pub(crate) fn redirect(&mut self, url: &str) {
        self.slot(effect::REDIRECT);
        self.text(url);
    }

    /// The strings of JavaScript's table to keep, in their new order; `false` (and nothing
    /// written) when they do not fit.
    #[cfg_attr(feature = "web", allow(dead_code))]
    pub(crate) fn table(&mut self, ids: &[u32]) -> bool {
        if self.used + 2 + ids.len() + MAX_EFFECT_SLOTS > self.slots.len() {
            return false;
        }
        self.slot(effect::TABLE);
        self.number(ids.len() as f64);
        for &id in ids {
            self.number(id);
        }
        true
    }

    /// Adds one effect of the machine; `config` names what the effect is carried out with (the
    /// login request's URL, the token's header, the toast's text).
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub(crate) fn effect<T: WireText>(&mut self, effect: &Effect<T>, config: &Config) {
        match effect {
            Effect::ReadSession { op } => self.op(effect::READ_SESSION, op.0),
            Effect::WriteSession { op, record } => {
                self.op(effect::WRITE_SESSION, op.0);
                self.record(record);
            }
            Effect::RemoveSession { op } => self.op(effect::REMOVE_SESSION, op.0),
            Effect::ReadDeviceId { op } => self.op(effect::READ_DEVICE_ID, op.0),
            Effect::WriteDeviceId { op, id } => {
                self.op(effect::WRITE_DEVICE_ID, op.0);
                self.text(id);
            }
            Effect::Login {
                op,
                timeout_ms,
                silent,
            } => {
                self.op(effect::LOGIN, op.0);
                self.number(*timeout_ms);
                self.flag(*silent);
            }
            Effect::PostCode { op, body, timeout_ms } => {
                let shape = config.login_shape();
                self.op(effect::POST_CODE, op.0);
                self.opt_text(config.login_url());
                self.text(shape.method.http_method());
                self.text(shape.method.content_type());
                // The body's fields (`FIELD`s): the code, the platform where the shape sends
                // it, then the constant fields.
                let code_field = if body.anonymous {
                    ANONYMOUS_CODE_FIELD
                } else {
                    &shape.code_field
                };
                self.number((1 + usize::from(shape.platform_field.is_some()) + shape.fields.len()) as f64);
                self.text(code_field);
                self.passed_text(body.code.text());
                if let Some(field) = &shape.platform_field {
                    self.text(field);
                    self.text(body.platform);
                }
                for (name, value) in &shape.fields {
                    self.text(name);
                    self.text(value);
                }
                self.copied(shape.answer.copied());
                self.number(*timeout_ms);
            }
            Effect::CallFunction { op, timeout_ms } => {
                self.op(effect::CALL_FUNCTION, op.0);
                self.opt_text(config.cloud_function());
                // The data's one field: the platform.
                self.number(1);
                self.text(PLATFORM_FIELD);
                self.text(config.platform().as_str());
                self.copied(config.login_shape().answer.copied());
                self.number(*timeout_ms);
            }
            Effect::Abort { op } => self.op(effect::ABORT, op.0),
            Effect::SendRequest { op, again, token } => {
                self.op(effect::SEND_REQUEST, op.0);
                self.maybe_number(again.map(|first| f64::from(first.0)));
                self.flag(token.is_some());
                if let Some(token) = token {
                    self.text(config.token_header());
                    self.text(config.token_scheme());
                    self.passed_text(token.text());
                }
            }
            Effect::Hold { op } => self.op(effect::HOLD, op.0),
            Effect::Wait { call, on } => {
                self.op(effect::WAIT, *call);
                self.calls(*on);
            }
            Effect::Settle {
                calls,
                result: Ok(settled),
            } => {
                self.slot(effect::RESOLVE);
                self.calls(*calls);
                match settled {
                    Settled::Session(session) => {
                        self.slot(settled::SESSION);
                        self.session(session);
                    }
                    Settled::DeviceId(id) => {
                        self.slot(settled::DEVICE_ID);
                        self.text(id);
                    }
                    Settled::Done => self.slot(settled::DONE),
                    Settled::Response { op } => {
                        self.slot(settled::RESPONSE);
                        self.number(op.0);
                    }
                }
            }
            Effect::Settle {
                calls,
                result: Err(error),
            } => {
                self.slot(effect::REJECT);
                self.calls(*calls);
                self.error(error);
            }
            Effect::Changed { session } => {
                self.slot(effect::CHANGED);
                self.opt_session(session.as_ref());
            }
            Effect::Toast => {
                self.slot(effect::TOAST);
                self.opt_text(config.failure_toast());
            }
            Effect::SetFetchToken { token } => {
                self.slot(effect::SET_FETCH_TOKEN);
                self.passed_text(token.text());
            }
            Effect::Warn { text } => {
                self.slot(effect::WARN);
                self.text(text);
            }
        }
    }

    /// Which calls: the group, and the call (`One`) or the effect (`Of`) it names.
    fn calls(&mut self, calls: Calls) {
        let (group, id) = match calls {
            Calls::One(call) => (group::ONE, call),
            Calls::Waiting => (group::WAITING, 0),
            Calls::Of(op) => (group::OF, op.0),
            Calls::Requests => (group::REQUESTS, 0),
            Calls::DeviceIds => (group::DEVICE_IDS, 0),
        };
        self.slot(group);
        self.number(id);
    }

    fn op(&mut self, kind: f64, id: u32) {
        self.slot(kind);
        self.number(id);
    }

    /// Ends the output: the header says how many slots it uses, whether effects wait for
    /// room ([`crate::wire::layout::kind::MORE`]), the deadline ([`crate::wire::layout::NO_DEADLINE`] for none) and where the
    /// texts are.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub(crate) fn finish(self, more: bool, deadline: Option<u64>) {
        let mut slots = [0.0; HEADER];
        slots[header::USED] = self.used as f64;
        slots[header::MORE] = if more { 1.0 } else { 0.0 };
        slots[header::DEADLINE] = deadline.map_or(NO_DEADLINE, |at| at as f64);
        slots[header::TEXTS] = self.texts.as_ptr() as usize as f64;
        self.slots[..HEADER].copy_from_slice(&slots);
    }
}

#[cfg(test)]
mod tests {
    use super::Output;
    use crate::core::effect::{Calls, Effect, LoginBody, Settled};
    use crate::core::error::{Error, ErrorCode};
    use crate::core::input::OpId;
    use crate::core::record::Record;
    use crate::core::secret::Secret;
    use crate::core::session::{Session, Source, UserId};
    use crate::core::user_info::UserInfo;
    use crate::testing::outputs::{effects, Read, Text};
    use crate::wire::layout::parts::EFFECTS;
    use crate::wire::layout::SLOTS;
    use crate::wire::layout::{HEADER, MAX_EFFECT_SLOTS};

    fn text(s: &str) -> Read {
        Read::Text(Text::Inline(s.to_owned()))
    }

    fn config() -> crate::Config {
        let mut options = crate::Options::new("https://api.example.com/auth/login");
        options.token_header = Some("X-Token".into());
        options.failure_toast = Some(crate::FailureToast::Text("登录失败".into()));
        crate::Config::from_options(options).unwrap()
    }

    fn field(name: &str, value: &str) -> Read {
        Read::Object(vec![("name", text(name)), ("value", text(value))])
    }

    fn session(user_info: bool) -> Session {
        Session {
            openid: Some("o-1".into()),
            user_id: Some(UserId::Number(42)),
            unionid: None,
            token: Some(Secret::hide("t-1".into())),
            expires_at: 7_000,
            user_info: user_info.then(|| UserInfo {
                nick_name: Some("Ann".into()),
                avatar_url: None,
            }),
            source: Source::Login,
        }
    }

    /// Every effect the machine can give, with what each part must read back as.
    fn every_effect() -> Vec<(Effect, Vec<(&'static str, Read)>)> {
        let op = OpId(3);
        let record = Record {
            v: 1,
            openid: None,
            user_id: Some(UserId::Text("u-42".to_owned())),
            unionid: Some("u-1".to_owned()),
            token: None,
            expires_at: 9_000,
            obtained_at: 2_000,
            user_info: Some(UserInfo {
                nick_name: None,
                avatar_url: Some("https://a/x.png".into()),
            }),
        };
        let error = Error::new(ErrorCode::Backend, "the backend said no")
            .with_status(500)
            .with_session(session(false));
        vec![
            (Effect::ReadSession { op }, vec![("op", Read::Number(3.0))]),
            (
                Effect::WriteSession { op, record },
                vec![
                    ("record.v", Read::Number(1.0)),
                    ("record.openid", Read::Text(Text::None)),
                    ("record.userId", text("u-42")),
                    ("record.unionid", text("u-1")),
                    ("record.token", Read::Text(Text::None)),
                    ("record.obtainedAt", Read::Number(2_000.0)),
                    ("record.userInfo.avatarUrl", text("https://a/x.png")),
                ],
            ),
            (Effect::RemoveSession { op }, vec![("op", Read::Number(3.0))]),
            (Effect::ReadDeviceId { op }, vec![("op", Read::Number(3.0))]),
            (
                Effect::WriteDeviceId { op, id: "d-1".into() },
                vec![("id", text("d-1"))],
            ),
            (
                Effect::Login {
                    op,
                    timeout_ms: 500,
                    silent: true,
                },
                vec![("timeoutMs", Read::Number(500.0)), ("silent", Read::Flag(true))],
            ),
            (
                Effect::PostCode {
                    op,
                    body: LoginBody {
                        code: Secret::hide("c-1".into()),
                        anonymous: true,
                        platform: "tt",
                    },
                    timeout_ms: 500,
                },
                vec![
                    ("url", text("https://api.example.com/auth/login")),
                    ("method", text("POST")),
                    ("contentType", text("application/json")),
                    (
                        "body",
                        Read::List(vec![field("anonymousCode", "c-1"), field("platform", "tt")]),
                    ),
                    ("copy", Read::List(vec![text("error")])),
                    ("timeoutMs", Read::Number(500.0)),
                ],
            ),
            (Effect::Abort { op }, vec![("op", Read::Number(3.0))]),
            (
                Effect::SendRequest {
                    op,
                    again: Some(OpId(2)),
                    token: None,
                },
                vec![("again", Read::Number(2.0)), ("header", Read::Nothing)],
            ),
            (
                Effect::SendRequest {
                    op,
                    again: None,
                    token: Some(Secret::hide("t-2".into())),
                },
                vec![
                    ("again", Read::Number(f64::NAN)),
                    ("header.name", text("X-Token")),
                    ("header.prefix", text("")),
                    ("header.token", text("t-2")),
                ],
            ),
            (
                Effect::Settle {
                    calls: Calls::Of(op),
                    result: Ok(Settled::Session(session(true))),
                },
                vec![
                    ("group", Read::Name("of")),
                    ("id", Read::Number(3.0)),
                    ("value.token", text("t-1")),
                    ("value.userInfo.nickName", text("Ann")),
                    ("value.source", Read::Name("login")),
                ],
            ),
            (
                Effect::Settle {
                    calls: Calls::DeviceIds,
                    result: Ok(Settled::DeviceId("d-1".into())),
                },
                vec![("group", Read::Name("deviceIds")), ("value", text("d-1"))],
            ),
            (
                Effect::Settle {
                    calls: Calls::One(8),
                    result: Ok(Settled::Done),
                },
                vec![
                    ("group", Read::Name("one")),
                    ("id", Read::Number(8.0)),
                    ("value", Read::Nothing),
                ],
            ),
            (
                Effect::Settle {
                    calls: Calls::Requests,
                    result: Ok(Settled::Response { op }),
                },
                vec![("group", Read::Name("requests")), ("value", Read::Number(3.0))],
            ),
            (
                Effect::Settle {
                    calls: Calls::Waiting,
                    result: Err(error),
                },
                vec![
                    ("group", Read::Name("waiting")),
                    ("error.code", text("BACKEND")),
                    ("error.message", text("the backend said no")),
                    ("error.status", Read::Number(500.0)),
                    ("error.detail", Read::Text(Text::None)),
                    ("error.session.openid", text("o-1")),
                    ("error.session.userInfo", Read::Nothing),
                ],
            ),
            (
                Effect::Changed { session: None },
                vec![("session", Read::Nothing)],
            ),
            (Effect::Toast, vec![("text", text("登录失败"))]),
            (
                Effect::SetFetchToken {
                    token: Secret::new("tok-1"),
                },
                vec![("token", text("tok-1"))],
            ),
            (
                Effect::Warn {
                    text: "the token is too long".into(),
                },
                vec![("text", text("the token is too long"))],
            ),
            (
                Effect::CallFunction { op, timeout_ms: 800 },
                vec![
                    ("name", Read::Text(Text::None)),
                    ("data", Read::List(vec![field("platform", "wx")])),
                    ("timeoutMs", Read::Number(800.0)),
                ],
            ),
            (Effect::Hold { op }, vec![("op", Read::Number(3.0))]),
            (
                Effect::Wait {
                    call: 5,
                    on: Calls::Of(op),
                },
                vec![
                    ("call", Read::Number(5.0)),
                    ("group", Read::Name("of")),
                    ("id", Read::Number(3.0)),
                ],
            ),
        ]
    }

    #[test]
    fn every_effect_reads_back_through_the_layout_tables_part_by_part() {
        let mut slots = [0.0; SLOTS];
        let mut texts = Vec::new();
        for (effect, expected) in every_effect() {
            let mut out = Output::new(&mut slots, &mut texts);
            out.effect(&effect, &config());
            // An effect fits the room every effect is given.
            assert!(
                out.used - HEADER <= MAX_EFFECT_SLOTS,
                "{effect:?} takes {} slots",
                out.used - HEADER
            );
            out.effect(&Effect::<String>::Toast, &config());
            out.finish(false, None);
            let read = effects(&slots, &texts).unwrap_or_else(|e| panic!("{effect:?}: {e}"));
            assert_eq!(read.len(), 2, "{effect:?} and a toast after it: {read:?}");
            for (path, want) in expected {
                let got = read[0].get(path);
                // NaN, none, is no number equal to itself.
                let both_nan =
                    matches!((got, &want), (Read::Number(a), Read::Number(b)) if a.is_nan() && b.is_nan());
                assert!(
                    both_nan || got == &want,
                    "{effect:?}: {path}: {got:?}, not {want:?}"
                );
            }
            assert_eq!(read[1].name, "toast", "{effect:?} ends where its parts say");
        }
        // Each effect the machine gives is written by the writer and named in the table.
        let names: Vec<&str> = every_effect()
            .iter()
            .map(|(effect, _)| {
                let mut out = Output::new(&mut slots, &mut texts);
                out.effect(effect, &config());
                out.finish(false, None);
                effects(&slots, &texts).unwrap()[0].name
            })
            .collect();
        for (name, _) in EFFECTS {
            let by_host = ["redirect", "current", "table", "created"];
            assert!(
                names.contains(&name) || by_host.contains(&name),
                "{name} is never written"
            );
        }
    }

    #[test]
    fn the_host_s_own_effects_read_back_too() {
        let mut slots = [0.0; SLOTS];
        let mut texts = Vec::new();
        let mut out = Output::new(&mut slots, &mut texts);
        out.redirect("https://open.weixin.qq.com/x");
        out.current(Some(&session(false)));
        assert!(out.table(&[4, 0]));
        out.created(2, &config());
        out.finish(false, None);
        let read = effects(&slots, &texts).unwrap();
        let names: Vec<&str> = read.iter().map(|e| e.name).collect();
        assert_eq!(names, ["redirect", "current", "table", "created"]);
        assert_eq!(read[1].get("session.source"), &Read::Name("login"));
        assert_eq!(
            read[2].get("keep"),
            &Read::List(vec![Read::Number(4.0), Read::Number(0.0)])
        );
        assert_eq!(read[3].get("id"), &Read::Number(2.0));
        assert_eq!(read[3].get("storageKey"), &text("mp-session:default"));
        assert_eq!(read[3].get("deviceIdKey"), &text("mp-session:device-id"));
    }
}
