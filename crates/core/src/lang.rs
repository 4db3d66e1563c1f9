//! The two languages Grid Patrol speaks: Chinese first, English second.
//!
//! Core only needs a language to turn an [`crate::Error`] into a sentence for the command line;
//! the desktop UI translates error codes itself from its own message catalogue.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 简体中文, the default: the people who use Grid Patrol work for a Chinese city government.
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the language from a locale string such as `zh_CN.UTF-8` or `en_US.UTF-8`.
    /// Anything that is not clearly English falls back to Chinese.
    pub fn from_locale(locale: &str) -> Lang {
        let lower = locale.to_ascii_lowercase();
        if lower.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en_us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// Chooses between the Chinese and the English form of one message.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}
