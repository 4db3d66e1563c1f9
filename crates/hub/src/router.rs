//! The one router: every route of the API, its body limit, and the JSON fallbacks for unknown
//! routes and methods. [`ROUTES`] lists them for the test that keeps `openapi.json` true.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::controllers::{events, meta, photos, session};
use crate::error::HubError;
use crate::AppState;

/// Every route as `(method, path)`, in the OpenAPI document's spelling.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/sign-in"),
    ("post", "/api/v1/push"),
    ("get", "/api/v1/pull"),
    ("head", "/api/v1/photos/{sha256}"),
    ("put", "/api/v1/photos/{sha256}"),
    ("get", "/api/v1/photos/{sha256}"),
    ("get", "/api/health"),
    ("get", "/api/version"),
    ("get", "/api/openapi.json"),
];

/// The whole API over `state`.
pub fn app(state: AppState) -> Router {
    let push_limit = state.limits.max_push_bytes;
    Router::new()
        .route("/api/v1/sign-in", post(session::sign_in).layer(DefaultBodyLimit::max(16 * 1024)))
        .route("/api/v1/push", post(events::push).layer(DefaultBodyLimit::max(push_limit)))
        .route("/api/v1/pull", get(events::pull))
        .route("/api/v1/photos/{sha256}", get(photos::download).head(photos::status).put(photos::upload))
        .route("/api/health", get(meta::health))
        .route("/api/version", get(meta::version))
        .route("/api/openapi.json", get(meta::openapi))
        .fallback(|| async { HubError::NotFound })
        .method_not_allowed_fallback(|| async { HubError::MethodNotAllowed })
        // Responses are gzipped for clients that accept it (JSON pages; photos are already compressed).
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .with_state(state)
}
