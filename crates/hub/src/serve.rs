//! Serving the API on a socket, over plain HTTP or HTTPS (rustls): connections with read
//! timeouts, the peer's address for sign-in throttling, periodic sweeps of abandoned uploads, and a
//! graceful stop.
//!
//! `axum::serve` gives hyper no timer, so hyper's header read timeout never fires and a peer that
//! sends half a request head holds its connection forever. This accept loop is axum's own shape
//! (a task per connection, a watch on shutdown) with hyper's HTTP/1 builder given a timer:
//! - a connection that has not sent a whole request head within [`Limits::header_timeout`] is
//!   closed (also an idle keep-alive connection, which is waiting for its next head);
//! - a request body that sends no byte for [`Limits::body_timeout`] fails (an upload keeps what
//!   arrived and resumes later), so a stalled upload holds nothing for long;
//! - on the shutdown signal the listener closes, connections finish the request they are serving
//!   (an in-flight push commits and is answered) and close; what has not finished after
//!   [`GRACE`] is dropped (SQLite's transaction rolls back, the device retries);
//! - with TLS ([`crate::tls`]) each connection's handshake runs in its own task, bounded by the
//!   header timeout too (a peer that opens a connection and stalls the handshake holds nothing for
//!   long, and never delays the accept loop); the connection is then served exactly as above.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_rustls::rustls::ServerConfig;
use tower::Service;

use crate::AppState;

/// How long a stop waits for connections to finish their requests.
pub const GRACE: Duration = Duration::from_secs(30);
/// How often abandoned partial uploads are swept (besides once at start).
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Serves `state`'s API on `listener` until `shutdown` completes, then stops gracefully; over TLS
/// with `tls` ([`crate::tls::server_config`]), else plain HTTP.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    tls: Option<std::sync::Arc<ServerConfig>>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = state.limits.clone();
    let photos = state.photos.clone();
    let sweeper = tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        loop {
            every.tick().await;
            let photos = photos.clone();
            let max_age = limits.partial_max_age;
            match tokio::task::spawn_blocking(move || photos.sweep(max_age, SystemTime::now())).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(removed = n, "abandoned partial uploads removed"),
                Ok(Err(e)) => tracing::error!(error = %e, "sweeping partial uploads failed"),
                Err(e) => tracing::error!(error = %e, "sweeping partial uploads failed"),
            }
        }
    });
    let (header_timeout, body_timeout) = (state.limits.header_timeout, state.limits.body_timeout);
    let router: Router = crate::app(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let http = std::sync::Arc::new(http);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Small JSON replies go out at once rather than waiting on Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let mut request =
                request.map(|body| axum::body::Body::new(tower_http::timeout::TimeoutBody::new(body_timeout, body)));
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let mut router = router.clone();
            // A Router is always ready, so it may be called without polling readiness first.
            async move { router.call(request).await }
        });
        // Taken before the task starts, so a stop that comes during a TLS handshake still waits
        // for this connection (and closes it as soon as it is served).
        let watcher = graceful.watcher();
        let http = http.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            // A peer that breaks off or times out is its own business: nothing to report.
            match acceptor {
                None => {
                    let _ = watcher.watch(http.serve_connection(TokioIo::new(stream), service)).await;
                }
                Some(acceptor) => {
                    let stream = match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    };
                    let _ = watcher.watch(http.serve_connection(TokioIo::new(stream), service)).await;
                }
            }
        });
    }
    drop(listener);
    sweeper.abort();
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(GRACE) => {
            tracing::warn!(grace_secs = GRACE.as_secs(), "stopped with requests still unfinished after the grace period")
        }
    }
    Ok(())
}

/// A future that completes on SIGINT (Ctrl+C) or SIGTERM (what systemd and `kill` send). The
/// handlers are installed by this call, so call it before announcing the hub is up: a signal that
/// arrives in between would otherwise kill the process instead of stopping it.
pub fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
