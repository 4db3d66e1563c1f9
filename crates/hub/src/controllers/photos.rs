//! Photos by SHA-256: HEAD tells how many bytes the hub holds, PUT appends from an offset, GET
//! returns a whole photo.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::Json;
use gridpatrol_sync::wire::{PhotoStatus, UPLOAD_COMPLETE, UPLOAD_OFFSET};
use serde::Deserialize;

use crate::auth::Principal;
use crate::error::{HubError, Result};
use crate::AppState;

crate::refusals!(head StatusRefusals:
    400 => ["invalid_photo_name"],
    401 => ["unauthorized"],
    500 => ["internal"],
);

/// How many bytes of the photo the hub holds, in the headers `upload-offset` and `upload-complete`.
#[utoipa::path(head, path = "/api/v1/photos/{sha256}", tag = "photos", security(("deviceToken" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256 in 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$")),
    responses((status = 200, description = "the upload's state, in headers", headers(
        ("upload-offset" = u64, description = "bytes the hub holds: where a resumed upload starts"),
        ("upload-complete" = String, description = "`true` when the photo is whole and its SHA-256 checked, else `false`"),
    )), StatusRefusals))]
pub async fn status(State(state): State<AppState>, _who: Principal, Path(sha256): Path<String>) -> Result<HeaderMap> {
    let (received, complete) = state.photos.status(&sha256)?;
    let mut headers = HeaderMap::new();
    headers.insert(UPLOAD_OFFSET, HeaderValue::from(received));
    headers.insert(UPLOAD_COMPLETE, HeaderValue::from_static(if complete { "true" } else { "false" }));
    Ok(headers)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Where these bytes start: the bytes the hub already holds (at most `total`).
    pub offset: u64,
    /// The photo's whole size in bytes.
    #[param(minimum = 1)]
    pub total: u64,
}

crate::refusals!(UploadRefusals:
    400 => ["invalid_photo_name", "invalid_query", "upload_interrupted", "photo_longer_than_total"],
    401 => ["unauthorized"],
    409 => ["offset_mismatch"],
    413 => ["photo_too_large"],
    422 => ["photo_hash_mismatch", "photo_not_image"],
    500 => ["internal"],
);

/// Append the photo's bytes from `offset` (resumable); checked by SHA-256 and as an image when whole.
#[utoipa::path(put, path = "/api/v1/photos/{sha256}", tag = "photos", security(("deviceToken" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256 in 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$"),
        UploadQuery),
    request_body(content = inline(crate::openapi::Binary), content_type = "application/octet-stream",
        description = "The photo's bytes from `offset` on; empty when the hub holds them all but has not checked them \
                       (a cut before the check): it checks them then."),
    responses((status = 200, description = "the bytes held now", body = PhotoStatus), UploadRefusals))]
pub async fn upload(
    State(state): State<AppState>,
    _who: Principal,
    Path(sha256): Path<String>,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Json<PhotoStatus>> {
    let Query(q) = query.map_err(|e| HubError::bad_request("invalid_query", e.body_text()))?;
    if q.total == 0 || q.offset > q.total {
        return Err(HubError::bad_request(
            "invalid_query",
            format!(
                "total is the photo's size (1 or more) and offset at most total; the request had {} and {}.",
                q.total, q.offset
            ),
        ));
    }
    let (received, complete) =
        state.photos.upload(&sha256, q.offset, q.total, state.limits.max_photo_bytes, body).await?;
    Ok(Json(PhotoStatus { sha256, received, complete }))
}

crate::refusals!(DownloadRefusals:
    400 => ["invalid_photo_name"],
    401 => ["unauthorized"],
    404 => ["not_found"],
    500 => ["internal"],
);

/// A whole photo.
#[utoipa::path(get, path = "/api/v1/photos/{sha256}", tag = "photos", security(("deviceToken" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256 in 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$")),
    responses((status = 200, description = "the photo's bytes", content_type = "application/octet-stream",
        body = inline(crate::openapi::Binary)), DownloadRefusals))]
pub async fn download(State(state): State<AppState>, _who: Principal, Path(sha256): Path<String>) -> Result<Vec<u8>> {
    state.photos.read(&sha256).await
}
