//! Passwords, device tokens and who is calling.
//!
//! Passwords are stored as argon2id PHC strings. A device token is 32 random bytes from the OS,
//! hex-encoded; the hub stores only its SHA-256 (a token is random, so a fast hash is enough and
//! a stolen database yields no usable token), and revoking deletes nothing the device could use.
//! [`Principal`] is the axum extractor that turns `Authorization: Bearer TOKEN` into the user,
//! their role and their grid scope, or refuses with 401 `unauthorized`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use gridpatrol_core::model::{Role, User};
use gridpatrol_core::scope::Scope;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

use crate::error::{HubError, Result};
use crate::AppState;

/// argon2id with the RFC 9106 second recommended parameters (19 MiB, 2 passes).
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    StdRng::from_os_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| HubError::Internal(e.to_string()))?;
    Ok(argon2().hash_password(password.as_bytes(), &salt).map_err(|e| HubError::Internal(e.to_string()))?.to_string())
}

/// Checks a password against a stored hash. With no user, a dummy hash is checked anyway so a
/// wrong name takes as long as a wrong password.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Qbn7dOhXnqdSl3Ah1s7ra0fJpCcwKx8Ny4jbgr9dJA";
    let parsed = PasswordHash::new(stored.unwrap_or(DUMMY));
    let ok = parsed.is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok());
    ok && stored.is_some()
}

/// A new device token (given to the device once) and its hash (kept by the hub).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    StdRng::from_os_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A user as the hub stores them.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub name: String,
    pub role: Role,
    /// The grid codes given to the user (a lead: their large grid; an officer: small grids).
    pub grids: Vec<String>,
    pub password_hash: String,
}

/// The caller of an authenticated route.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub scope: Scope,
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Principal> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(HubError::Unauthorized)?;
        let token = header.strip_prefix("Bearer ").ok_or(HubError::Unauthorized)?.trim();
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HubError::Unauthorized);
        }
        let hash = token_hash(token);
        let store = state.store.clone();
        let user = tokio::task::spawn_blocking(move || store.token_user(&hash))
            .await
            .map_err(|e| HubError::Internal(e.to_string()))??
            .ok_or(HubError::Unauthorized)?;
        let scope = state.store.scope_of(user.role, &user.grids)?;
        Ok(Principal { user: User { name: user.name, role: user.role }, scope })
    }
}
