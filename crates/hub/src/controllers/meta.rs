//! Health, version and the OpenAPI document.

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use gridpatrol_sync::wire::{Health, VersionInfo, PROTOCOL};

/// The API's OpenAPI document, generated once when the router is built (see [`crate::openapi`]).
#[derive(Clone)]
pub struct Document(pub Bytes);

/// Liveness.
#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, description = "the hub is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// Version and protocol.
#[utoipa::path(get, path = "/api/version", tag = "meta",
    responses((status = 200, description = "the hub's version and the protocol it speaks", body = VersionInfo,
        headers(("gridpatrol-epoch" = String,
            description = "The hub's epoch (every answer carries it): a random name of its database's history, \
                new after a restore from a backup; a device that sees it change pushes again what it had acknowledged.")))))]
pub async fn version() -> Json<VersionInfo> {
    Json(VersionInfo { name: "gridpatrol-hub".into(), version: env!("CARGO_PKG_VERSION").into(), protocol: PROTOCOL })
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1, generated from the hub's code",
        body = inline(crate::openapi::AnyObject))))]
pub async fn openapi(Extension(doc): Extension<Document>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], doc.0)
}
