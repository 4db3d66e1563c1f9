//! The city's reference data (registry, category tree and deadlines, units, holidays, office hours,
//! patrol rhythm, roster) as one versioned document: its version is the `ETag`, and a device that
//! names the version it holds in `If-None-Match` gets `304 Not Modified` and no body.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::blocking;
use crate::auth::Principal;
use crate::error::{HubError, Result};
use crate::AppState;

crate::refusals!(ReferenceRefusals:
    401 => ["unauthorized"],
    403 => ["user_disabled"],
    500 => ["internal"],
);

/// The last document made, by version: a document changes only with an administrative change, and
/// every device asks for it after signing in, so it is serialized once per version.
#[derive(Default)]
pub struct ReferenceCache(std::sync::Mutex<Option<(String, Bytes)>>);

/// Whether an `If-None-Match` value names `etag` (or is `*`); weak tags compare by their value.
fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// The reference data document, or 304 when the device holds this version already.
#[utoipa::path(get, path = "/api/v1/reference", tag = "sync", security(("deviceToken" = [])),
    params(("if-none-match" = Option<String>, Header,
        description = "The ETag of the version the device holds: 304 without a body when it is still the hub's.")),
    responses(
        (status = 200, description = "the reference data, whole; check every part before taking any",
            body = gridpatrol_sync::wire::schema::ReferenceSchema,
            headers(("etag" = String, description = "The document's version, quoted."))),
        (status = 304, description = "the device holds the hub's version",
            headers(("etag" = String, description = "The document's version, quoted."))),
        ReferenceRefusals))]
pub async fn reference(State(state): State<AppState>, _who: Principal, headers: HeaderMap) -> Result<Response> {
    let store = state.store.clone();
    let cache = state.reference.clone();
    let (version, body) = blocking(move || {
        let version = store.reference_version()?;
        let mut cached = cache.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((v, body)) = cached.as_ref().filter(|(v, _)| *v == version) {
            return Ok((v.clone(), body.clone()));
        }
        let doc = store.reference_document(&version)?;
        let body = Bytes::from(serde_json::to_vec(&doc).map_err(|e| HubError::Internal(e.to_string()))?);
        *cached = Some((version.clone(), body.clone()));
        Ok((version, body))
    })
    .await?;
    let etag = HeaderValue::from_str(&format!("\"{version}\""))
        .map_err(|e| HubError::Internal(format!("the reference version is not a header value: {e}")))?;
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches(v, etag.to_str().unwrap_or_default()));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    Ok(([(header::ETAG, etag), (header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body)
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn if_none_match_names_the_version_or_everything() {
        assert!(super::matches("\"a-1\"", "\"a-1\""), "the same tag");
        assert!(super::matches("\"x\", W/\"a-1\"", "\"a-1\""), "one of a list, weak");
        assert!(super::matches("*", "\"a-1\""), "any version");
        assert!(!super::matches("\"a-2\"", "\"a-1\""), "another version is not this one");
    }
}
