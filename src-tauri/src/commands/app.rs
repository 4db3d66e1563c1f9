//! Who acts, which language, and the Today screen.

use gridpatrol_core::ipc::{AppInfo, Today};
use gridpatrol_core::queue::Queue;
use gridpatrol_core::{Lang, Role};
use tauri::State;

use crate::state::{CmdResult, Desk};

/// Who uses the app; `passphrase_needed` while the store waits for its passphrase (the unlock screen).
#[tauri::command]
pub async fn app_info(app: tauri::AppHandle) -> CmdResult<AppInfo> {
    use tauri::Manager;
    let Some(desk) = app.try_state::<Desk>() else { return Err(super::unlock::locked_refusal()) };
    desk.with(|s| s.app_info(desk.version))
}

#[tauri::command]
pub async fn set_lang(desk: State<'_, Desk>, lang: Lang) -> CmdResult<()> {
    desk.with(|s| s.set_ui_lang(lang))
}

#[tauri::command]
pub async fn set_profile(desk: State<'_, Desk>, name: String, role: Role, grids: Vec<String>) -> CmdResult<AppInfo> {
    desk.with(|s| {
        s.set_profile_with_grids(&name, role, &grids)?;
        s.app_info(desk.version)
    })
}

#[tauri::command]
pub async fn load_sample_registry(desk: State<'_, Desk>) -> CmdResult<AppInfo> {
    desk.with(|s| {
        if !s.has_sample_registry()? {
            s.import_sample_registry()?;
        }
        s.app_info(desk.version)
    })
}

#[tauri::command]
pub async fn today(desk: State<'_, Desk>) -> CmdResult<Today> {
    desk.with(|s| s.today())
}

/// A lead's or administrator's Today: the queue's counts at the store's clock.
#[tauri::command]
pub async fn lead_queue(desk: State<'_, Desk>) -> CmdResult<Queue> {
    desk.with(|s| s.queue(s.now()))
}

/// The UI calls this once its first screen shows data. With `GRIDPATROL_STARTUP_PROBE` set, the
/// app prints a marker that the start-up benchmark (`scripts/bench_desktop.py`) waits for.
#[tauri::command]
pub async fn ui_ready() -> CmdResult<()> {
    if std::env::var_os("GRIDPATROL_STARTUP_PROBE").is_some() {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "GRIDPATROL_READY");
        let _ = out.flush();
    }
    Ok(())
}
