//! For the operator's tools: liveness (`/healthz`), readiness (`/readyz`) and the Prometheus
//! metrics (`/metrics`). Outside `/api`, where a load balancer, systemd or Prometheus look for them;
//! devices keep using `/api/health`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use gridpatrol_sync::wire::Health;

use super::blocking;
use crate::error::{HubError, Result};
use crate::metrics::{Figures, CONTENT_TYPE};
use crate::AppState;

/// Live: the process answers HTTP. Nothing else is asked, so a busy store never makes a
/// supervisor restart a hub that is only slow.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "the hub's process answers", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

crate::refusals!(ReadyRefusals:
    503 => ["not_ready"],
);

/// Ready: the store opens and answers a query, and the photos folder can be written.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, description = "ready to take pushes, pulls and photos", body = Health), ReadyRefusals))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>> {
    let store = state.store.clone();
    let photos = state.photos.clone();
    let checked = blocking(move || {
        Ok(store
            .database_bytes()
            .map_err(|e| ("the store does not answer", e))
            .and_then(|_| photos.check_writable().map_err(|e| ("the photos folder cannot be written", e))))
    })
    .await;
    let failed = match checked {
        Ok(Ok(())) => return Ok(Json(Health { status: "ready".into() })),
        Ok(Err((what, e))) => {
            tracing::warn!(error = %e, what, "not ready");
            what
        }
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            "the readiness check failed"
        }
    };
    Err(HubError::NotReady(failed))
}

crate::refusals!(MetricsRefusals:
    403 => ["metrics_not_allowed"],
    500 => ["internal"],
);

/// Counters and figures in the OpenMetrics text format, for Prometheus. Served to a peer on
/// loopback that did not come through a proxy (no `X-Forwarded-For` or `Forwarded`), or to anyone
/// with `Authorization: Bearer` and the hub's metrics token (`serve --metrics-token-file`).
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "the metrics (OpenMetrics text, which Prometheus scrapes)",
        content_type = "application/openmetrics-text", body = String), MetricsRefusals))]
pub async fn metrics(State(state): State<AppState>, request: Request) -> Result<impl IntoResponse> {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let by_token = presented.is_some_and(|t| state.metrics.token_matches(t));
    let proxied = request.headers().contains_key("x-forwarded-for") || request.headers().contains_key("forwarded");
    let on_loopback =
        request.extensions().get::<ConnectInfo<SocketAddr>>().is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback());
    if !(by_token || (on_loopback && !proxied)) {
        return Err(HubError::MetricsNotAllowed);
    }
    let store = state.store.clone();
    let photos = state.photos.clone();
    let figures = blocking(move || {
        let (photos, photo_bytes) = photos.figures()?;
        Ok(Figures { database_bytes: store.database_bytes()?, photos, photo_bytes })
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], state.metrics.render(figures)))
}
