//! Starting and ending patrols, and the Patrols screen.

use gridpatrol_core::ipc::PatrolWeek;
use gridpatrol_core::{Patrol, PatrolKind};
use tauri::State;

use crate::state::{CmdResult, Desk};
use crate::sync_task::SyncTask;

#[tauri::command]
pub async fn active_patrol(desk: State<'_, Desk>) -> CmdResult<Option<Patrol>> {
    desk.with(|s| s.active_patrol())
}

#[tauri::command]
pub async fn start_patrol(desk: State<'_, Desk>, task: State<'_, SyncTask>, grids: Vec<String>) -> CmdResult<Patrol> {
    let result = desk.with(|s| s.start_patrol(&grids, PatrolKind::Scheduled, ""));
    task.nudge();
    result
}

#[tauri::command]
pub async fn end_patrol(desk: State<'_, Desk>, task: State<'_, SyncTask>) -> CmdResult<Patrol> {
    let result = desk.with(|s| s.end_patrol());
    task.nudge();
    result
}

#[tauri::command]
pub async fn patrol_weeks(desk: State<'_, Desk>) -> CmdResult<Vec<PatrolWeek>> {
    desk.with(|s| s.patrol_weeks())
}
