//! Weekly logs: an officer's weeks and submission, a lead's review queue and decisions, exports, and
//! the lead's dashboard.

use gridpatrol_core::ipc::{
    ExportDone, ExportFolder, ExportFormat, LogEntry, LogView, ReviewInput, SubmitInput, WeekRef,
};
use gridpatrol_core::review::LogReview;
use tauri::{AppHandle, Manager, State};

use crate::state::{CmdResult, Desk};
use crate::sync_task::SyncTask;

/// The last `count` ISO weeks as core counts them, this week first.
#[tauri::command]
pub async fn recent_weeks(desk: State<'_, Desk>, count: u32) -> CmdResult<Vec<WeekRef>> {
    desk.with(|s| s.recent_weeks(count))
}

#[tauri::command]
pub async fn my_logs(desk: State<'_, Desk>, count: u32) -> CmdResult<Vec<LogEntry>> {
    desk.with(|s| s.my_logs(count))
}

#[tauri::command]
pub async fn review_queue(desk: State<'_, Desk>) -> CmdResult<Vec<LogEntry>> {
    desk.with(|s| s.review_queue_entries())
}

#[tauri::command]
pub async fn reviewed_logs(desk: State<'_, Desk>, limit: u32) -> CmdResult<Vec<LogEntry>> {
    desk.with(|s| s.reviewed_entries(limit))
}

#[tauri::command]
pub async fn log_view(desk: State<'_, Desk>, officer: String, week: String) -> CmdResult<LogView> {
    desk.with(|s| s.log_view(&officer, &week))
}

#[tauri::command]
pub async fn submit_log(desk: State<'_, Desk>, task: State<'_, SyncTask>, input: SubmitInput) -> CmdResult<LogReview> {
    let result = desk.with(|s| s.submit_log(&input.week, &input.reply));
    task.nudge();
    result
}

#[tauri::command]
pub async fn review_log(desk: State<'_, Desk>, task: State<'_, SyncTask>, input: ReviewInput) -> CmdResult<LogReview> {
    let result = desk.with(|s| s.review_log(&input.officer, &input.week, input.decision, &input.comment));
    task.nudge();
    result
}

/// Writes the week's logs into the user's Downloads folder (the data folder's `exports/` when the
/// platform has none: [`ExportFolder::choose`]) and says which, with the full path.
#[tauri::command]
pub async fn export_week(
    app: AppHandle,
    desk: State<'_, Desk>,
    week: String,
    format: ExportFormat,
) -> CmdResult<ExportDone> {
    let downloads = app.path().download_dir().ok();
    desk.with(|s| {
        let (dir, folder) = ExportFolder::choose(downloads.as_deref(), s.data_dir());
        s.export_week(&week, format, &dir, folder)
    })
}

/// The lead's dashboard of a large grid (default: the lead's own) over the last `weeks` weeks.
#[tauri::command]
pub async fn dashboard(
    desk: State<'_, Desk>,
    large_grid: Option<String>,
    weeks: u32,
) -> CmdResult<gridpatrol_core::ipc::Dashboard> {
    desk.with(|s| s.dashboard(large_grid.as_deref(), weeks))
}
