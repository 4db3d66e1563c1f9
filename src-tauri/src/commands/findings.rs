//! Recording, listing, showing and moving findings.

use gridpatrol_core::ipc::{
    DeferralDecisionInput, DeferralInput, FindingDetail, FindingFilter, FindingInput, MoveInput,
};
use gridpatrol_core::{Event, Finding, FindingSummary};
use tauri::State;

use crate::state::{CmdResult, Desk};
use crate::sync_task::SyncTask;

#[tauri::command]
pub async fn add_finding(desk: State<'_, Desk>, task: State<'_, SyncTask>, input: FindingInput) -> CmdResult<Finding> {
    let result = desk.add_finding(input);
    // A local change: the sync task pushes it shortly.
    task.nudge();
    result
}

#[tauri::command]
pub async fn list_findings(desk: State<'_, Desk>, filter: FindingFilter) -> CmdResult<Vec<FindingSummary>> {
    desk.with(|s| s.findings(&filter.into()))
}

#[tauri::command]
pub async fn finding_detail(desk: State<'_, Desk>, id: String) -> CmdResult<FindingDetail> {
    desk.with(|s| s.finding_detail(&id))
}

#[tauri::command]
pub async fn move_finding(desk: State<'_, Desk>, task: State<'_, SyncTask>, input: MoveInput) -> CmdResult<Finding> {
    let result = desk.move_finding(input);
    // A local change: the sync task pushes it shortly.
    task.nudge();
    result
}

#[tauri::command]
pub async fn finding_history(desk: State<'_, Desk>, id: String) -> CmdResult<Vec<Event>> {
    desk.with(|s| {
        let id = s.resolve_finding_id(&id)?;
        s.history(&id)
    })
}

#[tauri::command]
pub async fn edit_finding(
    desk: State<'_, Desk>,
    task: State<'_, SyncTask>,
    id: String,
    edit: gridpatrol_core::projection::Edit,
) -> CmdResult<Finding> {
    let result = desk.with(|s| s.edit_finding(&id, edit));
    // A local change: the sync task pushes it shortly.
    task.nudge();
    result
}

/// 申请延期: the acting liaison asks for a later due time.
#[tauri::command]
pub async fn request_deferral(
    desk: State<'_, Desk>,
    task: State<'_, SyncTask>,
    input: DeferralInput,
) -> CmdResult<Finding> {
    let result = desk.with(|s| s.request_deferral(&input.id, input.until, &input.reason));
    task.nudge();
    result
}

/// 审批延期: the acting lead approves or refuses the pending request.
#[tauri::command]
pub async fn decide_deferral(
    desk: State<'_, Desk>,
    task: State<'_, SyncTask>,
    input: DeferralDecisionInput,
) -> CmdResult<Finding> {
    let result = desk.with(|s| s.decide_deferral(&input.id, input.approved, &input.note));
    task.nudge();
    result
}

/// The responsible units (reference data).
#[tauri::command]
pub async fn list_units(desk: State<'_, Desk>) -> CmdResult<Vec<gridpatrol_core::model::Unit>> {
    desk.with(|s| s.units())
}
