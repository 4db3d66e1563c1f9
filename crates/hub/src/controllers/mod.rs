//! The handlers, one module per resource. Each is a few lines: extract, call the store (on a
//! blocking thread: SQLite is synchronous), answer JSON or a [`crate::HubError`].

pub mod events;
pub mod meta;
pub mod ops;
pub mod photos;
pub mod reference;
pub mod session;

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;

use crate::error::HubError;

/// Runs store work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> crate::Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| HubError::Internal(e.to_string()))?
}

/// axum's JSON rejections, as our `{code, message}`.
pub(crate) fn json_error(rejection: JsonRejection) -> HubError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return HubError::TooLarge("the body exceeds the limit for this route".into());
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            HubError::bad_request("unsupported_media_type", "Send the body as application/json.")
        }
        JsonRejection::JsonSyntaxError(e) => {
            HubError::bad_request("malformed_json", format!("The body is not JSON: {}", e.body_text()))
        }
        JsonRejection::JsonDataError(e) => {
            HubError::bad_request("invalid_body", format!("The JSON does not fit: {}", e.body_text()))
        }
        other => HubError::bad_request("invalid_body", other.body_text()),
    }
}
