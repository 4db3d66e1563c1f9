//! The `photo:` protocol: serves stored photos and thumbnails from the data folder's `photos/`,
//! by their content-addressed names only (`<sha256>.<ext>` or `thumbs/<sha256>.jpg`), so no other
//! file can be reached through it.

use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, UriSchemeContext, Wry};

use crate::state::Desk;

pub fn serve(ctx: UriSchemeContext<'_, Wry>, request: Request<Vec<u8>>) -> Response<Vec<u8>> {
    let path = percent_encoding::percent_decode_str(request.uri().path().trim_start_matches('/'))
        .decode_utf8_lossy()
        .into_owned();
    let Some(mime) = content_type(&path) else {
        return status(StatusCode::NOT_FOUND);
    };
    // No photo is served before the store is unlocked (the folder is the store's).
    let Some(desk) = ctx.app_handle().try_state::<Desk>() else {
        return status(StatusCode::NOT_FOUND);
    };
    let dir = desk.photos_dir();
    match std::fs::read(dir.join(&path)) {
        Ok(bytes) => Response::builder()
            .header(header::CONTENT_TYPE, mime)
            .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
            .body(bytes)
            .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR)),
        Err(_) => status(StatusCode::NOT_FOUND),
    }
}

fn status(code: StatusCode) -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = code;
    response
}

/// The MIME type of a valid photo path, or None for anything else.
fn content_type(path: &str) -> Option<&'static str> {
    let name = path.strip_prefix("thumbs/").unwrap_or(path);
    let (hash, ext) = name.split_once('.')?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match (path.starts_with("thumbs/"), ext) {
        (true, "jpg") | (false, "jpg") => Some("image/jpeg"),
        (false, "png") => Some("image/png"),
        (false, "webp") => Some("image/webp"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::content_type;

    #[test]
    fn only_content_addressed_names_are_served() {
        let hash = "a".repeat(64);
        assert_eq!(content_type(&format!("{hash}.jpg")), Some("image/jpeg"));
        assert_eq!(content_type(&format!("thumbs/{hash}.jpg")), Some("image/jpeg"));
        assert_eq!(content_type(&format!("{hash}.png")), Some("image/png"));
        assert_eq!(content_type("../gridpatrol.db"), None, "no way out of the photos folder");
        assert_eq!(content_type(&format!("../{hash}.jpg")), None);
        assert_eq!(content_type(&format!("thumbs/{hash}.png")), None, "thumbnails are JPEG");
        assert_eq!(content_type("gridpatrol.db"), None);
    }
}
