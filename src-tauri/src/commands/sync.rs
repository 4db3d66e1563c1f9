//! Signing in to the hub, the sync status area and "sync now".

use gridpatrol_core::ipc::{ErrorBody, SyncView};
use gridpatrol_sync::client::SignIn;
use gridpatrol_sync::token::remove_token;
use tauri::State;

use crate::state::{CmdResult, Desk};
use crate::sync_task::SyncTask;

#[tauri::command]
pub async fn sync_status(desk: State<'_, Desk>, task: State<'_, SyncTask>) -> CmdResult<SyncView> {
    let live = task.live();
    desk.with(|s| s.sync_view(task.signed_in(), live))
}

/// Asks for a probe and a round now. Returns the number the status's `answered` reaches once the
/// task has answered this request, so the UI shows "syncing" until then and the outcome after.
#[tauri::command]
pub async fn sync_now(task: State<'_, SyncTask>) -> CmdResult<u32> {
    Ok(task.sync_now())
}

/// Signs in to the hub: the local profile becomes the hub's user, with its role and grids.
#[tauri::command]
pub async fn hub_sign_in(
    desk: State<'_, Desk>,
    task: State<'_, SyncTask>,
    url: String,
    user: String,
    password: String,
) -> CmdResult<SyncView> {
    let lang = desk.with(|s| s.ui_lang())?;
    let fail = |e: gridpatrol_sync::Error| ErrorBody { code: e.code(), message: e.message(lang), field: None };
    // The one sign-in flow (the command line's too): the network part, then the store part.
    let signing = SignIn::request(&url, &user, &password, "gridpatrol-desktop").await.map_err(fail)?;
    let signed = desk.with_sync(|s| signing.record(s, task.dir())).map_err(fail)?;
    task.set_token(Some(signed.token));
    task.sync_now();
    let live = task.live();
    desk.with(|s| s.sync_view(true, live))
}

#[tauri::command]
pub async fn hub_sign_out(desk: State<'_, Desk>, task: State<'_, SyncTask>) -> CmdResult<SyncView> {
    let lang = desk.with(|s| s.ui_lang())?;
    remove_token(task.dir()).map_err(|e| ErrorBody { code: e.code(), message: e.message(lang), field: None })?;
    task.set_token(None);
    task.sync_now();
    desk.with(|s| s.sync_view(false, Default::default()))
}
