//! Passwords, device tokens and who is calling.
//!
//! Passwords are stored as argon2id PHC strings. A device token is 32 random bytes from the OS,
//! hex-encoded; the hub stores only its SHA-256 (a token is random, so a fast hash is enough and
//! a stolen database yields no usable token), and revoking deletes nothing the device could use.
//! [`Principal`] is the axum extractor that turns `Authorization: Bearer TOKEN` into the user,
//! their role and their grid scope, or refuses with 401 `unauthorized`; a token unused for longer
//! than [`crate::Limits::token_idle`] is refused the same way (the device signs in again).
//!
//! Sign-in is where a stranger can make the hub work: every attempt costs an argon2 verification
//! (19 MiB, tens of milliseconds). [`SignInGate`] bounds that work: at most
//! [`crate::Limits::sign_in_concurrency`] verifications run at once (memory stays flat however many
//! arrive), at most [`MAX_WAITING`] wait for their turn, and every user name and every client
//! address has a bucket of attempts that refills slowly (429 `too_many_sign_ins` with `Retry-After`
//! when it is empty). An attempt is charged before the password is checked and given back when it
//! succeeds, so only failures count, and a flood is refused before any argon2 runs.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use gridpatrol_core::model::{Role, User};
use gridpatrol_core::scope::Scope;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

use crate::error::{HubError, Result};
use crate::{AppState, Limits};

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
    verify_password_in(password, stored, &mut Vec::new())
}

/// [`verify_password`] with argon2's working memory (19 MiB for our hashes) given by the caller, so
/// a sign-in reuses the memory of the one before instead of allocating its own: freed and
/// reallocated across threads, that memory stays with the allocator and the process keeps growing
/// (measured: 700 MiB after 100 wrong sign-ins, two at a time).
pub fn verify_password_in(password: &str, stored: Option<&str>, memory: &mut Vec<Block>) -> bool {
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Qbn7dOhXnqdSl3Ah1s7ra0fJpCcwKx8Ny4jbgr9dJA";
    let ok = PasswordHash::new(stored.unwrap_or(DUMMY)).ok().and_then(|h| matches(password, &h, memory));
    ok == Some(true) && stored.is_some()
}

/// The most argon2 memory a stored hash may ask for (64 MiB): ours take 19 MiB.
const MAX_BLOCKS: usize = 64 * 1024;

fn matches(password: &str, hash: &PasswordHash<'_>, memory: &mut Vec<Block>) -> Option<bool> {
    let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(hash).ok()?;
    let expected = hash.hash?;
    let mut salt = [0u8; 64];
    let salt = hash.salt?.decode_b64(&mut salt).ok()?;
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return None;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
        .ok()?;
    // Constant time: every byte is compared whatever the first difference.
    Some(out.iter().zip(expected.as_bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0)
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
    /// A liaison's responsible unit (its code); none for every other role.
    pub unit: Option<String>,
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
        let idle = state.limits.token_idle;
        let user = tokio::task::spawn_blocking(move || store.token_user(&hash, idle))
            .await
            .map_err(|e| HubError::Internal(e.to_string()))??
            .ok_or(HubError::Unauthorized)?;
        let user_ = User { name: user.name, role: user.role, unit: user.unit };
        let scope = state.store.scope_of(&user_, &user.grids)?;
        Ok(Principal { user: user_, scope })
    }
}

/// The most sign-ins that may wait for an argon2 verification; more are refused at once (429).
pub const MAX_WAITING: usize = 64;

/// Where a request came from, for throttling sign-ins by address: the TCP peer, or with
/// [`Limits::trust_forwarded_for`] (the hub behind a reverse proxy on the same machine) the last
/// address in `X-Forwarded-For`, the one the proxy itself appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<ClientAddr, Self::Rejection> {
        if state.limits.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .next_back();
            if let Some(addr) = forwarded {
                return Ok(ClientAddr(addr.chars().take(64).collect()));
            }
        }
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(ClientAddr(peer.map(|c| c.0.ip().to_string()).unwrap_or_else(|| "local".into())))
    }
}

/// A bucket of sign-in attempts: `tokens` left, refilled one per `refill` up to `burst`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: std::time::Instant,
}

/// The bounds on sign-in work (see the module's notes).
pub struct SignInGate {
    verifying: tokio::sync::Semaphore,
    /// argon2's working memory, one buffer per verification running: reused, never freed.
    memory: std::sync::Mutex<Vec<Vec<Block>>>,
    waiting: std::sync::atomic::AtomicUsize,
    buckets: std::sync::Mutex<std::collections::HashMap<String, Bucket>>,
    user_burst: f64,
    user_refill: std::time::Duration,
    address_burst: f64,
    address_refill: std::time::Duration,
}

/// The most buckets kept; past this, full ones (nobody failing lately) are forgotten first.
const MAX_BUCKETS: usize = 100_000;

/// An attempt charged to a user name and an address, given back by [`SignInGate::succeeded`].
pub struct Attempt {
    keys: [String; 2],
}

impl SignInGate {
    pub fn new(limits: &Limits) -> SignInGate {
        SignInGate {
            verifying: tokio::sync::Semaphore::new(limits.sign_in_concurrency.max(1)),
            memory: Default::default(),
            waiting: Default::default(),
            buckets: Default::default(),
            user_burst: f64::from(limits.sign_in_user_burst.max(1)),
            user_refill: limits.sign_in_user_refill,
            address_burst: f64::from(limits.sign_in_address_burst.max(1)),
            address_refill: limits.sign_in_address_refill,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Bucket>> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Charges one attempt to `user` and to `addr` at `now`, or refuses with 429 and the seconds
    /// until both have an attempt again.
    pub fn charge(&self, user: &str, addr: &str, now: std::time::Instant) -> Result<Attempt> {
        let keys = [format!("u:{user}"), format!("a:{addr}")];
        let limits = [(self.user_burst, self.user_refill), (self.address_burst, self.address_refill)];
        let mut buckets = self.lock();
        if buckets.len() >= MAX_BUCKETS {
            let (ub, ab) = (self.user_burst, self.address_burst);
            buckets.retain(|k, b| b.tokens < if k.starts_with("u:") { ub } else { ab });
        }
        let mut wait = 0f64;
        let mut levels = [0f64; 2];
        for (i, (key, (burst, refill))) in keys.iter().zip(limits).enumerate() {
            let b = buckets.get(key).copied().unwrap_or(Bucket { tokens: burst, at: now });
            let refilled = now.saturating_duration_since(b.at).as_secs_f64() / refill.as_secs_f64().max(1e-3);
            levels[i] = (b.tokens + refilled).min(burst);
            if levels[i] < 1.0 {
                wait = wait.max((1.0 - levels[i]) * refill.as_secs_f64());
            }
        }
        if wait > 0.0 {
            return Err(HubError::Throttled { code: "too_many_sign_ins", retry_after: wait.ceil().max(1.0) as u64 });
        }
        for (key, level) in keys.iter().zip(levels) {
            buckets.insert(key.clone(), Bucket { tokens: level - 1.0, at: now });
        }
        Ok(Attempt { keys })
    }

    /// Gives a successful sign-in's attempt back: only failures use up the buckets.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut buckets = self.lock();
        let bursts = [self.user_burst, self.address_burst];
        for (key, burst) in attempt.keys.iter().zip(bursts) {
            if let Some(b) = buckets.get_mut(key) {
                b.tokens = (b.tokens + 1.0).min(burst);
            }
        }
    }

    /// Runs `verify` (an argon2 check, given reusable working memory for [`verify_password_in`]) on a
    /// blocking thread when a permit is free; refuses at once when [`MAX_WAITING`] attempts already wait.
    pub async fn verify<T: Send + 'static>(
        &self,
        verify: impl FnOnce(&mut Vec<Block>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        /// Counts a waiting attempt until it is dropped (also when its client goes away mid-wait).
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let waiting = Waiting(&self.waiting);
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
            return Err(HubError::Throttled { code: "sign_in_busy", retry_after: 1 });
        }
        let permit = self.verifying.acquire().await;
        drop(waiting);
        let _permit = permit.map_err(|e| HubError::Internal(e.to_string()))?;
        let pool = || self.memory.lock().unwrap_or_else(|e| e.into_inner());
        // At most one buffer per permit exists: each holder takes one and puts it back.
        // An empty pool (the first sign-ins) means a new, empty buffer: argon2 sizes it on first use.
        let mut memory = pool().pop().unwrap_or_else(Vec::new);
        let (memory, result) = tokio::task::spawn_blocking(move || {
            let result = verify(&mut memory);
            (memory, result)
        })
        .await
        .map_err(|e| HubError::Internal(e.to_string()))?;
        pool().push(memory);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn gate() -> SignInGate {
        SignInGate::new(&Limits {
            sign_in_user_burst: 3,
            sign_in_user_refill: Duration::from_secs(60),
            sign_in_address_burst: 5,
            sign_in_address_refill: Duration::from_secs(10),
            ..Limits::default()
        })
    }

    #[test]
    fn a_users_failed_attempts_run_out_and_refill_with_time() {
        let gate = gate();
        let t = Instant::now();
        for i in 0..3 {
            assert!(gate.charge("li", &format!("10.0.0.{i}"), t).is_ok(), "the burst is allowed");
        }
        match gate.charge("li", "10.0.0.9", t) {
            Err(HubError::Throttled { code, retry_after }) => {
                assert_eq!(code, "too_many_sign_ins", "an empty bucket is a 429");
                assert_eq!(retry_after, 60, "Retry-After says when the next attempt is allowed");
            }
            _ => panic!("the fourth failure in a row for one user is throttled, from any address"),
        }
        assert!(gate.charge("zhang", "10.0.0.9", t).is_ok(), "another user is not throttled by li's failures");
        assert!(gate.charge("li", "10.0.0.9", t + Duration::from_secs(61)).is_ok(), "the bucket refills");
    }

    #[test]
    fn an_address_is_throttled_across_user_names_and_successes_are_given_back() {
        let gate = gate();
        let t = Instant::now();
        for i in 0..5 {
            assert!(gate.charge(&format!("user{i}"), "10.0.0.1", t).is_ok(), "the address's burst is allowed");
        }
        assert!(gate.charge("user9", "10.0.0.1", t).is_err(), "one address spraying names is throttled");
        let gate = self::gate();
        for _ in 0..10 {
            let a = gate.charge("li", "10.0.0.1", t).expect("successful sign-ins are never throttled");
            gate.succeeded(a);
        }
    }
}
