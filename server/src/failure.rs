//! The JSON every error is answered with, for the endpoints and the extractor alike.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use mp_session::protocol::{errcode, BackendError, ErrorBody};

use crate::config::MAX_BODY_BYTES;
use crate::upstream::Unavailable;

/// An answer that is not a success: a status and a JSON body.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    body: Value,
    /// Whole seconds for `Retry-After`: a 503's [`RETRY_AFTER_SECONDS`], a 429's its wait.
    retry_after: Option<u64>,
}

impl Failure {
    /// What this failure of a login was, for the metrics: `refused` (an errcode the platform
    /// gave), `unavailable` (the platform did not answer), `blocked`, `limited` (over an abuse
    /// limit), `store` (the store or the system failed), else `rejected` (what the app sent).
    pub(crate) fn outcome(&self) -> &'static str {
        if self.body.get("errcode").is_some() {
            return if self.status.is_server_error() {
                "unavailable"
            } else {
                "refused"
            };
        }
        match self.body["error"]["code"].as_str() {
            Some("BLOCKED") => "blocked",
            Some("RATE_LIMITED") => "limited",
            _ if self.status.is_server_error() => "store",
            _ => "rejected",
        }
    }

    /// The contract's failure of the server's own ([`ErrorBody`]) with `status`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Failure {
        Failure::of(status, code, message.into(), None)
    }

    /// The same, with the upstream's `errcode` beside the code.
    pub(crate) fn with_errcode(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
        errcode: i64,
    ) -> Failure {
        Failure::of(status, code, message.into(), Some(errcode))
    }

    fn of(status: StatusCode, code: &str, message: String, errcode: Option<i64>) -> Failure {
        let body = ErrorBody {
            error: BackendError {
                code: code.to_owned(),
                message,
                errcode,
            },
        };
        Failure {
            status,
            body: serde_json::to_value(body).expect("an ErrorBody is strings and a number"),
            retry_after: unavailable_for(status),
        }
    }

    /// The contract's failure: `{ "errcode", "errmsg" }` (the client's rules read `errcode`).
    pub(crate) fn errcode(status: StatusCode, errcode: i64, errmsg: impl Into<String>) -> Failure {
        Failure {
            status,
            body: json!({ "errcode": errcode, "errmsg": errmsg.into() }),
            retry_after: unavailable_for(status),
        }
    }

    /// The upstream gave no usable answer: 504 if it ran out of time, else 502, with the
    /// contract's `errcode: -1`.
    pub(crate) fn unavailable(what: &str, unavailable: Unavailable) -> Failure {
        tracing::warn!("{what}: {}", unavailable.why);
        let status = if unavailable.timed_out {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::BAD_GATEWAY
        };
        Failure::errcode(status, errcode::BUSY, unavailable.why)
    }

    /// Over an abuse limit (`what`: too many logins from this address, ...): `429
    /// RATE_LIMITED`, `Retry-After` the whole seconds until the budget has room (at least 1).
    pub(crate) fn limited(what: &str, retry_after_ms: u64) -> Failure {
        let seconds = retry_after_ms.div_ceil(1000).max(1);
        let mut failure = Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            format!("{what}: try again in {seconds} s"),
        );
        failure.retry_after = Some(seconds);
        failure
    }

    /// The store failed: 503, the details in the log only.
    pub fn store(error: crate::store::StoreError) -> Failure {
        tracing::error!("{error}");
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "STORE",
            "the session store failed; try again",
        )
    }

    /// A request body that is not the JSON `shape` names: 413 `TOO_LARGE` if over
    /// `MAX_BODY_BYTES`, else 400 `BAD_REQUEST`.
    pub(crate) fn body(rejection: JsonRejection, shape: &str) -> Failure {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "TOO_LARGE",
                format!("the body must be JSON {shape} of at most {MAX_BODY_BYTES} bytes"),
            );
        }
        Failure::new(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("the body must be JSON {shape}: {}", rejection.body_text()),
        )
    }
}

/// How long a client is asked to wait after a `503` (the store, or the system, failed for a
/// moment: a Redis restarting is reconnected by the next call).
pub const RETRY_AFTER_SECONDS: u64 = 1;

/// The `Retry-After` of an answer with `status`, unless it is given its own: a `503`'s.
fn unavailable_for(status: StatusCode) -> Option<u64> {
    (status == StatusCode::SERVICE_UNAVAILABLE).then_some(RETRY_AFTER_SECONDS)
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        response
    }
}
