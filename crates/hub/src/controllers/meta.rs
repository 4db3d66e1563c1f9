//! Health, version and the OpenAPI document.

use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use gridpatrol_sync::wire::{Health, VersionInfo, PROTOCOL};

/// The API's OpenAPI 3.1 document, written by hand and kept true by a test against the router.
pub const OPENAPI: &str = include_str!("../openapi.json");

pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

pub async fn version() -> Json<VersionInfo> {
    Json(VersionInfo { name: "gridpatrol-hub".into(), version: env!("CARGO_PKG_VERSION").into(), protocol: PROTOCOL })
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}
