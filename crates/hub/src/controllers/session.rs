//! Sign-in: a user name and password for a new device token, within the sign-in bounds
//! ([`crate::auth::SignInGate`]: throttled per user name and per address, argon2 work bounded).

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use gridpatrol_core::validate::check_text;
use gridpatrol_sync::wire::{SignInRequest, SignInResponse, PROTOCOL};

use super::{blocking, json_error};
use crate::auth::{self, ClientAddr};
use crate::error::{HubError, Result};
use crate::AppState;

/// The longest user name a hub holds (`gridpatrol-hub user add` checks the same), and the longest
/// device name a sign-in may carry.
pub const MAX_NAME_CHARS: usize = 50;
pub const MAX_DEVICE_CHARS: usize = 100;

crate::refusals!(SignInRefusals:
    400 => ["malformed_json", "invalid_body", "unsupported_media_type"],
    401 => ["bad_credentials"],
    403 => ["user_disabled"],
    413 => ["payload_too_large"],
    422 => ["text_too_long", "invalid_value"],
    429 => ["too_many_sign_ins", "sign_in_busy"],
    500 => ["internal"],
);

/// Sign in; returns a new device token (stored hashed at the hub, revocable).
#[utoipa::path(post, path = "/api/v1/sign-in", tag = "session",
    request_body(content = SignInRequest, description = "At most 16 KiB."),
    responses((status = 200, description = "signed in: a new device token", body = SignInResponse), SignInRefusals))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: Result<Json<SignInRequest>, JsonRejection>,
) -> Result<Json<SignInResponse>> {
    let Json(request) = body.map_err(json_error)?;
    let device = check_text("device", &request.device, MAX_DEVICE_CHARS, false)?;
    let name = request.user.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        // No user has such a name: refused as any unknown name is, without argon2 or an echo.
        return Err(HubError::BadCredentials);
    }
    let attempt = state.sign_in.charge(&name, &addr, std::time::Instant::now())?;
    let store = state.store.clone();
    let (who, password) = (name.clone(), request.password);
    let user = state
        .sign_in
        .verify(move |memory| {
            let user = store.user(&who)?;
            // Argon2 runs even for an unknown name, so timing does not tell which names exist.
            let ok = auth::verify_password_in(&password, user.as_ref().map(|u| u.password_hash.as_str()), memory);
            Ok(user.filter(|_| ok))
        })
        .await?
        .ok_or(HubError::BadCredentials)?;
    state.sign_in.succeeded(attempt);
    let store = state.store.clone();
    blocking(move || {
        // Told only to whoever knows the password: a disabled user's sign-in is refused by name.
        if store.is_disabled(&user.name)? {
            return Err(HubError::UserDisabled(user.name));
        }
        let (token, hash) = auth::new_token();
        store.insert_token(&hash, &user.name, &device)?;
        let who = gridpatrol_core::model::User { name: user.name.clone(), role: user.role, unit: user.unit.clone() };
        let scope = store.scope_of(&who, &user.grids)?;
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
