//! gridpatrol-desktop: the officer's desktop app, a thin Tauri 2 shell over gridpatrol-core.
//!
//! What it is: the window, the IPC commands (one module per area under `commands/`), the `photo:`
//! protocol that serves stored photos, and one-instance-per-data-folder. What it is not: a place
//! for rules, SQL or HTTP — a command takes state, calls core, and maps the error to `{code, message}`.

mod commands;
mod photo_protocol;
mod single_instance;
mod state;
mod sync_task;

use std::path::PathBuf;
use tauri::Manager;

/// `--data-dir DIR`, else `GRIDPATROL_DATA_DIR`, else the platform's app data folder (the same
/// folder the `gridpatrol` CLI uses by default).
fn data_dir() -> PathBuf {
    let args: Vec<String> = std::env::args().collect();
    let from_args = args
        .iter()
        .position(|a| a == "--data-dir")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--data-dir=").map(String::from)));
    from_args
        .or_else(|| std::env::var("GRIDPATROL_DATA_DIR").ok().filter(|d| !d.is_empty()))
        .map(PathBuf::from)
        .unwrap_or_else(|| dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(gridpatrol_core::APP_IDENTIFIER))
}

/// The window draws its pages without GPU compositing (WebKitGTK's hardware acceleration policy
/// "never"): the screens are forms, lists and a flat SVG map, with nothing that needs layers, and
/// compositing costs the web process about 80 MiB where the GPU is a software one (llvmpipe: virtual
/// machines, Xvfb, many office laptops). `GRIDPATROL_COMPOSITING=1` keeps WebKit's default.
/// Measured in docs/performance.md.
fn render_without_compositing(window: &tauri::WebviewWindow) {
    if std::env::var_os("GRIDPATROL_COMPOSITING").is_some_and(|v| v == "1") {
        return;
    }
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

pub fn run() {
    let dir = data_dir();
    let guard = match single_instance::claim(&dir) {
        Ok(single_instance::Claim::First(guard)) => guard,
        Ok(single_instance::Claim::AlreadyRunning) => {
            eprintln!(
                "网格巡查已在运行，已切换到它的窗口。Grid Patrol is already running; its window was brought forward."
            );
            return;
        }
        Err(e) => {
            eprintln!("无法使用数据目录 {}：{e}。Cannot use the data folder {}: {e}", dir.display(), dir.display());
            std::process::exit(1);
        }
    };
    // The store's key: the OS keyring's, else GRIDPATROL_PASSPHRASE; where neither answers, the
    // window opens on the unlock screen, which asks the person (commands/unlock.rs).
    let mut asked = None;
    let found = gridpatrol_sync::store_key::store_key(&dir, &mut |why| {
        asked = Some(why);
        Ok(None)
    });
    let opened = match found {
        Ok((key, _)) => commands::unlock::open_store(&dir, &key).map(|store| Some((store, key))),
        Err(gridpatrol_core::Error::PassphraseNeeded) if asked.is_some() => Ok(None),
        Err(e) => Err(e),
    };
    let opened = match opened {
        Ok(opened) => opened,
        Err(e) => {
            eprintln!("{}\n{}", e.message(gridpatrol_core::Lang::Zh), e.message(gridpatrol_core::Lang::En));
            std::process::exit(1);
        }
    };
    let locked = match (&opened, asked) {
        (None, Some(why)) => Some(commands::unlock::Locked::new(dir.clone(), why)),
        _ => None,
    };

    let mut builder = tauri::Builder::default().plugin(tauri_plugin_window_state::Builder::default().build());
    if let Some(locked) = locked {
        builder = builder.manage(locked);
    }
    builder
        .register_uri_scheme_protocol("photo", photo_protocol::serve)
        .setup(move |app| {
            if let Some(window) = app.get_webview_window("main") {
                render_without_compositing(&window);
                fit_to_work_area(&window);
            }
            if let Some((store, key)) = opened {
                commands::unlock::serve_store(app.handle(), dir.clone(), store, key);
            }
            guard.listen(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::set_lang,
            commands::app::set_profile,
            commands::app::load_sample_registry,
            commands::app::today,
            commands::app::ui_ready,
            commands::unlock::store_lock,
            commands::unlock::unlock_store,
            commands::grids::list_grids,
            commands::grids::grid_stats,
            commands::grids::grid_at,
            commands::grids::list_categories,
            commands::patrols::active_patrol,
            commands::patrols::start_patrol,
            commands::patrols::end_patrol,
            commands::patrols::patrol_weeks,
            commands::findings::add_finding,
            commands::findings::list_findings,
            commands::findings::finding_detail,
            commands::findings::move_finding,
            commands::findings::finding_history,
            commands::findings::edit_finding,
            commands::findings::request_deferral,
            commands::findings::decide_deferral,
            commands::findings::list_units,
            commands::logs::my_logs,
            commands::logs::review_queue,
            commands::logs::log_view,
            commands::logs::submit_log,
            commands::logs::review_log,
            commands::logs::export_week,
            commands::logs::reviewed_logs,
            commands::logs::dashboard,
            commands::app::lead_queue,
            commands::logs::recent_weeks,
            commands::photos::stage_photo,
            commands::photos::restage_photo,
            commands::photos::unstage_photo,
            commands::sync::sync_status,
            commands::sync::sync_now,
            commands::sync::hub_sign_in,
            commands::sync::hub_sign_out,
        ])
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("网格巡查无法启动窗口。Grid Patrol could not open its window: {e}");
            std::process::exit(1);
        })
        .run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                if let Some(desk) = handle.try_state::<state::Desk>() {
                    desk.close();
                }
            }
        });
}

/// Keeps the window inside the screen's work area: the default size (1280×720) or a size saved by an
/// earlier run may be taller than a 1366×768 laptop's screen less its panels, and then the bottom of
/// every screen, toasts included, is cut off.
fn fit_to_work_area(window: &tauri::WebviewWindow) {
    let (Ok(Some(monitor)), Ok(size), Ok(position)) =
        (window.current_monitor(), window.outer_size(), window.outer_position())
    else {
        return;
    };
    let area = monitor.work_area();
    let fitted = fit_in(
        (position.x, position.y, size.width, size.height),
        (area.position.x, area.position.y, area.size.width, area.size.height),
    );
    if fitted != (position.x, position.y, size.width, size.height) {
        let _ = window.set_size(tauri::PhysicalSize::new(fitted.2, fitted.3));
        let _ = window.set_position(tauri::PhysicalPosition::new(fitted.0, fitted.1));
    }
}

/// A window rectangle `(x, y, width, height)` shrunk to fit `area` and moved inside it.
fn fit_in(window: (i32, i32, u32, u32), area: (i32, i32, u32, u32)) -> (i32, i32, u32, u32) {
    let (ax, ay, aw, ah) = area;
    let (w, h) = (window.2.min(aw), window.3.min(ah));
    let clamp = |v: i32, lo: i32, span: u32, size: u32| v.clamp(lo, lo + (span - size) as i32);
    (clamp(window.0, ax, aw, w), clamp(window.1, ay, ah, h), w, h)
}

#[cfg(test)]
mod tests {
    use super::fit_in;

    #[test]
    fn a_window_taller_than_the_work_area_is_shrunk_and_moved_into_it() {
        // 1366×768 with a 32 px panel at the top: the old 1280×800 default did not fit.
        assert_eq!(fit_in((0, 0, 1280, 800), (0, 32, 1366, 736)), (0, 32, 1280, 736));
        assert_eq!(fit_in((200, 100, 1280, 720), (0, 0, 1366, 768)), (86, 48, 1280, 720), "moved back onto the screen");
        assert_eq!(fit_in((10, 10, 1280, 720), (0, 0, 1920, 1080)), (10, 10, 1280, 720), "a window that fits stays");
    }
}

/// Brings the main window forward (a second start asked for it).
fn focus_main(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
