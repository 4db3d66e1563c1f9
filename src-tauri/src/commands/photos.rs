//! Staging photos: checked and previewed when picked or dropped, kept in the data folder's staging
//! area with the form's draft, saved with the finding (see `state.rs`).

use gridpatrol_core::ipc::PhotoPreview;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use crate::state::{CmdResult, Desk};

/// The photo's bytes come as the raw request body (no JSON number arrays), its name in the
/// `x-photo-name` header, percent-encoded.
#[tauri::command]
pub async fn stage_photo(desk: State<'_, Desk>, request: Request<'_>) -> CmdResult<PhotoPreview> {
    let name = request
        .headers()
        .get("x-photo-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned())
        .unwrap_or_else(|| "photo".into());
    let bytes = match request.body() {
        InvokeBody::Raw(bytes) => bytes.clone(),
        InvokeBody::Json(_) => Vec::new(),
    };
    desk.stage(&name, bytes)
}

/// A restored draft's photo, by the token it was staged under: its preview again, or
/// `photo_token` when it is no longer kept.
#[tauri::command]
pub async fn restage_photo(desk: State<'_, Desk>, token: String) -> CmdResult<PhotoPreview> {
    desk.restage(&token)
}

#[tauri::command]
pub async fn unstage_photo(desk: State<'_, Desk>, token: String) -> CmdResult<()> {
    desk.unstage(&token);
    Ok(())
}
