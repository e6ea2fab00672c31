//! Properties of the core under random interleavings: any order of calls and answers, stale
//! answers, time jumps, logouts and storage faults. After every step the invariants below
//! must hold, and once the world answers everything, every call must have settled.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};

use mp_session::decode::decode_object;
use mp_session::testing::Ledger;
use mp_session::{
    Answer, CallId, Config, Effect, ErrorCode, Input, LoginResult, Machine, OpId, Options, PlatformError,
    Record, Reply, Secret, SendResult, Settled, Standing, StoredSession, UserInfo, MAX_REQUESTS_IN_FLIGHT,
};
use proptest::prelude::*;

const START: u64 = 1_767_225_600_000;
const DAY: u64 = 86_400_000;

/// What the world can do next.
#[derive(Clone, Debug)]
enum Step {
    Ensure,
    SetUserInfo,
    Request,
    Logout,
    DeviceId,
    Load,
    /// Answers the n-th outstanding `wx.login`: with a code, or a failure.
    AnswerLogin(usize, bool),
    /// Answers the n-th outstanding login POST.
    AnswerPost(usize, PostOutcome),
    /// Answers the n-th outstanding app request: accepted, rejected (401), or failed.
    AnswerSend(usize, u8),
    /// Time reaches the machine's next deadline, and it is woken.
    Deadline,
    /// The machine is woken before its deadline: nothing may happen.
    WakeEarly,
    /// An answer for an id that is not (or no longer) awaited.
    Stale(u32, u8),
    /// Moves the clock: forward by up to a day, or back by up to a day.
    Clock(i64),
    /// Makes storage writes throw, or stop throwing.
    WritesFail(bool),
    /// Moves the oldest thing under way forward with a success: a code, a session, an
    /// accepted request, a timer. Keeps random runs from stalling before the interesting part.
    Progress,
}

#[derive(Clone, Debug)]
enum PostOutcome {
    Session(f64),
    Errcode(i64),
    Status(u16),
    Unreadable,
    NetworkFailure,
}

fn step() -> impl Strategy<Value = Step> {
    let post = prop_oneof![
        (prop_oneof![
            Just(-5.0),
            Just(0.0),
            Just(1.0),
            Just(60.0),
            Just(7200.0),
            Just(1e12)
        ])
        .prop_map(PostOutcome::Session),
        prop_oneof![
            Just(-1i64),
            Just(40029),
            Just(40163),
            Just(45011),
            Just(40226),
            Just(12345)
        ]
        .prop_map(PostOutcome::Errcode),
        prop_oneof![Just(200u16), Just(401), Just(404), Just(500), Just(503)].prop_map(PostOutcome::Status),
        Just(PostOutcome::Unreadable),
        Just(PostOutcome::NetworkFailure),
    ];
    prop_oneof![
        3 => Just(Step::Ensure),
        1 => Just(Step::SetUserInfo),
        3 => Just(Step::Request),
        1 => Just(Step::Logout),
        1 => Just(Step::DeviceId),
        1 => Just(Step::Load),
        3 => (0..4usize, any::<bool>()).prop_map(|(n, ok)| Step::AnswerLogin(n, ok)),
        3 => (0..4usize, post).prop_map(|(n, o)| Step::AnswerPost(n, o)),
        3 => (0..12usize, 0..3u8).prop_map(|(n, o)| Step::AnswerSend(n, o)),
        3 => Just(Step::Deadline),
        1 => Just(Step::WakeEarly),
        1 => (0..64u32, 0..4u8).prop_map(|(op, kind)| Step::Stale(op, kind)),
        1 => (-(DAY as i64)..DAY as i64).prop_map(Step::Clock),
        1 => (0..120_000i64).prop_map(Step::Clock),
        1 => any::<bool>().prop_map(Step::WritesFail),
        6 => Just(Step::Progress),
    ]
}

/// The world around one machine: the effects it is owed answers for, storage, the clock, and
/// what the invariants need to remember.
struct World {
    machine: Machine,
    now: u64,
    next_call: CallId,
    next_code: u32,
    stored: Option<Record>,
    reads: usize,
    device: Option<String>,
    writes_fail: bool,
    logins: Vec<OpId>,
    posts: Vec<OpId>,
    /// App requests under way, with the logout generation they were sent in.
    sends: Vec<(OpId, CallId, u32)>,
    generation: u32,
    /// The `wx.login` the machine waits for, and until when (`timeoutMs` after the call).
    live_login: Option<(OpId, u64)>,
    /// The time the machine last saw.
    seen: u64,
    codes_posted: BTreeSet<String>,
    sends_per_call: BTreeMap<CallId, usize>,
    calls: BTreeSet<CallId>,
    settled: BTreeSet<CallId>,
    /// Which calls wait where, as the shim keeps them.
    ledger: Ledger,
    /// Set by a final login failure and by a logout: a login after it needs a new reason (a
    /// call, or a rejection of a request sent since the logout).
    quiet: bool,
}

impl World {
    fn new() -> World {
        let config = Config::from_options(Options::new("https://api.example.com/login")).unwrap();
        World {
            machine: {
                // The app listens for changes (onChange): the check follows what it sees.
                let mut machine = Machine::new(config, [9; 16]);
                machine.handle(START, Input::Listeners { any: true });
                machine
            },
            now: START,
            next_call: 1,
            next_code: 1,
            stored: None,
            reads: 0,
            device: None,
            writes_fail: false,
            logins: Vec::new(),
            posts: Vec::new(),
            sends: Vec::new(),
            generation: 0,
            live_login: None,
            seen: 0,
            codes_posted: BTreeSet::new(),
            sends_per_call: BTreeMap::new(),
            calls: BTreeSet::new(),
            settled: BTreeSet::new(),
            ledger: Ledger::default(),
            quiet: false,
        }
    }

    fn call(&mut self) -> CallId {
        let call = self.next_call;
        self.next_call += 1;
        self.calls.insert(call);
        call
    }

    fn feed(&mut self, input: Input) {
        self.seen = self.now;
        match &input {
            Input::LoginResult { op, .. } if self.live_login.is_some_and(|(live, _)| live == *op) => {
                self.live_login = None
            }
            Input::Logout { .. } => {
                self.live_login = None;
                self.generation += 1;
            }
            _ => {}
        }
        let logout = matches!(input, Input::Logout { .. });
        self.machine.handle(self.now, input);
        if logout {
            self.quiet = true;
        }
        self.drain();
    }

    fn drain(&mut self) {
        while let Some((effect, settled)) = self.ledger.next(&mut self.machine) {
            self.effect(effect, settled);
        }
    }

    /// Moves the clock to the machine's deadline (never back) and wakes it.
    fn wake(&mut self, at: u64) {
        self.now = self.now.max(at);
        self.seen = self.now;
        self.machine.handle_timeout(self.now);
        self.drain();
    }

    fn saved(&self, op: OpId, ok: bool) -> Input {
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
                self.reads += 1;
                let found = match &self.stored {
                    Some(record) => StoredSession::Found(record.clone()),
                    None => StoredSession::Absent,
                };
                self.machine.handle(self.now, Input::SessionRead { op, found });
            }
            Effect::WriteSession { op, record, .. } => {
                // The stored record always decodes, and is well formed when written.
                let json = serde_json::to_string(&record).unwrap();
                let decoded: Record = decode_object(&mut serde_json::Deserializer::from_str(&json)).unwrap();
                assert_eq!(decoded, record);
                assert_ne!(
                    record.standing(record.obtained_at, 0),
                    Standing::Invalid,
                    "{record:?}"
                );
                if !self.writes_fail {
                    self.stored = Some(record);
                }
                let saved = self.saved(op, !self.writes_fail);
                self.machine.handle(self.now, saved);
            }
            Effect::RemoveSession { op, .. } => {
                if !self.writes_fail {
                    self.stored = None;
                }
                let saved = self.saved(op, !self.writes_fail);
                self.machine.handle(self.now, saved);
            }
            Effect::ReadDeviceId { op } => {
                let found = self.device.clone();
                self.machine.handle(self.now, Input::DeviceIdRead { op, found });
            }
            Effect::WriteDeviceId { op, id } => {
                self.device = Some(id);
                let saved = self.saved(op, true);
                self.machine.handle(self.now, saved);
            }
            Effect::Login { op, timeout_ms, .. } => {
                assert!(
                    self.live_login.is_none_or(|(_, until)| self.now >= until),
                    "a second wx.login while one is under way"
                );
                assert!(
                    !self.quiet,
                    "a login nothing asked for (after a final failure or a logout)"
                );
                self.live_login = Some((op, self.now + u64::from(timeout_ms)));
                self.logins.push(op);
            }
            Effect::PostCode { op, body, .. } => {
                assert!(
                    self.codes_posted.insert(body.code.expose().to_owned()),
                    "a code posted twice"
                );
                self.posts.push(op);
            }
            Effect::CallFunction { .. } => panic!("a cloud function called with a loginUrl config"),
            Effect::SendRequest { op, .. } => {
                let call = self
                    .ledger
                    .calls_of(op)
                    .first()
                    .copied()
                    .expect("a request to send");
                let sends = self.sends_per_call.entry(call).or_default();
                *sends += 1;
                assert!(
                    *sends <= 2,
                    "request {call} sent {sends} times: one retry at most"
                );
                self.sends.push((op, call, self.generation));
                assert!(self.machine.requests_in_flight() <= MAX_REQUESTS_IN_FLIGHT);
            }
            Effect::Abort { op } => self.posts.retain(|p| *p != op),
            Effect::Settle { result, .. } => {
                for call in calls {
                    assert!(self.calls.contains(&call), "settled a call never made: {call}");
                    assert!(self.settled.insert(call), "call {call} settled twice");
                }
                match &result {
                    Ok(Settled::Session(session)) => {
                        assert!(session.openid.as_ref().is_some_and(|o| !o.is_empty()));
                        assert!(self.now < session.expires_at, "a session handed out expired");
                    }
                    Err(error) => {
                        if let Some(session) = error.session() {
                            assert!(self.now < session.expires_at);
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
            Effect::Changed { .. }
            | Effect::Toast
            | Effect::Hold { .. }
            | Effect::Wait { .. }
            | Effect::SetFetchToken { .. }
            | Effect::Warn { .. } => {}
        }
    }

    fn take<T: Copy>(list: &mut Vec<T>, n: usize) -> Option<T> {
        if list.is_empty() {
            None
        } else {
            Some(list.remove(n % list.len()))
        }
    }

    fn run(&mut self, step: Step) {
        match step {
            Step::Ensure => {
                self.quiet = false;
                let call = self.call();
                self.feed(Input::Ensure { call });
            }
            Step::SetUserInfo => {
                self.quiet = false;
                let call = self.call();
                let info = UserInfo {
                    nick_name: Some("Ann".into()),
                    avatar_url: None,
                };
                self.feed(Input::SetUserInfo { call, info });
            }
            Step::Request => {
                self.quiet = false;
                let call = self.call();
                self.feed(Input::Request {
                    call,
                    url: "https://api.example.com/v1/x".into(),
                });
            }
            Step::Logout => {
                let call = self.call();
                self.feed(Input::Logout { call });
            }
            Step::DeviceId => {
                let call = self.call();
                self.feed(Input::DeviceId { call });
            }
            Step::Load => self.feed(Input::Load),
            Step::AnswerLogin(n, ok) => {
                if let Some(op) = World::take(&mut self.logins, n) {
                    let result = if ok {
                        self.next_code += 1;
                        LoginResult::Code(Secret::new(format!("code-{}", self.next_code)))
                    } else {
                        LoginResult::Failed(PlatformError::said("login:fail"))
                    };
                    self.feed(Input::LoginResult { op, result });
                }
            }
            Step::AnswerPost(n, outcome) => {
                if let Some(op) = World::take(&mut self.posts, n) {
                    let result = match outcome {
                        PostOutcome::Session(ttl) => Ok(Reply::ok(
                            Answer::session("o-1").with_token("t").with_expires_in(ttl),
                        )),
                        PostOutcome::Errcode(e) => Ok(Reply::ok(Answer::errcode(e))),
                        PostOutcome::Status(s) => Ok(Reply::with_status(s, Answer::session("o-1"))),
                        PostOutcome::Unreadable => Ok(Reply::unreadable(200)),
                        PostOutcome::NetworkFailure => Err(PlatformError::said("request:fail")),
                    };
                    self.feed(Input::PostResult { op, result });
                }
            }
            Step::AnswerSend(n, outcome) => {
                if let Some((op, _, generation)) = World::take(&mut self.sends, n) {
                    if outcome == 1 && generation == self.generation {
                        self.quiet = false;
                    }
                    let result = match outcome {
                        0 => SendResult::Answered,
                        1 => SendResult::SessionRejected,
                        _ => SendResult::Failed,
                    };
                    self.feed(Input::SendResult { op, result });
                }
            }
            Step::Deadline => {
                if let Some(at) = self.machine.poll_timeout() {
                    self.wake(at);
                }
            }
            Step::WakeEarly => {
                // Only at a time the machine has seen: a clock moved back would (rightly) move
                // its deadline back too.
                let deadline = self.machine.poll_timeout().filter(|&at| at > self.now + 1);
                if let Some(at) = deadline.filter(|_| self.now >= self.seen) {
                    self.seen = self.now;
                    self.machine.handle_timeout(self.now);
                    assert_eq!(self.machine.poll_effect(), None, "woken early, the machine acted");
                    assert_eq!(
                        self.machine.poll_timeout(),
                        Some(at),
                        "woken early, the deadline moved"
                    );
                }
            }
            Step::Stale(op, kind) => {
                let op = OpId(op);
                let awaited = self.logins.contains(&op)
                    || self.posts.contains(&op)
                    || self.sends.iter().any(|(o, _, _)| *o == op);
                if !awaited {
                    let input = match kind {
                        0 => Input::LoginResult {
                            op,
                            result: LoginResult::Code(Secret::new("stale")),
                        },
                        1 => Input::PostResult {
                            op,
                            result: Ok(Reply::ok(Answer::session("o-stale"))),
                        },
                        2 => Input::SendResult {
                            op,
                            result: SendResult::SessionRejected,
                        },
                        _ => self.saved(op, false),
                    };
                    self.feed(input);
                }
            }
            Step::Clock(delta) => {
                self.now = self.now.saturating_add_signed(delta).max(1);
                // The machine keeps a wait's length when the clock moves back; so does this.
                if let (Some((_, until)), true) = (&mut self.live_login, delta < 0) {
                    *until = until.saturating_sub(delta.unsigned_abs());
                }
            }
            Step::WritesFail(fail) => self.writes_fail = fail,
            Step::Progress => {
                self.progress();
            }
        }
    }

    /// Answers the oldest login, POST or request with a success, else wakes the machine at
    /// its deadline.
    /// Returns whether there was anything to answer.
    fn progress(&mut self) -> bool {
        if !self.logins.is_empty() {
            let op = self.logins.remove(0);
            self.next_code += 1;
            let code = Secret::new(format!("code-{}", self.next_code));
            self.feed(Input::LoginResult {
                op,
                result: LoginResult::Code(code),
            });
        } else if !self.posts.is_empty() {
            let op = self.posts.remove(0);
            let reply = Reply::ok(Answer::session("o-1").with_token("t").with_expires_in(7200.0));
            self.feed(Input::PostResult {
                op,
                result: Ok(reply),
            });
        } else if !self.sends.is_empty() {
            let (op, _, _) = self.sends.remove(0);
            self.feed(Input::SendResult {
                op,
                result: SendResult::Answered,
            });
        } else if let Some(at) = self.machine.poll_timeout() {
            self.wake(at);
        } else {
            return false;
        }
        true
    }

    /// Answers everything with success and lets every deadline pass, until nothing is left.
    fn settle_everything(&mut self) {
        self.writes_fail = false;
        for _ in 0..10_000 {
            if !self.progress() {
                return;
            }
        }
        panic!("the world never came to rest");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// At most one login in flight; no code posted twice; sessions handed out are unexpired
    /// with an openid; no login after a final failure without a new call; each request sent
    /// at most twice; every record written decodes; no call settled twice; and once the
    /// world answers everything, every call has settled.
    #[test]
    fn invariants_hold_under_any_interleaving(steps in proptest::collection::vec(step(), 1..80)) {
        let mut world = World::new();
        for step in steps {
            world.run(step);
        }
        world.settle_everything();
        let unsettled: Vec<_> = world.calls.difference(&world.settled).collect();
        prop_assert!(unsettled.is_empty(), "calls never settled: {:?}", unsettled);
    }

    /// Whatever happened before, a launch after a restart with the stored record either uses
    /// it (when fresh) or logs in: it never fails to settle and never reads storage twice.
    #[test]
    fn a_restart_reads_storage_once(steps in proptest::collection::vec(step(), 1..60)) {
        let mut world = World::new();
        for step in steps {
            world.run(step);
        }
        world.settle_everything();
        let stored = world.stored.clone();
        let mut restarted = World::new();
        restarted.now = world.now;
        restarted.stored = stored;
        restarted.quiet = false;
        let calls: Vec<_> = (0..3).map(|_| restarted.call()).collect();
        for &call in &calls {
            restarted.feed(Input::Ensure { call });
        }
        restarted.settle_everything();
        prop_assert!(calls.iter().all(|c| restarted.settled.contains(c)));
        prop_assert_eq!(restarted.reads, 1);
    }
}
