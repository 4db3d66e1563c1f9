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

crate::refusals!(PushRefusals:
    400 => ["malformed_json", "invalid_body", "unsupported_media_type", "unsupported_protocol"],
    401 => ["unauthorized"],
    403 => ["user_disabled"],
    403 => ["out_of_scope", "not_your_log", "actor_mismatch", "not_your_unit"],
    409 => ["event_conflict", "duplicate_event", "finding_exists", "patrol_exists", "illegal_move", "move_not_allowed",
            "illegal_review", "review_not_allowed", "finding_closed", "edit_not_allowed", "step_not_allowed",
            "deferral_pending", "no_deferral_pending"],
    413 => ["payload_too_large"],
    // A core rule refused the event (HubError::event): field validation, the registry, the lifecycle.
    422 => ["unknown_grid", "not_a_small_grid", "unknown_category", "not_a_minor_category", "empty_text",
            "text_too_long", "invalid_point", "half_point", "point_outside_grid", "point_in_no_grid",
            "observed_in_future", "invalid_time", "invalid_week", "invalid_value", "photo_not_image",
            "photo_too_large", "photo_unreadable", "finding_not_found", "patrol_under_way", "no_patrol_under_way",
            "patrol_without_grids", "reason_required", "nothing_to_edit", "week_not_started", "no_grids",
            // The closed loop with responsible units (issue 12).
            "unknown_unit", "dispatch_needs_unit", "after_photo_required", "before_photo_required",
            "after_photos_only_on_the_spot", "deferral_too_early"],
    // Core's decoder refused the event before it was judged (crate gridpatrol_core::change).
    422 => ["malformed_event", "invalid_id", "time_out_of_bounds", "time_out_of_order", "photo_metadata",
            "photo_too_many_pixels"],
    // The hub's own refusals of an event (rules.rs).
    422 => ["photo_missing", "unknown_patrol", "unsupported_event"],
    500 => ["internal"],
);

/// Push a batch of events; judged and applied in hub order, all or nothing, idempotent by event id.
#[utoipa::path(post, path = "/api/v1/push", tag = "sync", security(("deviceToken" = [])),
    request_body = PushRequest,
    responses((status = 200, description = "every event accepted (or already held): one ack each, in batch order",
        body = PushResponse), PushRefusals))]
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
    let answer = blocking(move || {
        photos.sync_before_push()?;
        super::photos::check_attachable(&*store, &photos, &who, &request.events)?;
        let acks = store.push(&who, &request.events, &|sha: &str| photos.held(sha))?;
        Ok(Json(PushResponse { acks }))
    })
    .await?;
    state.metrics.pushed(answer.acks.len() as u64);
    Ok(answer)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The cursor of the last page (0 for the beginning).
    #[serde(default)]
    #[param(minimum = 0)]
    pub since: i64,
    /// The most events to return (the hub's page size when absent).
    #[param(minimum = 1)]
    pub limit: Option<usize>,
}

crate::refusals!(PullRefusals:
    400 => ["invalid_query"],
    401 => ["unauthorized"],
    403 => ["user_disabled"],
    500 => ["internal"],
);

/// Events after a cursor within the caller's grid scope, in hub order.
#[utoipa::path(get, path = "/api/v1/pull", tag = "sync", security(("deviceToken" = [])), params(PullQuery),
    responses((status = 200, description = "a page of events", body = PullResponse), PullRefusals))]
pub async fn pull(
    State(state): State<AppState>,
    who: Principal,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>> {
    let Query(query) = query.map_err(|e| HubError::bad_request("invalid_query", e.body_text()))?;
    let max = state.limits.max_pull;
    let limit = query.limit.unwrap_or(max);
    if query.since < 0 || !(1..=max).contains(&limit) {
        return Err(HubError::bad_request(
            "invalid_query",
            format!(
                "since is a cursor (0 or more) and limit is 1 to {max}; the request had {} and {limit}.",
                query.since
            ),
        ));
    }
    let store = state.store.clone();
    let page = blocking(move || Ok(Json(store.pull(&who, query.since, limit)?))).await?;
    state.metrics.pulled();
    Ok(page)
}
