//! What `/metrics` tells Prometheus, and the middleware that counts it.
//!
//! The figures, in the OpenMetrics text format that Prometheus scrapes (`prometheus-client`, the
//! Prometheus project's own Rust client):
//! - `gridpatrol_hub_requests_total{route, method, status}` and the latency histogram
//!   `gridpatrol_hub_request_duration_seconds{route, method}`, counted by [`track`] around every
//!   request. `route` is the route's template (`/api/v1/photos/{sha256}`), never the path itself,
//!   so no photo hash, user name or query reaches a label and the label set stays small;
//! - `gridpatrol_hub_refusals_total{code}`: every error answer by its stable code (the code
//!   [`crate::HubError`] puts in the response's extensions);
//! - `gridpatrol_hub_pushes_total`, `gridpatrol_hub_pulls_total`, `gridpatrol_hub_events_accepted_total`
//!   (events acknowledged by accepted pushes; an event a device sends again is acknowledged, and
//!   counted, again);
//! - at scrape time: `gridpatrol_hub_database_bytes`, `gridpatrol_hub_photos` and
//!   `gridpatrol_hub_photo_bytes` (whole photos held).
//!
//! Who may read it is decided in `controllers::ops::metrics` (loopback without a proxy, or the
//! metrics token).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The code of an error answer, put in its extensions by [`crate::HubError`]'s `IntoResponse`.
#[derive(Debug, Clone)]
pub struct RefusalCode(pub String);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The hub's counters and the registry they are encoded from.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    refusals: Family<CodeLabels, Counter>,
    pushes: Counter,
    pulls: Counter,
    events_accepted: Counter,
    database_bytes: Gauge,
    photos: Gauge,
    photo_bytes: Gauge,
    /// A bearer token that may read `/metrics` from anywhere (the metrics token file's content).
    token: Option<String>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Metrics").field("token", &self.token.as_ref().map(|_| "…")).finish_non_exhaustive()
    }
}

/// 1 ms to about 16 s, doubling: a token check is a millisecond, a push of 200 events tens, a photo
/// upload over a slow link seconds.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Metrics {
    pub fn new(token: Option<String>) -> Metrics {
        let mut registry = Registry::with_prefix("gridpatrol_hub");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("requests", "HTTP requests answered, by route template, method and status", requests.clone());
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        registry.register(
            "request_duration_seconds",
            "Time from a request's head to its answer's head, by route template and method",
            latency.clone(),
        );
        let refusals = Family::<CodeLabels, Counter>::default();
        registry.register("refusals", "Error answers by their stable code", refusals.clone());
        let pushes = Counter::default();
        registry.register("pushes", "Pushes accepted (every event acknowledged)", pushes.clone());
        let pulls = Counter::default();
        registry.register("pulls", "Pull pages served", pulls.clone());
        let events_accepted = Counter::default();
        registry.register("events_accepted", "Events acknowledged by accepted pushes", events_accepted.clone());
        let database_bytes = Gauge::default();
        registry.register("database_bytes", "Size of hub.db and its write-ahead log, in bytes", database_bytes.clone());
        let photos = Gauge::default();
        registry.register("photos", "Whole photos the hub holds", photos.clone());
        let photo_bytes = Gauge::default();
        registry.register("photo_bytes", "Bytes of the whole photos the hub holds", photo_bytes.clone());
        Metrics {
            registry,
            requests,
            latency,
            refusals,
            pushes,
            pulls,
            events_accepted,
            database_bytes,
            photos,
            photo_bytes,
            token: token.filter(|t| !t.is_empty()),
        }
    }

    /// Whether a metrics token is configured.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Whether `presented` is the metrics token (compared in constant time).
    pub fn token_matches(&self, presented: &str) -> bool {
        let Some(token) = &self.token else { return false };
        let (a, b) = (token.as_bytes(), presented.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    pub fn pushed(&self, events_accepted: u64) {
        self.pushes.inc();
        self.events_accepted.inc_by(events_accepted);
    }

    pub fn pulled(&self) {
        self.pulls.inc();
    }

    /// The text Prometheus scrapes, with the figures read at scrape time.
    pub fn render(&self, figures: Figures) -> String {
        let gauge = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.database_bytes.set(gauge(figures.database_bytes));
        self.photos.set(gauge(figures.photos));
        self.photo_bytes.set(gauge(figures.photo_bytes));
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    fn record(&self, route: String, method: String, status: u16, seconds: f64, refusal: Option<&RefusalCode>) {
        self.latency.get_or_create(&RouteLabels { route: route.clone(), method: method.clone() }).observe(seconds);
        self.requests.get_or_create(&RequestLabels { route, method, status }).inc();
        if let Some(RefusalCode(code)) = refusal {
            self.refusals.get_or_create(&CodeLabels { code: code.clone() }).inc();
        }
    }
}

/// What `/metrics` reads at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub database_bytes: u64,
    pub photos: u64,
    pub photo_bytes: u64,
}

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Counts and times every request, and writes one log line for it: the route's template, the
/// method, the status, the time taken and, for an error, its code. Never the path, the query, a
/// header or a body: those can carry a user's name, a photo's hash or a token.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    // Methods outside HTTP's own few are one label value, so a peer cannot grow the label set.
    let method = match request.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS") => m,
        _ => "other",
    }
    .to_string();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let refusal = response.extensions().get::<RefusalCode>();
    let code = refusal.map(|c| c.0.as_str());
    let ms = elapsed.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(target: "gridpatrol_hub::request", %method, %route, status, ms, code, "request failed");
    } else {
        tracing::info!(target: "gridpatrol_hub::request", %method, %route, status, ms, code, "request");
    }
    metrics.record(route, method, status, elapsed.as_secs_f64(), refusal);
    response
}
