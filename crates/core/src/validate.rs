//! Field validation shared by every way a person's input arrives (CLI, desktop, hub).

use crate::error::{Error, Result};

pub const MAX_DESCRIPTION_CHARS: usize = 2000;
pub const MAX_ADDRESS_CHARS: usize = 200;
pub const MAX_NOTE_CHARS: usize = 1000;
pub const MAX_UNIT_CHARS: usize = 100;

/// Trims `value` and checks its length in characters (not bytes: Chinese text is three bytes a
/// character in UTF-8). Control characters other than newlines and tabs are refused as too.
pub fn check_text(field: &'static str, value: &str, max: usize, required: bool) -> Result<String> {
    let trimmed = value.trim();
    if required && trimmed.is_empty() {
        return Err(Error::EmptyText { field });
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(Error::TextTooLong { field, len, max });
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(Error::InvalidValue {
            field,
            // escape_debug shows the control character and keeps Chinese text readable.
            value: clip(&trimmed.escape_debug().to_string()),
        });
    }
    Ok(trimmed.to_string())
}

/// How many characters of a refused value an error message shows.
pub const CLIP_CHARS: usize = 40;

/// A value as an error message may show it: at most [`CLIP_CHARS`] characters, then `…` and the
/// full length, so a refusal names what was wrong without echoing a huge value back; control
/// characters are shown escaped.
pub fn clip(value: &str) -> String {
    let len = value.chars().count();
    let shown: String = value.chars().take(CLIP_CHARS).collect::<String>().escape_debug().to_string();
    if len <= CLIP_CHARS {
        shown
    } else {
        format!("{shown}…({len} chars)")
    }
}
