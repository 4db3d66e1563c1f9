//! Staging photos: checked and previewed when picked or dropped, saved with the finding.

use gridpatrol_core::ipc::PhotoPreview;
use gridpatrol_core::{photo, Error};
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use crate::state::{CmdResult, Desk, Staged};

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
    desk.with(|s| {
        let prepared = photo::prepare_bytes(&name, bytes.clone(), s.photo_max_bytes()?)?;
        let token = format!("{}-{}", prepared.sha256, desk.staged.lock().map(|m| m.len()).unwrap_or(0));
        desk.staged
            .lock()
            .map_err(|_| Error::PhotoUnreadable { name: name.clone(), reason: "staging is unavailable".into() })?
            .insert(token.clone(), Staged { name: name.clone(), bytes });
        Ok(PhotoPreview::new(token, name.clone(), &prepared))
    })
}

#[tauri::command]
pub async fn unstage_photo(desk: State<'_, Desk>, token: String) -> CmdResult<()> {
    desk.staged.lock().unwrap_or_else(|e| e.into_inner()).remove(&token);
    Ok(())
}
