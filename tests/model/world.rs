//! The world around one machine, as the model check drives it: the effects it is owed answers
//! for, storage, the clock, what the app has asked, and what the invariants must remember.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use mp_session::decode::decode_object;
use mp_session::testing::Ledger;
use mp_session::{
    Answer, AnswerOptions, CallId, Config, Effect, Envelope, ErrorCode, Fact, Input, LoginOptions,
    LoginResult, Machine, OpId, Options, PlatformError, Record, Reply, Secret, SendResult, Settled, Standing,
    StatusValue, StoredSession, TokenCarrier, UserId, UserInfo, BACKOFF_CAP_MS, MAX_REQUESTS_IN_FLIGHT,
};

/// The clock at the start: 2026-01-01T00:00:00Z.
pub const START: u64 = 1_767_225_600_000;
const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;

/// How often the app may make each call on one path.
const ENSURES: u8 = 2;

/// What storage holds under the session key.
#[derive(Clone, Debug)]
pub enum Stored {
    Absent,
    Record(Record),
    /// A value that is not a record.
    Corrupt,
}

/// One thing that happens next.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    Ensure,
    SetUserInfo,
    Request,
    Logout,
    /// `wx.login` number n (oldest first) gives a code, or fails.
    LoginAnswer(usize, bool),
    /// Login request number n is answered.
    PostAnswer(usize, PostOutcome),
    /// The app's request number n is answered.
    SendAnswer(usize, SendOutcome),
    /// Storage starts (or stops) refusing writes and removals.
    WritesFail(bool),
    /// Time passes to the next deadline: the machine's, or the session's leeway or expiry.
    Tick,
}

/// How the backend answers a login request.
#[derive(Clone, Copy, Debug)]
pub enum PostOutcome {
    Session,
    /// errcode -1: retry with backoff.
    Busy,
    /// errcode 40029: one fresh code.
    BadCode,
    /// errcode 40226: fail at once.
    Blocked,
    ServerError,
    /// HTTP 401 without an errcode: another 4xx, fail at once.
    Refused,
    Unreadable,
    NetworkFailure,
    /// HTTP 503 with `Retry-After: 2`: a wait a backoff covers (a 429's is the same).
    RateLimited,
    /// HTTP 429 with `Retry-After: 30`: longer than any backoff waits.
    RateLimitedLong,
}

impl PostOutcome {
    pub const ALL: [PostOutcome; 10] = [
        PostOutcome::Session,
        PostOutcome::Busy,
        PostOutcome::BadCode,
        PostOutcome::Blocked,
        PostOutcome::ServerError,
        PostOutcome::Refused,
        PostOutcome::Unreadable,
        PostOutcome::NetworkFailure,
        PostOutcome::RateLimited,
        PostOutcome::RateLimitedLong,
    ];

    /// The seconds its `Retry-After` asks to wait, if it has one.
    fn retry_after(self) -> Option<u32> {
        match self {
            PostOutcome::RateLimited => Some(2),
            PostOutcome::RateLimitedLong => Some(30),
            _ => None,
        }
    }
}

/// How the app's backend answers one of its requests.
#[derive(Clone, Copy, Debug)]
pub enum SendOutcome {
    Accepted,
    Rejected,
    Failed,
}

/// The machine, the world around it, and the ghost state the invariants need.
#[derive(Clone)]
pub struct World {
    machine: Machine,
    now: u64,
    stored: Stored,
    reads_fail: bool,
    writes_fail: bool,
    ensures_left: u8,
    user_info_left: bool,
    request_left: bool,
    logout_left: bool,
    next_call: CallId,
    next_code: u32,
    /// `wx.login` calls not answered yet, oldest first (the machine may have given up on some).
    logins: Vec<OpId>,
    /// Login requests not answered yet (aborted ones included: an answer may still arrive).
    posts: Vec<OpId>,
    /// App requests under way: id, call, token carried, logout generation when sent.
    sends: Vec<(OpId, CallId, Option<String>, u32)>,
    /// The `wx.login` the machine waits for, and until when (`timeoutMs` after the call).
    live_login: Option<(OpId, u64)>,
    generation: u32,
    /// The token of the session the app sees (from `Changed`).
    current_token: Option<String>,
    codes_posted: BTreeSet<String>,
    sends_per_call: BTreeMap<CallId, u8>,
    calls: BTreeSet<CallId>,
    settled: BTreeSet<CallId>,
    /// Which calls wait where, as the shim keeps them.
    ledger: Ledger,
    /// After a final login failure or a logout: a login needs a new reason.
    quiet: bool,
    /// The backend's shape: mp-session's own, or one described by `login`.
    backend: Backend,
    /// While a login's answer is fed: the token it carries (a session's, if it makes one).
    answering: Option<String>,
    /// No login may start before this time: the backend's latest `Retry-After` asked so.
    held_until: u64,
    violation: Option<String>,
}

/// A backend's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// mp-session's own: `POST {code, platform}` answered `{ openid, token }`.
    Own,
    /// An envelope (`{ code, msg, data: { token, userId } }`, WeChat's errcodes passed
    /// through as `code`), described by `login`.
    Envelope,
    /// A Spring session: the token is the `JSESSIONID` cookie, which lasts its `Max-Age`;
    /// described by `login`; each login's token is handed to WeChat's data pre-fetch.
    Cookie,
}

/// Keeps the last `n` entries of a list of things owed: older answers are given up on.
const OWED: usize = 2;

impl World {
    pub fn new(stored: Stored, reads_fail: bool) -> World {
        World::with_backend(stored, reads_fail, Backend::Own)
    }

    /// A world whose backend is of its own shape, described by the `login` option.
    pub fn shaped_backend(stored: Stored, backend: Backend) -> World {
        World::with_backend(stored, false, backend)
    }

    fn with_backend(stored: Stored, reads_fail: bool, backend: Backend) -> World {
        let mut options = Options::new("https://api.example.com/login");
        match backend {
            Backend::Own => {}
            Backend::Envelope => {
                let answer = AnswerOptions::default()
                    .with(Fact::Status, "code")
                    .with(Fact::Message, "msg")
                    .with(Fact::Token, "data.token")
                    .with(Fact::UserId, "data.userId");
                options.login = Some(Box::new(LoginOptions {
                    method: Some("GET".into()),
                    code_field: Some("js_code".into()),
                    answer: Some(answer),
                    ..LoginOptions::default()
                }));
            }
            Backend::Cookie => {
                let answer = AnswerOptions {
                    token_carrier: Some(TokenCarrier::Cookie("JSESSIONID".into())),
                    ..AnswerOptions::default().with(Fact::UserId, "id")
                };
                options.login = Some(Box::new(LoginOptions {
                    body: Some("form".into()),
                    answer: Some(answer),
                    ..LoginOptions::default()
                }));
                // And WeChat's data pre-fetch is handed each login's token.
                options.background_fetch_token = Some(true);
            }
        }
        let config = Config::from_options(options).unwrap();
        World {
            machine: {
                // The app listens for changes (onChange): the check follows what it sees.
                let mut machine = Machine::new(config, [9; 16]);
                machine.handle(START, Input::Listeners { any: true });
                machine
            },
            now: START,
            stored,
            reads_fail,
            writes_fail: false,
            ensures_left: ENSURES,
            user_info_left: true,
            request_left: true,
            logout_left: true,
            next_call: 1,
            next_code: 0,
            logins: Vec::new(),
            posts: Vec::new(),
            sends: Vec::new(),
            live_login: None,
            generation: 0,
            current_token: None,
            codes_posted: BTreeSet::new(),
            sends_per_call: BTreeMap::new(),
            calls: BTreeSet::new(),
            settled: BTreeSet::new(),
            ledger: Ledger::default(),
            quiet: false,
            backend,
            answering: None,
            held_until: 0,
            violation: None,
        }
    }

    /// A record obtained `age` ago that expires in `left` (or, for a clock that moved back,
    /// obtained in the future).
    pub fn record(obtained_at: u64, expires_at: u64) -> Record {
        Record {
            v: 1,
            openid: Some("o-cached".into()),
            unionid: None,
            token: Some(Secret::new("tok-cached")),
            expires_at,
            obtained_at,
            user_info: None,
            user_id: None,
        }
    }

    pub fn fresh() -> Stored {
        Stored::Record(World::record(START - HOUR, START + HOUR))
    }
    pub fn in_leeway() -> Stored {
        Stored::Record(World::record(START - 2 * HOUR + 2 * MINUTE, START + 2 * MINUTE))
    }
    pub fn expired() -> Stored {
        Stored::Record(World::record(START - 3 * HOUR, START - HOUR))
    }
    pub fn from_the_future() -> Stored {
        Stored::Record(World::record(START + 24 * HOUR, START + 26 * HOUR))
    }

    /// The first invariant broken so far, if any.
    pub fn violation(&self) -> Option<&str> {
        self.violation.as_deref()
    }

    /// Every step that can happen now.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        if self.ensures_left > 0 {
            steps.push(Step::Ensure);
        }
        if self.user_info_left {
            steps.push(Step::SetUserInfo);
        }
        if self.request_left {
            steps.push(Step::Request);
        }
        if self.logout_left {
            steps.push(Step::Logout);
        }
        for (n, op) in self.logins.iter().enumerate() {
            steps.push(Step::LoginAnswer(n, true));
            if self.is_live_login(*op) {
                steps.push(Step::LoginAnswer(n, false));
            }
        }
        // Every outcome for the newest login request; a stale one gets the answer most
        // likely to do harm if it were not recognised as stale: a session.
        for n in 0..self.posts.len() {
            if n + 1 == self.posts.len() {
                steps.extend(PostOutcome::ALL.iter().map(|&o| Step::PostAnswer(n, o)));
            } else {
                steps.push(Step::PostAnswer(n, PostOutcome::Session));
            }
        }
        for n in 0..self.sends.len() {
            for outcome in [SendOutcome::Accepted, SendOutcome::Rejected, SendOutcome::Failed] {
                steps.push(Step::SendAnswer(n, outcome));
            }
        }
        steps.push(Step::WritesFail(!self.writes_fail));
        if self.next_deadline().is_some() {
            steps.push(Step::Tick);
        }
        steps
    }

    fn is_live_login(&self, op: OpId) -> bool {
        self.live_login.is_some_and(|(live, _)| live == op)
    }

    pub fn run(&mut self, step: Step) {
        match step {
            Step::Ensure => {
                self.ensures_left -= 1;
                self.quiet = false;
                let call = self.call();
                self.feed(Input::Ensure { call });
            }
            Step::SetUserInfo => {
                self.user_info_left = false;
                self.quiet = false;
                let call = self.call();
                let info = UserInfo {
                    nick_name: Some("Ann".into()),
                    avatar_url: None,
                };
                self.feed(Input::SetUserInfo { call, info });
            }
            Step::Request => {
                self.request_left = false;
                self.quiet = false;
                let call = self.call();
                self.feed(Input::Request {
                    call,
                    url: "https://api.example.com/v1/orders".into(),
                });
            }
            Step::Logout => {
                self.logout_left = false;
                let call = self.call();
                self.live_login = None;
                self.generation += 1;
                self.feed(Input::Logout { call });
                self.quiet = true;
            }
            Step::LoginAnswer(n, ok) => {
                let op = self.logins.remove(n);
                if self.is_live_login(op) {
                    self.live_login = None;
                }
                let result = if ok {
                    self.next_code += 1;
                    LoginResult::Code(Secret::new(format!("code-{}", self.next_code)))
                } else {
                    LoginResult::Failed(PlatformError::said("login:fail"))
                };
                self.feed(Input::LoginResult { op, result });
            }
            Step::PostAnswer(n, outcome) => {
                let op = self.posts.remove(n);
                if let Some(seconds) = outcome.retry_after() {
                    self.held_until = self.held_until.max(self.now + u64::from(seconds) * 1000);
                }
                self.answering = Some(format!("tok-{}", op.0));
                self.feed(match self.backend {
                    Backend::Own => post_answer(op, outcome),
                    Backend::Envelope => envelope_answer(op, outcome),
                    Backend::Cookie => cookie_answer(op, outcome),
                });
                self.answering = None;
            }
            Step::SendAnswer(n, outcome) => {
                let (op, _, _, generation) = self.sends.remove(n);
                if matches!(outcome, SendOutcome::Rejected) && generation == self.generation {
                    self.quiet = false;
                }
                let result = match outcome {
                    SendOutcome::Accepted => SendResult::Answered,
                    SendOutcome::Rejected => SendResult::SessionRejected,
                    SendOutcome::Failed => SendResult::Failed,
                };
                self.feed(Input::SendResult { op, result });
            }
            Step::WritesFail(fail) => self.writes_fail = fail,
            Step::Tick => {
                if let Some(at) = self.next_deadline() {
                    self.now = at;
                    self.wake_if_due();
                }
            }
        }
    }

    /// Liveness: answers everything with success and lets every deadline pass, until the
    /// machine rests; then every call must have settled.
    pub fn settle_everything(&mut self) {
        self.writes_fail = false;
        for _ in 0..1_000 {
            if self.violation.is_some() {
                return;
            }
            if !self.logins.is_empty() {
                self.run(Step::LoginAnswer(0, true));
            } else if !self.posts.is_empty() {
                self.run(Step::PostAnswer(0, PostOutcome::Session));
            } else if !self.sends.is_empty() {
                self.run(Step::SendAnswer(0, SendOutcome::Accepted));
            } else if let Some(at) = self.machine.poll_timeout() {
                self.now = self.now.max(at);
                self.wake_if_due();
            } else {
                let unsettled: Vec<_> = self.calls.difference(&self.settled).collect();
                if !unsettled.is_empty() {
                    self.violate(format!(
                        "calls {unsettled:?} never settled, though the world answered everything"
                    ));
                }
                return;
            }
        }
        self.violate("the machine never came to rest".into());
    }

    /// The next moment something is due: the machine's deadline, or the stored session's
    /// leeway or expiry.
    fn next_deadline(&self) -> Option<u64> {
        let machine = self.machine.poll_timeout();
        let session = match &self.stored {
            Stored::Record(r) if r.expires_at > r.obtained_at => {
                let leeway = (5 * MINUTE).min((r.expires_at - r.obtained_at) / 2);
                vec![r.expires_at - leeway, r.expires_at]
            }
            _ => Vec::new(),
        };
        machine
            .into_iter()
            .chain(session)
            .filter(|&at| at > self.now)
            .min()
    }

    fn wake_if_due(&mut self) {
        if self.machine.poll_timeout().is_some_and(|at| at <= self.now) {
            self.machine.handle_timeout(self.now);
            self.drain();
        }
    }

    fn call(&mut self) -> CallId {
        let call = self.next_call;
        self.next_call += 1;
        self.calls.insert(call);
        call
    }

    fn violate(&mut self, what: String) {
        if self.violation.is_none() {
            self.violation = Some(what);
        }
    }

    fn feed(&mut self, input: Input) {
        self.machine.handle(self.now, input);
        self.drain();
    }

    fn drain(&mut self) {
        while let Some((effect, settled)) = self.ledger.next(&mut self.machine) {
            self.effect(effect, settled);
        }
        // A Retry-After longer than a backoff waits ends the login rather than holding the
        // calls: the machine is never woken for it.
        let held = self.held_until.saturating_sub(self.now);
        if held > u64::from(BACKOFF_CAP_MS) && self.machine.poll_timeout() >= Some(self.held_until) {
            self.violate(format!(
                "a login waits {held} ms for the backend's Retry-After, longer than a backoff ({BACKOFF_CAP_MS} ms)"
            ));
        }
    }

    fn storage_result(&self, op: OpId, ok: bool) -> Input {
        let result = if ok {
            Ok(())
        } else {
            Err(PlatformError::said("setStorageSync:fail"))
        };
        Input::StorageResult { op, result }
    }

    fn effect(&mut self, effect: Effect, calls: Vec<CallId>) {
        match effect {
            Effect::ReadSession { op, .. } => {
                let found = match (&self.stored, self.reads_fail) {
                    (_, true) => StoredSession::Failed,
                    (Stored::Absent, _) => StoredSession::Absent,
                    (Stored::Record(record), _) => StoredSession::Found(record.clone()),
                    (Stored::Corrupt, _) => StoredSession::Unreadable,
                };
                self.machine.handle(self.now, Input::SessionRead { op, found });
            }
            Effect::WriteSession { op, record, .. } => {
                let json = serde_json::to_string(&record).unwrap();
                match decode_object::<Record, _>(&mut serde_json::Deserializer::from_str(&json)) {
                    Ok(decoded) if decoded == record => {}
                    _ => self.violate(format!("a record written does not read back: {json}")),
                }
                if record.standing(record.obtained_at, 0) == Standing::Invalid {
                    self.violate(format!("a record written is not well formed: {record:?}"));
                }
                if !self.writes_fail {
                    self.stored = Stored::Record(record);
                }
                let result = self.storage_result(op, !self.writes_fail);
                self.machine.handle(self.now, result);
            }
            Effect::RemoveSession { op, .. } => {
                if !self.writes_fail {
                    self.stored = Stored::Absent;
                }
                let result = self.storage_result(op, !self.writes_fail);
                self.machine.handle(self.now, result);
            }
            Effect::ReadDeviceId { op } => self
                .machine
                .handle(self.now, Input::DeviceIdRead { op, found: None }),
            Effect::WriteDeviceId { op, .. } => {
                let result = self.storage_result(op, true);
                self.machine.handle(self.now, result);
            }
            Effect::Login { op, timeout_ms, .. } => {
                if self.live_login.is_some_and(|(_, until)| self.now < until) {
                    self.violate("a second wx.login while one is under way".into());
                }
                if self.quiet {
                    self.violate("a login nothing asked for (after a final failure or a logout)".into());
                }
                if self.now < self.held_until {
                    self.violate(format!(
                        "a wx.login {} ms before the backend's Retry-After had passed",
                        self.held_until - self.now
                    ));
                }
                self.live_login = Some((op, self.now + u64::from(timeout_ms)));
                push_owed(&mut self.logins, op);
            }
            Effect::PostCode { op, body, .. } => {
                if !self.codes_posted.insert(body.code.expose().to_owned()) {
                    self.violate("a code posted twice".into());
                }
                push_owed(&mut self.posts, op);
            }
            Effect::CallFunction { .. } => {
                self.violate("a cloud function called with a loginUrl config".into())
            }
            Effect::SendRequest { op, token, .. } => {
                let Some(&call) = self.ledger.calls_of(op).first() else {
                    return self.violate(format!("request {op:?} sent, but no request waits"));
                };
                let sends = {
                    let count = self.sends_per_call.entry(call).or_default();
                    *count += 1;
                    *count
                };
                if sends > 2 {
                    self.violate(format!("request {call} sent {sends} times: one retry at most"));
                }
                let token = token.map(|t| t.expose().to_owned());
                self.sends.push((op, call, token, self.generation));
                if self.machine.requests_in_flight() > MAX_REQUESTS_IN_FLIGHT {
                    self.violate("more app requests in flight than the limit".into());
                }
            }
            Effect::Abort { .. } => {}
            Effect::Settle { result, .. } => {
                for call in calls {
                    self.settled_call(call, result.clone());
                }
            }
            Effect::Hold { .. } | Effect::Wait { .. } => {}
            Effect::Changed { session } => {
                self.current_token = session.and_then(|s| s.token).map(|t| t.expose().to_owned());
            }
            Effect::Toast => {}
            // Only a login's answer hands WeChat's pre-fetch a token: the one of that session.
            Effect::SetFetchToken { token } => {
                if self.answering != Some(token.expose().to_owned()) {
                    self.violate(format!(
                        "handed pre-fetch the token {}, not a login's",
                        token.expose()
                    ));
                }
            }
            Effect::Warn { text } => self.violate(format!("warned: {text}")),
        }
    }

    fn settled_call(&mut self, call: CallId, result: Result<Settled, mp_session::Error>) {
        if !self.calls.contains(&call) {
            self.violate(format!("settled call {call}, which was never made"));
        }
        if !self.settled.insert(call) {
            self.violate(format!("call {call} settled twice"));
        }
        match &result {
            Ok(Settled::Session(session)) => {
                let anyone =
                    session.openid.as_ref().is_some_and(|o| !o.is_empty()) || session.user_id.is_some();
                if !anyone || self.now >= session.expires_at {
                    self.violate(format!("call {call} was handed an expired or empty session"));
                }
            }
            Err(error) => {
                if error.session().is_some_and(|s| self.now >= s.expires_at) {
                    self.violate(format!("call {call} failed with an expired session attached"));
                }
                let final_login_failure = matches!(
                    error.code(),
                    ErrorCode::Network
                        | ErrorCode::Timeout
                        | ErrorCode::Backend
                        | ErrorCode::BadResponse
                        | ErrorCode::LoginFailed
                );
                if final_login_failure && !self.machine.is_logging_in() {
                    self.quiet = true;
                }
            }
            Ok(_) => {}
        }
    }

    /// Everything about this world that its future depends on, with the ids the machine drew
    /// renamed in order of appearance: two states that differ only in those ids are the same.
    pub fn key(&self) -> String {
        let mut text = format!("{:?}", self.machine);
        if let Some(at) = text.find("last_id: ") {
            let end = text[at..].find(',').map_or(text.len(), |e| at + e);
            text.replace_range(at..end, "");
        }
        let stored = match &self.stored {
            Stored::Absent => "absent".to_owned(),
            Stored::Corrupt => "corrupt".to_owned(),
            Stored::Record(r) => format!("{:?} tok({})", r, r.token.as_ref().map_or("-", |t| t.expose())),
        };
        let _ = write!(
            text,
            "|now {} held {} stored {} rf {} wf {} left {} {} {} {} logins {:?} posts {:?} live {:?} gen {} cur tok({}) per {:?} calls {:?} settled {:?} ledger {:?} quiet {}",
            self.now - START,
            self.held_until.saturating_sub(self.now),
            stored,
            self.reads_fail,
            self.writes_fail,
            self.ensures_left,
            self.user_info_left,
            self.request_left,
            self.logout_left,
            self.logins,
            self.posts,
            self.live_login,
            self.generation,
            self.current_token.as_deref().unwrap_or("-"),
            self.sends_per_call,
            self.calls,
            self.settled,
            self.ledger,
            self.quiet,
        );
        for (op, call, token, generation) in &self.sends {
            let _ = write!(
                text,
                " send {op:?} {call} tok({}) {generation}",
                token.as_deref().unwrap_or("-")
            );
        }
        canonical(&text)
    }
}

fn push_owed(list: &mut Vec<OpId>, op: OpId) {
    list.push(op);
    if list.len() > OWED {
        list.remove(0);
    }
}

/// The envelope backend's answers: the same outcomes, WeChat's errcodes passed through as the
/// envelope's status under HTTP 200, the backend's own refusal a status of its own.
fn envelope_answer(op: OpId, outcome: PostOutcome) -> Input {
    let envelope = |code: f64, message: &str| {
        let envelope = Envelope {
            success: code == 0.0,
            status: Some(StatusValue::Number(code)),
            message: Some(message.to_owned()),
        };
        Answer {
            envelope: Some(envelope),
            ..Answer::default()
        }
    };
    let answer = match outcome {
        PostOutcome::Session => {
            let mut answer = envelope(0.0, "ok");
            answer.user_id = Some(UserId::Number(42));
            answer.token = Some(Secret::new(format!("tok-{}", op.0)));
            answer
        }
        PostOutcome::Busy => envelope(-1.0, "system busy"),
        PostOutcome::BadCode => envelope(40029.0, "invalid code"),
        PostOutcome::Blocked => envelope(1001.0, "this account is banned"),
        _ => return post_answer(op, outcome),
    };
    Input::PostResult {
        op,
        result: Ok(Reply::ok(answer)),
    }
}

/// The cookie backend's answers: a session is the user's id with the token in its
/// `JSESSIONID` cookie, whose `Max-Age` is its lifetime; an answer that sets no such cookie
/// stands for the unreadable one; the rest as mp-session's own.
fn cookie_answer(op: OpId, outcome: PostOutcome) -> Input {
    let answer = |token: Option<Secret>| Answer {
        user_id: Some(UserId::Number(42)),
        token,
        cookie_max_age: Some(1800.0),
        ..Answer::default()
    };
    let answer = match outcome {
        PostOutcome::Session => answer(Some(Secret::new(format!("tok-{}", op.0)))),
        PostOutcome::Unreadable => answer(None),
        _ => return post_answer(op, outcome),
    };
    Input::PostResult {
        op,
        result: Ok(Reply::ok(answer)),
    }
}

fn post_answer(op: OpId, outcome: PostOutcome) -> Input {
    let result = match outcome {
        PostOutcome::Session => Reply::ok(Answer::session("o-1").with_token(format!("tok-{}", op.0))),
        PostOutcome::Busy => Reply::ok(Answer::errcode(-1)),
        PostOutcome::BadCode => Reply::with_status(400, Answer::errcode(40029)),
        PostOutcome::Blocked => Reply::with_status(403, Answer::errcode(40226)),
        PostOutcome::ServerError => Reply::unreadable(502),
        PostOutcome::Refused => Reply::with_status(401, Answer::default()),
        PostOutcome::Unreadable => Reply::unreadable(200),
        PostOutcome::NetworkFailure => {
            return Input::PostResult {
                op,
                result: Err(PlatformError::said("request:fail")),
            }
        }
        PostOutcome::RateLimited => {
            Reply::unreadable(503).with_retry_after(outcome.retry_after().unwrap_or(0))
        }
        PostOutcome::RateLimitedLong => {
            Reply::with_status(429, Answer::default()).with_retry_after(outcome.retry_after().unwrap_or(0))
        }
    };
    Input::PostResult {
        op,
        result: Ok(result),
    }
}

/// Renames the numbers in `OpId(n)` and `tok(...)` in order of first appearance.
fn canonical(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut names: Vec<(&str, &str)> = Vec::new();
    let mut rest = text;
    loop {
        let next = ["OpId(", "tok("]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, *p)))
            .min();
        let Some((at, prefix)) = next else {
            out.push_str(rest);
            return out;
        };
        let start = at + prefix.len();
        let Some(len) = rest[start..].find(')') else {
            out.push_str(rest);
            return out;
        };
        let value = &rest[start..start + len];
        out.push_str(&rest[..start]);
        let index = match names.iter().position(|&(p, v)| p == prefix && v == value) {
            Some(i) => i,
            None => {
                names.push((prefix, value));
                names.len() - 1
            }
        };
        let _ = write!(out, "#{index}");
        rest = &rest[start + len..];
    }
}
