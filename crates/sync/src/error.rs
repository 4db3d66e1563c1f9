//! The one error type of gridpatrol-sync: what can go wrong around a sync round, each with a
//! stable code and a sentence for people (the UI translates codes itself).

use crate::wire::ErrorBody;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The hub could not be reached, or kept failing (network errors, 5xx) until we gave up.
    #[error("the hub could not be reached: {0}")]
    Unreachable(String),
    /// The hub refused the request as a whole (not one event), e.g. a revoked token.
    #[error("the hub refused: {} ({})", .0.message, .0.code)]
    Refused(ErrorBody),
    /// The hub refused for now: too many attempts (429); `retry_after` seconds from its `Retry-After`.
    #[error("the hub asks to wait {retry_after} s: {} ({})", .body.message, .body.code)]
    Throttled { body: ErrorBody, retry_after: u64 },
    /// The device has not signed in to a hub.
    #[error("not signed in to a hub")]
    NotSignedIn,
    #[error(transparent)]
    Core(#[from] gridpatrol_core::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub fn code(&self) -> String {
        match self {
            Error::Unreachable(_) => "hub_unreachable".into(),
            Error::Refused(body) | Error::Throttled { body, .. } => body.code.clone(),
            Error::NotSignedIn => "not_signed_in".into(),
            Error::Core(e) => e.code().into(),
            Error::Io(_) => "io".into(),
        }
    }

    /// One sentence for a person, Chinese or English.
    pub fn message(&self, lang: gridpatrol_core::Lang) -> String {
        use gridpatrol_core::Lang;
        match (self, lang) {
            (Error::Unreachable(d), Lang::Zh) => format!("无法连接中心端（{d}），变更仍保存在本机，稍后会自动重试。"),
            (Error::Unreachable(d), Lang::En) => {
                format!("The hub could not be reached ({d}); changes stay on this device and will be retried.")
            }
            (Error::Refused(b), Lang::Zh) if b.code == "unauthorized" => {
                format!("中心端拒绝了登录凭据（{}），请重新登录。", b.message)
            }
            (Error::Refused(b), Lang::Zh) => format!("中心端拒绝了请求：{}（{}）", b.message, b.code),
            (Error::Refused(b), Lang::En) => format!("The hub refused the request: {} ({})", b.message, b.code),
            (Error::Throttled { retry_after, .. }, Lang::Zh) => {
                format!("登录尝试过多，中心端暂时拒绝登录，请在 {retry_after} 秒后再试。")
            }
            (Error::Throttled { retry_after, .. }, Lang::En) => {
                format!("Too many sign-in attempts; the hub refuses them for now. Try again in {retry_after} s.")
            }
            (Error::NotSignedIn, Lang::Zh) => "尚未登录中心端，请先运行 gridpatrol login。".into(),
            (Error::NotSignedIn, Lang::En) => "Not signed in to a hub; run gridpatrol login first.".into(),
            (Error::Core(e), lang) => e.message(lang),
            (Error::Io(e), Lang::Zh) => format!("文件读写出错：{e}"),
            (Error::Io(e), Lang::En) => format!("A file error occurred: {e}"),
        }
    }
}
