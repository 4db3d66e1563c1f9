//! Sign-in: a user name and password for a new device token.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use gridpatrol_sync::wire::{SignInRequest, SignInResponse, PROTOCOL};

use super::{blocking, json_error};
use crate::auth;
use crate::error::{HubError, Result};
use crate::AppState;

crate::refusals!(SignInRefusals:
    400 => ["malformed_json", "invalid_body", "unsupported_media_type"],
    401 => ["bad_credentials"],
    413 => ["payload_too_large"],
    500 => ["internal"],
);

/// Sign in; returns a new device token (stored hashed at the hub, revocable).
#[utoipa::path(post, path = "/api/v1/sign-in", tag = "session",
    request_body(content = SignInRequest, description = "At most 16 KiB."),
    responses((status = 200, description = "signed in: a new device token", body = SignInResponse), SignInRefusals))]
pub async fn sign_in(
    State(state): State<AppState>,
    body: Result<Json<SignInRequest>, JsonRejection>,
) -> Result<Json<SignInResponse>> {
    let Json(request) = body.map_err(json_error)?;
    let store = state.store.clone();
    blocking(move || {
        let user = store.user(request.user.trim())?;
        // Argon2 runs even for an unknown name, so timing does not tell which names exist.
        if !auth::verify_password(&request.password, user.as_ref().map(|u| u.password_hash.as_str())) {
            return Err(HubError::BadCredentials);
        }
        let user = user.ok_or(HubError::BadCredentials)?;
        let (token, hash) = auth::new_token();
        let device: String = request.device.chars().take(100).collect();
        store.insert_token(&hash, &user.name, &device)?;
        let scope = store.scope_of(user.role, &user.grids)?;
        Ok(Json(SignInResponse {
            token,
            user: user.name,
            role: user.role,
            grids: user.grids,
            scope,
            protocol: PROTOCOL,
        }))
    })
    .await
}
