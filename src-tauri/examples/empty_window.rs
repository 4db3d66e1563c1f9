//! The baseline for the desktop performance budgets: an empty Tauri 2 window, built with the same
//! tauri version, features and profile as the app, that prints `GRIDPATROL_READY` when its page
//! has loaded. `scripts/bench_desktop.py` measures it next to the app.
//!
//! `--no-compositing` draws it the way the app draws its window (WebKitGTK's hardware acceleration
//! policy "never"), for the like-for-like figure.

use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

fn main() {
    let mut context = tauri::generate_context!();
    // The app's own window and UI are not part of the baseline.
    context.config_mut().app.windows.clear();
    tauri::Builder::default()
        .register_uri_scheme_protocol("empty", |_ctx, _request| {
            tauri::http::Response::builder()
                .header("content-type", "text/html")
                .body(b"<!doctype html><html><head><meta charset=utf-8></head><body></body></html>".to_vec())
                .expect("a static response")
        })
        .on_page_load(|_webview, payload| {
            if payload.event() == PageLoadEvent::Finished {
                println!("GRIDPATROL_READY");
            }
        })
        .setup(|app| {
            let url = "empty://localhost/".parse().expect("a valid URL");
            let window = WebviewWindowBuilder::new(app, "main", WebviewUrl::CustomProtocol(url))
                .title("empty")
                .inner_size(1280.0, 800.0)
                .build()?;
            if std::env::args().any(|a| a == "--no-compositing") {
                #[cfg(target_os = "linux")]
                window.with_webview(|webview| {
                    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
                    if let Some(settings) = webview.inner().settings() {
                        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                    }
                })?;
            }
            Ok(())
        })
        .run(context)
        .expect("the empty window runs");
}
