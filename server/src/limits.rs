//! Abuse limits: logins per client address and per user, authenticated calls per token, each
//! so many a minute, counted in the store so that every server of it shares one budget. A
//! request over a limit is answered `429 RATE_LIMITED` with `Retry-After`.
//!
//! Each limit is a generic cell rate (GCRA): a budget of `per_minute` requests that refills
//! one every `60 s / per_minute`. The store keeps one number per subject, the time at which
//! its budget is whole again, and only while it is not.
//!
//! A login costs the store one write, as it did before the limits: the address's and the
//! user's budgets are spent in the write that keeps the session. Before WeChat is asked, each
//! server holds an address to the same rate in its own memory ([`LocalBudgets`]): a client
//! in a loop, or one sending codes that are not WeChat's, is stopped there without a call
//! upstream or to the store.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use crate::address::Network;

/// A rate: at most `per_minute` requests in a minute from rest, refilled evenly; `0` is no
/// limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Requests a minute; `0` turns the limit off.
    pub per_minute: u32,
}

/// The highest rate a limit takes, a minute's requests (one a millisecond).
pub const MAX_PER_MINUTE: u32 = 60_000;

const MINUTE_MS: i64 = 60_000;

impl Rate {
    /// Whether the limit is on.
    pub fn is_on(self) -> bool {
        self.per_minute > 0
    }

    /// The time one request takes of the budget, in milliseconds (rounded up: never more
    /// than `per_minute` in a minute).
    pub fn interval_ms(self) -> i64 {
        let n = i64::from(self.per_minute.clamp(1, MAX_PER_MINUTE));
        (MINUTE_MS + n - 1) / n
    }

    /// How far ahead of now the budget may be spent: all of it but one request, so that
    /// `per_minute` are admitted at once from rest.
    pub fn tolerance_ms(self) -> i64 {
        i64::from(self.per_minute.clamp(1, MAX_PER_MINUTE) - 1) * self.interval_ms()
    }

    /// One request at `now_ms` against a budget whole again at `whole_at` (`None`: whole
    /// now): the new time it is whole again, or how many milliseconds to wait. The Redis
    /// store runs the same rule in Lua (`store/redis.rs`, `budget_lua!`); a test there feeds both the
    /// same requests and holds their answers equal.
    /// A time further ahead than a whole budget (the clock moved back) counts as a budget spent
    /// whole: a step back of the clock never holds a subject off for longer than a minute.
    pub fn admit(self, whole_at: Option<i64>, now_ms: i64) -> Result<i64, u64> {
        let furthest = now_ms + self.tolerance_ms() + self.interval_ms();
        let whole_at = whole_at.unwrap_or(now_ms).clamp(now_ms, furthest);
        let over = whole_at - now_ms - self.tolerance_ms();
        if over > 0 {
            return Err(over as u64);
        }
        Ok(whole_at + self.interval_ms())
    }
}

/// Whether a request is within its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admitted {
    /// It is: its share of the budget is spent.
    Yes,
    /// It is not; the budget has room again in this many milliseconds.
    No {
        /// Milliseconds until a request would be admitted.
        retry_after_ms: u64,
    },
}

/// Which limit refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Logins from one client address.
    Address,
    /// Logins of one user.
    User,
    /// Requests carrying one token.
    Token,
}

impl Limit {
    /// Its label in `mp_session_limits_hit_total`.
    pub fn label(self) -> &'static str {
        match self {
            Limit::Address => "login_ip",
            Limit::User => "login_user",
            Limit::Token => "token",
        }
    }

    /// What the refusal says, before "try again in N s": what was too many, and the setting
    /// that says how many (a developer who meets it in a test finds what to change).
    pub fn words(self) -> &'static str {
        match self {
            Limit::Address => "too many logins from this address (--logins-per-minute-per-ip)",
            Limit::User => "too many logins of this user (--logins-per-minute-per-user)",
            Limit::Token => "too many requests with this token (--calls-per-minute-per-token)",
        }
    }
}

/// A server's own budgets of client addresses, checked before WeChat is asked (the store's,
/// shared by every server, are spent when the session is kept). Clones share them.
#[derive(Clone, Debug, Default)]
pub struct LocalBudgets(std::sync::Arc<std::sync::Mutex<Local>>);

#[derive(Debug, Default)]
struct Local {
    whole_at: std::collections::HashMap<String, i64>,
    checks: u32,
}

impl LocalBudgets {
    /// The most subjects held. Past it the budgets whole again go, and if that is not enough
    /// (a client holding many addresses), the least spent, down to three quarters of it: the
    /// most spent, a looping client's among them, are kept.
    const MOST: usize = 100_000;
    /// Budgets whole again are let go after this many checks.
    const SWEEP_EVERY: u32 = 1024;

    /// One request of `subject` now against its budget at `rate` in this server (the time
    /// read under the lock: the order budgets are spent in).
    pub fn admit(&self, subject: &str, rate: Rate) -> Admitted {
        if !rate.is_on() {
            return Admitted::Yes;
        }
        let Ok(mut local) = self.0.lock() else {
            return Admitted::Yes;
        };
        let now_ms = crate::clock::now_ms();
        local.checks = local.checks.wrapping_add(1);
        if local.checks % Self::SWEEP_EVERY == 0 {
            local.whole_at.retain(|_, &mut whole_at| whole_at > now_ms);
        }
        if local.whole_at.len() >= Self::MOST {
            local.whole_at.retain(|_, &mut whole_at| whole_at > now_ms);
            if local.whole_at.len() >= Self::MOST {
                // The later a budget is whole again, the more it was spent: the earliest go.
                let mut times: Vec<i64> = local.whole_at.values().copied().collect();
                let going = times.len() - Self::MOST * 3 / 4;
                let (_, &mut cut, _) = times.select_nth_unstable(going);
                local.whole_at.retain(|_, &mut whole_at| whole_at > cut);
            }
        }
        let whole_at = local.whole_at.get(subject).copied();
        match rate.admit(whole_at, now_ms) {
            Ok(next) => {
                local.whole_at.insert(subject.to_owned(), next);
                Admitted::Yes
            }
            Err(retry_after_ms) => Admitted::No { retry_after_ms },
        }
    }
}

/// The limits a server holds requests to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Logins from one client address (an IPv6 client's /64).
    pub logins_per_ip: Rate,
    /// Logins of one user (counted once WeChat has said who the user is).
    pub logins_per_user: Rate,
    /// Authenticated requests carrying one token (its session).
    pub calls_per_token: Rate,
    /// The proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<Network>,
}

impl Limits {
    /// No limit at all, and no proxy trusted.
    pub fn off() -> Limits {
        let off = Rate { per_minute: 0 };
        Limits {
            logins_per_ip: off,
            logins_per_user: off,
            calls_per_token: off,
            trusted_proxies: Vec::new(),
        }
    }

    /// The client's address: see [`crate::address::client`], with these trusted proxies.
    pub fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        crate::address::client(peer, headers, &self.trusted_proxies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_of_n_a_minute_admits_n_at_once_then_one_each_interval() {
        let rate = Rate { per_minute: 6 };
        let mut whole_at = None;
        for _ in 0..6 {
            whole_at = Some(rate.admit(whole_at, 1_000).unwrap());
        }
        assert_eq!(rate.admit(whole_at, 1_000), Err(10_000));
        assert_eq!(rate.admit(whole_at, 10_999), Err(1));
        let next = rate.admit(whole_at, 11_000).unwrap();
        assert_eq!(rate.admit(Some(next), 11_000), Err(10_000));
        // A minute of rest refills it whole.
        let mut whole_at = Some(next);
        for _ in 0..6 {
            whole_at = Some(rate.admit(whole_at, 80_000).unwrap());
        }
        assert!(rate.admit(whole_at, 80_000).is_err());
        // A rate that does not divide a minute never admits more than it says.
        let odd = Rate { per_minute: 7 };
        let (mut whole_at, mut admitted) = (None, 0);
        while let Ok(next) = odd.admit(whole_at, 0) {
            whole_at = Some(next);
            admitted += 1;
        }
        assert_eq!(admitted, 7);
        // The budget spent whole, then the clock moved back an hour: a wait of one interval,
        // not of an hour more.
        let mut whole_at = None;
        for _ in 0..6 {
            whole_at = Some(rate.admit(whole_at, 3_601_000).unwrap());
        }
        assert_eq!(rate.admit(whole_at, 1_000), Err(10_000));
        assert_eq!(rate.admit(Some(i64::MAX / 2), 1_000), Err(10_000));
    }

    /// A client with more addresses than the server holds cannot wipe the budget of one that
    /// loops: when full, the least spent budgets go, the most spent stay.
    #[test]
    fn a_full_local_budget_lets_the_least_spent_go_and_keeps_a_looping_one() {
        let budgets = LocalBudgets::default();
        let rate = Rate { per_minute: 6 };
        while budgets.admit("looping", rate) == Admitted::Yes {}
        for n in 0..LocalBudgets::MOST {
            assert_eq!(budgets.admit(&format!("address-{n}"), rate), Admitted::Yes);
        }
        let held = budgets.0.lock().unwrap().whole_at.len();
        assert!(held <= LocalBudgets::MOST * 3 / 4 + 1, "{held} held");
        assert!(
            matches!(budgets.admit("looping", rate), Admitted::No { .. }),
            "the looping client's budget was forgotten"
        );
    }
}
