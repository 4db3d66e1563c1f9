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

pub async fn status(State(state): State<AppState>, _who: Principal, Path(sha256): Path<String>) -> Result<HeaderMap> {
    let (received, complete) = state.photos.status(&sha256)?;
    let mut headers = HeaderMap::new();
    headers.insert(UPLOAD_OFFSET, HeaderValue::from(received));
    headers.insert(UPLOAD_COMPLETE, HeaderValue::from_static(if complete { "true" } else { "false" }));
    Ok(headers)
}

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    pub offset: u64,
    pub total: u64,
}

pub async fn upload(
    State(state): State<AppState>,
    _who: Principal,
    Path(sha256): Path<String>,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Json<PhotoStatus>> {
    let Query(q) = query.map_err(|e| HubError::bad_request("invalid_query", e.body_text()))?;
    let (received, complete) =
        state.photos.upload(&sha256, q.offset, q.total, state.limits.max_photo_bytes, body).await?;
    Ok(Json(PhotoStatus { sha256, received, complete }))
}

pub async fn download(State(state): State<AppState>, _who: Principal, Path(sha256): Path<String>) -> Result<Vec<u8>> {
    state.photos.read(&sha256).await
}
