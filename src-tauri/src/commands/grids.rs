//! The grid registry and the category tree.

use gridpatrol_core::ipc::GridStat;
use gridpatrol_core::{Grid, MajorCategory, Point};
use tauri::State;

use crate::state::{CmdResult, Desk};

#[tauri::command]
pub async fn list_grids(desk: State<'_, Desk>) -> CmdResult<Vec<Grid>> {
    desk.with(|s| s.grids())
}

#[tauri::command]
pub async fn grid_stats(desk: State<'_, Desk>) -> CmdResult<Vec<GridStat>> {
    desk.with(|s| s.grid_stats())
}

#[tauri::command]
pub async fn grid_at(desk: State<'_, Desk>, lat: f64, lon: f64) -> CmdResult<String> {
    desk.with(|s| s.grid_at(Point { lat, lon }))
}

#[tauri::command]
pub async fn list_categories(desk: State<'_, Desk>) -> CmdResult<Vec<MajorCategory>> {
    desk.with(|s| s.categories())
}
