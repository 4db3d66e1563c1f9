//! The hub's one error type and its policy.
//!
//! Every error leaves the hub as JSON `{code, message}` (plus `event_id` when one event of a push
//! is to blame) with a fitting status: 400 malformed, 401 no valid token, 403 outside the caller's
//! scope, 404 unknown route, 409 a conflict with what the hub holds (an event id reused with other
//! content, a move no longer legal), 413 too large, 422 a well-formed request the rules refuse,
//! 429 too many attempts (with `Retry-After`), 500 our fault. A refusal of an event names it so
//! the device parks that one event and goes on. No message is longer than [`MAX_MESSAGE_CHARS`].
//! Internal detail (SQLite, IO) is logged (`tracing`) and never sent (axum's error-handling example).
//!
//! The status of every code is written once, in [`status_of`]; nothing else in the hub picks one.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gridpatrol_core::Lang;
use gridpatrol_sync::wire::ErrorBody;

pub type Result<T, E = HubError> = std::result::Result<T, E>;

/// The longest message an error carries over HTTP.
pub const MAX_MESSAGE_CHARS: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("sign-in refused")]
    BadCredentials,
    #[error("missing, unknown or revoked device token")]
    Unauthorized,
    #[error("payload too large: {0}")]
    TooLarge(String),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// One event of a push is refused; nothing of the batch was stored.
    #[error("event {event_id}: {message}")]
    Event { status: StatusCode, code: String, message: String, event_id: String },
    /// A photo upload is refused.
    #[error("{message}")]
    Photo { status: StatusCode, code: &'static str, message: String },
    /// `/readyz`: the hub cannot serve yet (503, with `Retry-After`); what failed, without detail.
    #[error("not ready: {0}")]
    NotReady(&'static str),
    /// `/metrics` asked from elsewhere than loopback without the metrics token (403).
    #[error("metrics not allowed")]
    MetricsNotAllowed,
    /// Too many attempts (429, with `Retry-After` in seconds).
    #[error("throttled ({code}): retry after {retry_after} s")]
    Throttled { code: &'static str, retry_after: u64 },
    #[error("user {0} already exists")]
    UserExists(String),
    #[error("no user {0}")]
    UnknownUser(String),
    /// The user was disabled by an administrator: their tokens and sign-ins are refused (403).
    #[error("user {0} is disabled")]
    UserDisabled(String),
    /// An administration command refused its input (nothing changed), in both languages.
    #[error("{en}")]
    Refused { code: &'static str, zh: String, en: String },
    #[error("{0}")]
    Core(#[from] gridpatrol_core::Error),
    #[error("storage error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The status each error code leaves the hub with: the one table of the policy above. A code not
/// named here is a well-formed request the rules refuse (422).
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "storage" | "io" | "internal" => StatusCode::INTERNAL_SERVER_ERROR,
        "out_of_scope" | "not_your_log" | "actor_mismatch" | "not_your_unit" | "user_disabled" => StatusCode::FORBIDDEN,
        "illegal_move"
        | "move_not_allowed"
        | "illegal_review"
        | "review_not_allowed"
        | "finding_closed"
        | "edit_not_allowed"
        | "finding_exists"
        | "patrol_exists"
        | "event_conflict"
        | "duplicate_event"
        | "user_exists"
        | "step_not_allowed"
        | "deferral_pending"
        | "no_deferral_pending" => StatusCode::CONFLICT,
        "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl HubError {
    /// Refuses event `event_id` for a core rule's reason, with the status that reason deserves.
    pub fn event(event_id: &str, e: gridpatrol_core::Error) -> HubError {
        if matches!(e.code(), "storage" | "io") {
            return HubError::from(e);
        }
        HubError::event_with(e.code(), event_id, e.message(Lang::En))
    }

    /// Refuses event `event_id` with a hub code (one of [`status_of`]'s) and a sentence.
    pub fn event_with(code: &str, event_id: &str, message: impl Into<String>) -> HubError {
        HubError::Event {
            status: status_of(code),
            code: code.into(),
            message: message.into(),
            // An id is echoed back so the device can park the event, but never a huge one.
            event_id: gridpatrol_core::change::clip(event_id),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> HubError {
        HubError::BadRequest { code, message: message.into() }
    }

    /// An administration command's refusal, in Chinese and English, naming the field at fault.
    pub fn refused(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> HubError {
        HubError::Refused { code, zh: zh.into(), en: en.into() }
    }

    /// The message in Chinese, for the command line (which prints both languages): the English one
    /// where no Chinese sentence exists.
    pub fn message_zh(&self) -> Option<String> {
        match self {
            HubError::Refused { zh, .. } => Some(zh.clone()),
            HubError::UnknownUser(name) => Some(format!("没有用户 {name}。")),
            HubError::UserExists(name) => Some(format!("用户 {name} 已存在。")),
            HubError::UserDisabled(name) => Some(format!("用户 {name} 已被停用。")),
            HubError::Core(e) if !matches!(e.code(), "storage" | "io") => Some(e.message(Lang::Zh)),
            _ => None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            HubError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            HubError::BadCredentials | HubError::Unauthorized => StatusCode::UNAUTHORIZED,
            HubError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            HubError::NotFound | HubError::UnknownUser(_) => StatusCode::NOT_FOUND,
            HubError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            HubError::Event { status, .. } | HubError::Photo { status, .. } => *status,
            HubError::UserExists(_) => StatusCode::CONFLICT,
            HubError::UserDisabled(_) => status_of("user_disabled"),
            HubError::Refused { code, .. } => status_of(code),
            HubError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            HubError::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            HubError::MetricsNotAllowed => StatusCode::FORBIDDEN,
            HubError::Core(e) => status_of(e.code()),
            HubError::Db(_) | HubError::Io(_) | HubError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, message, event_id): (String, String, Option<String>) = match self {
            HubError::BadRequest { code, message } => (code.to_string(), message.clone(), None),
            HubError::BadCredentials => ("bad_credentials".into(), "Unknown user or wrong password.".into(), None),
            HubError::Unauthorized => {
                ("unauthorized".into(), "The device token is missing, unknown or revoked; sign in again.".into(), None)
            }
            HubError::TooLarge(what) => {
                ("payload_too_large".into(), format!("The request is too large: {what}."), None)
            }
            HubError::NotFound => ("not_found".into(), "There is no such resource.".into(), None),
            HubError::MethodNotAllowed => {
                ("method_not_allowed".into(), "That method is not allowed here.".into(), None)
            }
            HubError::Event { code, message, event_id, .. } => (code.clone(), message.clone(), Some(event_id.clone())),
            HubError::Photo { code, message, .. } => (code.to_string(), message.clone(), None),
            HubError::Throttled { code, retry_after } => {
                (
                    code.to_string(),
                    if *code == "sign_in_busy" {
                        format!("The hub is busy checking other sign-ins; try again in {retry_after} s.")
                    } else {
                        format!("Too many failed sign-ins for this user or from this address; try again in {retry_after} s.")
                    },
                    None,
                )
            }
            HubError::NotReady(what) => {
                ("not_ready".into(), format!("The hub is not ready: {what}. The operator's log says why."), None)
            }
            HubError::MetricsNotAllowed => (
                "metrics_not_allowed".into(),
                "The metrics are served to loopback, or to whoever presents the hub's metrics token.".into(),
                None,
            ),
            HubError::UserExists(name) => ("user_exists".into(), format!("User {name} already exists."), None),
            HubError::UnknownUser(name) => ("unknown_user".into(), format!("There is no user {name}."), None),
            HubError::UserDisabled(_) => (
                "user_disabled".into(),
                "This user has been disabled by an administrator; ask them to enable it again.".into(),
                None,
            ),
            HubError::Refused { code, en, .. } => (code.to_string(), en.clone(), None),
            HubError::Core(e) if self.status() != StatusCode::INTERNAL_SERVER_ERROR => {
                (e.code().into(), e.message(Lang::En), None)
            }
            _ => ("internal".into(), "The hub failed; the request changed nothing. Try again later.".into(), None),
        };
        ErrorBody { code, message, event_id }
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // The internal cause, for the operator; the client gets the plain sentence below.
            tracing::error!(error = %self, "internal error");
        }
        let retry_after = match &self {
            HubError::Throttled { retry_after, .. } => Some(*retry_after),
            HubError::NotReady(_) => Some(5),
            _ => None,
        };
        let mut body = self.body();
        // A last guard: no message echoes a huge value back, whatever built it.
        if body.message.chars().count() > MAX_MESSAGE_CHARS {
            body.message = body.message.chars().take(MAX_MESSAGE_CHARS).chain("…".chars()).collect();
        }
        let code = crate::metrics::RefusalCode(body.code.clone());
        let mut response = (status, Json(body)).into_response();
        // For the metrics and the request log: refusals by their code.
        response.extensions_mut().insert(code);
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
