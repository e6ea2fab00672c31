//! The harness: a mini-program with one session, a fake WeChat and a scripted backend
//! ([`Harness`]), and how it carries out each effect (`effects.rs`).

mod effects;

use std::collections::{BTreeMap, VecDeque};

use super::{ApiRequest, ApiResponse, Counts, Ledger, LoginMode, Response, Stored, START_MS};
use crate::core::answer::{Answer, Reply};
use crate::core::config::{Config, Options};
use crate::core::effect::Settled;
use crate::core::error::Error;
use crate::core::input::{CallId, Input, LoginResult, OpId, PlatformError, SendResult};
use crate::core::machine::Machine;
use crate::core::record::Record;
use crate::core::secret::Secret;
use crate::core::session::Session;
use crate::core::user_info::UserInfo;

/// Most steps [`Harness::run`] takes before it decides the flow never settles.
const MAX_STEPS: usize = 10_000;

#[derive(Debug)]
enum Pending {
    Login(OpId),
    Post(OpId, Secret),
    Send(OpId, ApiRequest),
}

type Backend = Box<dyn FnMut(&str) -> Response>;
type Api = Box<dyn FnMut(&ApiRequest) -> ApiResponse>;

/// A mini-program with one session, a fake WeChat and a scripted backend.
pub struct Harness {
    config: Config,
    machine: Machine,
    runs: u8,
    now: u64,
    storage: BTreeMap<String, Stored>,
    fail_reads: bool,
    fail_writes: bool,
    login_mode: LoginMode,
    backend: Backend,
    api: Api,
    request_urls: BTreeMap<CallId, String>,
    statuses: BTreeMap<OpId, u16>,
    pending: VecDeque<Pending>,
    ledger: Ledger,
    settled: BTreeMap<CallId, Result<Settled, Error>>,
    changes: Vec<Option<Session>>,
    toasts: Vec<String>,
    fetch_tokens: Vec<String>,
    warnings: Vec<String>,
    counts: Counts,
    codes_issued: u32,
    codes_posted: Vec<String>,
    next_call: CallId,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("now", &self.now)
            .field("pending", &self.pending)
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

impl Harness {
    /// A harness for these options. Its default backend answers every code with openid
    /// `o-test`, a token and a two-hour expiry.
    ///
    /// # Panics
    /// If the options are not valid (the message says why).
    pub fn new(options: Options) -> Harness {
        match Config::from_options(options) {
            Ok(config) => Harness::with_config(config),
            Err(error) => panic!("the options are not valid: {error}"),
        }
    }

    /// A harness for a checked config (for a web page, `Config::for_platform(Platform::Web)`).
    pub fn with_config(config: Config) -> Harness {
        Harness {
            machine: listening(Machine::new(config.clone(), entropy(0))),
            config,
            runs: 0,
            now: START_MS,
            storage: BTreeMap::new(),
            fail_reads: false,
            fail_writes: false,
            login_mode: LoginMode::Codes,
            backend: Box::new(|code| {
                let token = format!("token-for-{code}");
                Reply::ok(
                    Answer::session("o-test")
                        .with_token(token)
                        .with_expires_in(7200.0),
                )
                .into()
            }),
            api: Box::new(|_| ApiResponse::Status(200)),
            request_urls: BTreeMap::new(),
            statuses: BTreeMap::new(),
            pending: VecDeque::new(),
            ledger: Ledger::default(),
            settled: BTreeMap::new(),
            changes: Vec::new(),
            toasts: Vec::new(),
            fetch_tokens: Vec::new(),
            warnings: Vec::new(),
            counts: Counts::default(),
            codes_issued: 0,
            codes_posted: Vec::new(),
            next_call: 1,
        }
    }

    /// Sets what the backend does with each posted code. With a `cloudFunction` config it
    /// stands for the cloud function, called with an empty code (none is made).
    pub fn set_backend(&mut self, backend: impl FnMut(&str) -> Response + 'static) {
        self.backend = Box::new(backend);
    }

    /// Sets what the backend does with the app's own requests (by default: HTTP 200).
    pub fn set_api(&mut self, api: impl FnMut(&ApiRequest) -> ApiResponse + 'static) {
        self.api = Box::new(api);
    }

    /// Sets what `wx.login` does from now on.
    pub fn set_login(&mut self, mode: LoginMode) {
        self.login_mode = mode;
    }

    /// Makes every storage read throw (or stop throwing).
    pub fn fail_storage_reads(&mut self, fail: bool) {
        self.fail_reads = fail;
    }

    /// Makes every storage write and removal throw, as a full quota does (or stop throwing).
    pub fn fail_storage_writes(&mut self, fail: bool) {
        self.fail_writes = fail;
    }

    /// Closes the app and opens it again: a new machine, the same storage and clock. Effects
    /// still under way are lost, as they are on a phone; the counts start again from zero.
    pub fn restart(&mut self) {
        self.runs = self.runs.wrapping_add(1);
        self.machine = listening(Machine::new(self.config.clone(), entropy(self.runs)));
        self.pending.clear();
        self.ledger.clear();
        self.counts = Counts::default();
    }

    /// The fake clock, in Unix milliseconds.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Moves the clock forward by `ms`, waking the machine at each deadline on the way.
    pub fn advance(&mut self, ms: u64) {
        let until = self.now.saturating_add(ms);
        for _ in 0..MAX_STEPS {
            match self.machine.poll_timeout() {
                Some(at) if at <= until => self.wake(at),
                _ => break,
            }
        }
        self.now = self.now.max(until);
    }

    /// Moves the clock to the deadline `at` (never back) and wakes the machine.
    fn wake(&mut self, at: u64) {
        self.now = self.now.max(at);
        self.machine.handle_timeout(self.now);
        self.drain();
    }

    /// Sets the clock to `ms` (it may go backwards, as a phone's clock can). The machine
    /// sees the new time at once, as it does at a driver's next timer: a wait under way keeps
    /// its length.
    pub fn set_clock(&mut self, ms: u64) {
        self.now = ms;
        self.machine.handle_timeout(ms);
        self.drain();
    }

    /// The value stored under `key`.
    pub fn stored(&self, key: &str) -> Option<&Stored> {
        self.storage.get(key)
    }

    /// The stored session record of this namespace, if storage holds one.
    pub fn stored_record(&self) -> Option<&Record> {
        match self.storage.get(self.config.storage_key()) {
            Some(Stored::Record(record)) => Some(record),
            _ => None,
        }
    }

    /// Puts a value in storage (or removes it with `None`), behind the machine's back.
    pub fn put_stored(&mut self, key: &str, value: Option<Stored>) {
        match value {
            Some(value) => self.storage.insert(key.to_owned(), value),
            None => self.storage.remove(key),
        };
    }

    /// The storage key of this namespace's session.
    pub fn session_key(&self) -> String {
        self.config.storage_key().to_owned()
    }

    /// Effects counted since the start or the last restart.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Every code posted to the backend so far, in order.
    pub fn codes_posted(&self) -> &[String] {
        &self.codes_posted
    }

    /// Every `onChange` notification so far (`None` for a logout).
    pub fn changes(&self) -> &[Option<Session>] {
        &self.changes
    }

    /// Every toast shown so far.
    pub fn toasts(&self) -> &[String] {
        &self.toasts
    }

    /// Every token handed to `wx.setBackgroundFetchToken` so far (`backgroundFetchToken`).
    pub fn fetch_tokens(&self) -> &[String] {
        &self.fetch_tokens
    }

    /// Every warning the core gave the developer so far (the console's).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// What a synchronous `current()` returns now.
    pub fn current(&mut self) -> Option<Session> {
        self.feed(Input::Load);
        self.machine.current(self.now)
    }

    /// Whether a login is under way.
    pub fn is_logging_in(&self) -> bool {
        self.machine.is_logging_in()
    }

    /// Starts an `ensure()` without waiting for it; see [`Harness::outcome`].
    pub fn start_ensure(&mut self) -> CallId {
        self.call(|call| Input::Ensure { call })
    }

    /// Starts a `setUserInfo(info)` without waiting for it.
    pub fn start_set_user_info(&mut self, info: UserInfo) -> CallId {
        self.call(|call| Input::SetUserInfo { call, info })
    }

    /// Starts a `logout()` without waiting for it.
    pub fn start_logout(&mut self) -> CallId {
        self.call(|call| Input::Logout { call })
    }

    /// Starts a `request()` to `url` without waiting for it.
    pub fn start_request(&mut self, url: &str) -> CallId {
        let call = self.next_call;
        self.request_urls.insert(call, url.to_owned());
        self.call(|call| Input::Request {
            call,
            url: url.to_owned(),
        })
    }

    /// `request()`: runs the flow until the call settles; gives the HTTP status the app sees.
    pub fn request(&mut self, url: &str) -> Result<u16, Error> {
        let call = self.start_request(url);
        match self.finish(call)? {
            Settled::Response { op } => Ok(self.statuses.get(&op).copied().unwrap_or(0)),
            other => panic!("request() settled with {other:?}"),
        }
    }

    /// The HTTP status a settled `request()` call resolved with.
    pub fn response_status(&self, call: CallId) -> Option<u16> {
        match self.settled.get(&call)? {
            Ok(Settled::Response { op }) => self.statuses.get(op).copied(),
            _ => None,
        }
    }

    /// Starts a `deviceId()` without waiting for it.
    pub fn start_device_id(&mut self) -> CallId {
        self.call(|call| Input::DeviceId { call })
    }

    /// How call `call` ended, if it has.
    pub fn outcome(&self, call: CallId) -> Option<&Result<Settled, Error>> {
        self.settled.get(&call)
    }

    /// `launch()` / `ensure()`: runs the flow until the call settles.
    pub fn ensure(&mut self) -> Result<Session, Error> {
        let call = self.start_ensure();
        self.finish(call).map(expect_session)
    }

    /// `setUserInfo(info)`: runs the flow until the call settles.
    pub fn set_user_info(&mut self, info: UserInfo) -> Result<Session, Error> {
        let call = self.start_set_user_info(info);
        self.finish(call).map(expect_session)
    }

    /// `logout()`: runs the flow until the call settles.
    pub fn logout(&mut self) -> Result<(), Error> {
        let call = self.start_logout();
        self.finish(call).map(|_| ())
    }

    /// `deviceId()`: runs the flow until the call settles.
    pub fn device_id(&mut self) -> Result<String, Error> {
        let call = self.start_device_id();
        match self.finish(call)? {
            Settled::DeviceId(id) => Ok(id),
            other => panic!("deviceId() settled with {other:?}"),
        }
    }

    /// Runs until `call` settles and returns its outcome.
    ///
    /// # Panics
    /// If the flow stops without settling it.
    pub fn finish(&mut self, call: CallId) -> Result<Settled, Error> {
        for _ in 0..MAX_STEPS {
            if let Some(outcome) = self.settled.get(&call) {
                return outcome.clone();
            }
            if !self.step() {
                break;
            }
        }
        match self.settled.get(&call) {
            Some(outcome) => outcome.clone(),
            None => panic!("call {call} never settled; still pending: {:?}", self.pending),
        }
    }

    /// Answers effects and lets deadlines pass until nothing is left to do.
    pub fn run(&mut self) {
        for _ in 0..MAX_STEPS {
            if !self.step() {
                return;
            }
        }
        panic!("the flow did not come to rest in {MAX_STEPS} steps");
    }

    /// Answers the oldest `wx.login` or request under way; with none, moves the clock to the
    /// machine's next deadline and wakes it. Returns `false` when there is nothing left to do.
    pub fn step(&mut self) -> bool {
        if let Some(pending) = self.pending.pop_front() {
            match pending {
                Pending::Login(op) => match self.login_mode {
                    LoginMode::Codes => {
                        self.codes_issued += 1;
                        let code = Secret::new(format!("code-{}", self.codes_issued));
                        self.feed(Input::LoginResult {
                            op,
                            result: LoginResult::Code(code),
                        });
                    }
                    LoginMode::Fail => self.feed(Input::LoginResult {
                        op,
                        result: LoginResult::Failed(PlatformError::said("login:fail auth deny")),
                    }),
                    LoginMode::Refused(reason) => self.feed(Input::LoginResult {
                        op,
                        result: LoginResult::Refused(reason),
                    }),
                    LoginMode::NoAnswer => {}
                },
                Pending::Post(op, code) => match (self.backend)(code.expose()) {
                    Response::Reply(reply) => self.feed(Input::PostResult {
                        op,
                        result: Ok(reply),
                    }),
                    Response::NetworkFailure => self.feed(Input::PostResult {
                        op,
                        result: Err(PlatformError::said("request:fail timeout")),
                    }),
                    Response::NoAnswer => {}
                },
                Pending::Send(op, request) => match (self.api)(&request) {
                    ApiResponse::Status(status) => {
                        self.statuses.insert(op, status);
                        let result = SendResult::of_answer(status, None);
                        self.feed(Input::SendResult { op, result });
                    }
                    ApiResponse::NetworkFailure => self.feed(Input::SendResult {
                        op,
                        result: SendResult::Failed,
                    }),
                    ApiResponse::NoAnswer => {}
                },
            }
            return true;
        }
        match self.machine.poll_timeout() {
            Some(at) => {
                self.wake(at);
                true
            }
            None => false,
        }
    }

    /// Hands `input` to the machine and carries out its effects.
    pub fn feed(&mut self, input: Input) {
        self.machine.handle(self.now, input);
        self.drain();
    }

    /// Makes the app's call `input(call)` and carries out what follows (the output says
    /// where the call waits, if it does).
    fn call(&mut self, input: impl FnOnce(CallId) -> Input) -> CallId {
        let call = self.next_call;
        self.next_call = self.next_call.wrapping_add(1);
        self.feed(input(call));
        call
    }

    /// Carries out the machine's effects in order (the drive loop's step:
    /// [`Ledger::next`]); storage answers from inside, and what that leads to comes after.
    fn drain(&mut self) {
        while let Some((effect, settled)) = self.ledger.next(&mut self.machine) {
            self.carry_out(effect, settled);
        }
    }
}

fn expect_session(settled: Settled) -> Session {
    match settled {
        Settled::Session(session) => session,
        other => panic!("expected a session, the call settled with {other:?}"),
    }
}

/// The machine with someone listening for changes: the harness keeps them
/// ([`Harness::changes`]).
fn listening(mut machine: Machine) -> Machine {
    machine.handle(0, Input::Listeners { any: true });
    machine
}

/// Fixed entropy, different for each run of the app.
fn entropy(run: u8) -> [u8; 16] {
    let mut bytes = [0x5a; 16];
    bytes[0] = run;
    bytes
}
