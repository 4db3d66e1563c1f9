//! Push a batch of events; pull the events after a cursor within the caller's scope.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::Json;
use gridpatrol_sync::wire::{PullResponse, PushRequest, PushResponse, PROTOCOL};
use serde::Deserialize;

use super::{blocking, json_error};
use crate::auth::Principal;
use crate::error::{HubError, Result};
use crate::AppState;

pub async fn push(
    State(state): State<AppState>,
    who: Principal,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>> {
    let Json(request) = body.map_err(json_error)?;
    if request.protocol != PROTOCOL {
        return Err(HubError::bad_request(
            "unsupported_protocol",
            format!("This hub speaks protocol {PROTOCOL}, the device sent {}; update the app.", request.protocol),
        ));
    }
    if request.events.len() > state.limits.max_batch {
        return Err(HubError::TooLarge(format!(
            "{} events in one push, at most {} allowed",
            request.events.len(),
            state.limits.max_batch
        )));
    }
    let store = state.store.clone();
    let photos = state.photos.clone();
    blocking(move || {
        photos.sync_before_push()?;
        super::photos::check_attachable(&*store, &photos, &who, &request.events)?;
        let acks = store.push(&who, &request.events, &|sha: &str| photos.is_complete(sha))?;
        Ok(Json(PushResponse { acks }))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    pub since: i64,
    pub limit: Option<usize>,
}

pub async fn pull(
    State(state): State<AppState>,
    who: Principal,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>> {
    let Query(query) = query.map_err(|e| HubError::bad_request("invalid_query", e.body_text()))?;
    let limit = query.limit.unwrap_or(state.limits.max_pull).clamp(1, state.limits.max_pull);
    let store = state.store.clone();
    blocking(move || Ok(Json(store.pull(&who, query.since.max(0), limit)?))).await
}
