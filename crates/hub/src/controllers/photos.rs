//! Photos by SHA-256: HEAD tells how many bytes the hub holds for the caller, PUT appends to the
//! caller's own upload from an offset, GET returns a whole photo.
//!
//! A whole photo is the caller's to read when they uploaded it, or when a finding in their scope
//! names it ([`crate::HubStore::photo_visible`]). Anyone else is told nothing: HEAD answers with the
//! caller's own partial upload (0 bytes, not complete) and GET with 404, as for a photo the hub
//! does not hold, so a hash learnt elsewhere reveals neither the photo nor that it exists. The same
//! rule holds for attaching: an event may name only photos its author may read
//! ([`check_attachable`]), so nobody gains another's upload by naming its hash in a finding.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::Json;
use gridpatrol_sync::wire::{PhotoStatus, UPLOAD_COMPLETE, UPLOAD_OFFSET};
use serde::Deserialize;

use super::blocking;
use crate::auth::Principal;
use crate::error::{HubError, Result};
use crate::photos::check_name;
use crate::AppState;

/// Whether the caller may read the whole photo `sha256` (see the module's notes).
async fn visible(state: &AppState, who: &Principal, sha256: &str) -> Result<bool> {
    let (store, who, sha) = (state.store.clone(), who.clone(), sha256.to_string());
    blocking(move || store.photo_visible(&sha, &who)).await
}

crate::refusals!(head StatusRefusals:
    400 => ["invalid_photo_name"],
    401 => ["unauthorized"],
    403 => ["user_disabled"],
    500 => ["internal"],
);

/// How many bytes of the photo the hub holds, in the headers `upload-offset` and `upload-complete`.
#[utoipa::path(head, path = "/api/v1/photos/{sha256}", tag = "photos", security(("deviceToken" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256 in 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$")),
    responses((status = 200, description = "the upload's state, in headers", headers(
        ("upload-offset" = u64, description = "bytes the hub holds: where a resumed upload starts"),
        ("upload-complete" = String, description = "`true` when the photo is whole and its SHA-256 checked, else `false`"),
    )), StatusRefusals))]
pub async fn status(State(state): State<AppState>, who: Principal, Path(sha256): Path<String>) -> Result<HeaderMap> {
    check_name(&sha256)?;
    let whole = match state.photos.complete_len(&sha256)? {
        Some(len) if visible(&state, &who, &sha256).await? => Some(len),
        _ => None,
    };
    let (received, complete) = match whole {
        Some(len) => (len, true),
        None => (state.photos.partial_len(&who.user.name, &sha256)?, false),
    };
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
    403 => ["user_disabled"],
    409 => ["offset_mismatch"],
    413 => ["photo_too_large", "upload_quota_exceeded"],
    422 => ["photo_hash_mismatch", "photo_not_image", "photo_too_many_pixels"],
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
    who: Principal,
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
    check_name(&sha256)?;
    let theirs = state.photos.is_complete(&sha256) && visible(&state, &who, &sha256).await?;
    let limits = &state.limits;
    // The uploader may read what they uploaded, until and after a finding uses it: recorded on the
    // upload's own blocking task when the photo is whole.
    let (store, sha, user) = (state.store.clone(), sha256.clone(), who.user.name.clone());
    let record = move || store.record_photo_upload(&sha, &user);
    let (received, complete) = state
        .photos
        .upload(
            &who.user.name,
            &sha256,
            q.offset,
            q.total,
            limits.max_photo_bytes,
            limits.partial_quota,
            theirs,
            body,
            record,
        )
        .await?;
    Ok(Json(PhotoStatus { sha256, received, complete }))
}

crate::refusals!(DownloadRefusals:
    400 => ["invalid_photo_name"],
    401 => ["unauthorized"],
    403 => ["user_disabled"],
    404 => ["not_found"],
    500 => ["internal"],
);

/// A whole photo.
#[utoipa::path(get, path = "/api/v1/photos/{sha256}", tag = "photos", security(("deviceToken" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256 in 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$")),
    responses((status = 200, description = "the photo's bytes", content_type = "application/octet-stream",
        body = inline(crate::openapi::Binary)), DownloadRefusals))]
pub async fn download(State(state): State<AppState>, who: Principal, Path(sha256): Path<String>) -> Result<Vec<u8>> {
    check_name(&sha256)?;
    if !visible(&state, &who, &sha256).await? {
        return Err(HubError::NotFound);
    }
    state.photos.read(&sha256).await
}

/// Refuses a pushed event that names a photo its author may not read (another user's upload that no
/// finding in their scope uses), as `photo_missing`: the device uploads its own copy first. Runs
/// before the batch is judged, so a refusal stores nothing.
pub(crate) fn check_attachable(
    store: &dyn crate::HubStore,
    vault: &crate::photos::PhotoVault,
    who: &Principal,
    events: &[gridpatrol_sync::wire::WireEvent],
) -> Result<()> {
    for event in events {
        let named = event.payload.get("photos").and_then(|p| p.as_array()).into_iter().flatten();
        for sha256 in named.filter_map(|p| p.get("sha256").and_then(|s| s.as_str())) {
            if vault.is_complete(sha256) && !store.photo_visible(sha256, who)? {
                return Err(HubError::event_with(
                    "photo_missing",
                    &event.id,
                    format!("Photo {sha256} must be uploaded by you before an event of yours names it."),
                ));
            }
        }
    }
    Ok(())
}
