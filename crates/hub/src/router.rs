//! The one router: every route of the API, its body limit, and the JSON fallbacks for unknown
//! routes and methods.
//!
//! Every handler is registered with utoipa-axum's `routes!`, which reads the route from the
//! handler's `#[utoipa::path]`: the router and the OpenAPI document come from one list, so neither
//! has a route the other lacks. Add a route here only that way (a test rejects a bare axum route call here).

use axum::extract::DefaultBodyLimit;
use axum::{Extension, Router};
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::controllers::{events, meta, ops, photos, reference, session};
use crate::error::HubError;
use crate::openapi::{self, ApiDoc};
use crate::{AppState, Limits};

/// Every route of the API with its documentation, before the document is finished.
pub fn routes(limits: &Limits) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::sign_in).layer(DefaultBodyLimit::max(16 * 1024)))
        .routes(routes!(events::push).layer(DefaultBodyLimit::max(limits.max_push_bytes)))
        .routes(routes!(events::pull))
        .routes(routes!(reference::reference))
        .routes(routes!(photos::download, photos::status, photos::upload))
        .routes(routes!(meta::health))
        .routes(routes!(meta::version))
        .routes(routes!(meta::openapi))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
}

/// The API's OpenAPI document for a hub with `limits`, as `/api/openapi.json` serves it.
pub fn document(limits: &Limits) -> serde_json::Value {
    openapi::document(routes(limits).into_openapi(), limits)
}

/// The whole API over `state`.
pub fn app(state: AppState) -> Router {
    let (router, doc) = routes(&state.limits).split_for_parts();
    let doc = openapi::document(doc, &state.limits);
    let doc = meta::Document(serde_json::to_vec(&doc).expect("a JSON value serializes").into());
    // Every answer names the hub's epoch (new after a restore from a backup: devices push again).
    let epoch = match state.store.epoch().map(|e| axum::http::HeaderValue::from_str(&e)) {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "the stored epoch is not a header value");
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "the epoch cannot be read");
            None
        }
    };
    let metrics = state.metrics.clone();
    router
        .layer(Extension(doc))
        .fallback(|| async { HubError::NotFound })
        .method_not_allowed_fallback(|| async { HubError::MethodNotAllowed })
        // Every request counted and timed by its route's template, and logged (metrics.rs).
        .layer(axum::middleware::from_fn_with_state(metrics, crate::metrics::track))
        // Responses are gzipped for clients that accept it (JSON pages; photos are already compressed).
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .layer(axum::middleware::map_response(move |mut response: axum::response::Response| {
            let epoch = epoch.clone();
            async move {
                if let Some(epoch) = epoch {
                    response.headers_mut().insert(gridpatrol_sync::wire::EPOCH_HEADER, epoch);
                }
                response
            }
        }))
        .with_state(state)
}
