//! The one error type of gridpatrol-sync: what can go wrong around a sync round, each with a
//! stable code and a sentence for people (the UI translates codes itself).

use crate::wire::ErrorBody;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The hub could not be reached, or kept failing (network errors, 5xx) until we gave up.
    #[error("the hub could not be reached: {0}")]
    Unreachable(String),
    /// The hub answered with a certificate this device does not trust (an unknown issuer, another
    /// name, expired): nothing was sent. A city's own root certificate is given with
    /// `GRIDPATROL_CA_CERT`.
    #[error("the hub's certificate is not trusted: {0}")]
    Untrusted(String),
    /// `GRIDPATROL_CA_CERT` names a file that cannot be read or holds no certificate.
    #[error("GRIDPATROL_CA_CERT {path}: {problem}")]
    CaCert { path: String, problem: String },
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
            Error::Untrusted(_) => "hub_untrusted".into(),
            Error::CaCert { .. } => "ca_cert_invalid".into(),
            Error::Refused(body) | Error::Throttled { body, .. } => body.code.clone(),
            Error::NotSignedIn => "not_signed_in".into(),
            Error::Core(e) => e.code().into(),
            Error::Io(_) => "io".into(),
        }
    }

    /// One sentence for a person, Chinese or English. The causes people meet (a wrong password,
    /// a hub that does not answer) are translated by their code; the Chinese sentence never
    /// carries the network library's or the hub's English text.
    pub fn message(&self, lang: gridpatrol_core::Lang) -> String {
        use gridpatrol_core::Lang;
        match (self, lang) {
            (Error::Unreachable(_), Lang::Zh) => "无法连接中心端，更改仍保存在本机，稍后会自动重试。".into(),
            (Error::Unreachable(d), Lang::En) => {
                format!("The hub could not be reached ({d}); changes stay on this device and will be retried.")
            }
            (Error::Untrusted(_), Lang::Zh) => {
                "中心端的证书不受本机信任（签发机构未知、名称不符或已过期），未发送任何数据。若城市使用自己的根证书，请将 GRIDPATROL_CA_CERT 设为该证书文件（PEM）的路径。".into()
            }
            (Error::Untrusted(d), Lang::En) => format!(
                "The hub's certificate is not trusted by this device ({d}); nothing was sent. If the city uses its own \
                 certificate authority, set GRIDPATROL_CA_CERT to its root certificate (a PEM file)."
            ),
            (Error::CaCert { path, .. }, Lang::Zh) => {
                format!("GRIDPATROL_CA_CERT 指定的文件 {path} 无法读取或不含证书（应为 PEM 格式），未连接中心端。")
            }
            (Error::CaCert { path, problem }, Lang::En) => format!(
                "GRIDPATROL_CA_CERT names {path}, which {problem}; the hub was not contacted. Give the city's root certificate as a PEM file."
            ),
            (Error::Refused(b), lang) => refused(b, lang),
            (Error::Throttled { retry_after, .. }, Lang::Zh) => {
                format!("登录尝试过多，中心端暂时拒绝登录，请在 {retry_after} 秒后再试。")
            }
            (Error::Throttled { retry_after, .. }, Lang::En) => {
                format!("Too many sign-in attempts; the hub refuses them for now. Try again in {retry_after} s.")
            }
            (Error::NotSignedIn, Lang::Zh) => "尚未登录中心端，请先运行 gridpatrol login。".into(),
            (Error::NotSignedIn, Lang::En) => "Not signed in to a hub; run gridpatrol login first.".into(),
            (Error::Core(e), lang) => e.message(lang),
            (Error::Io(e), Lang::Zh) => format!("文件读写出错{}，未做任何更改。", io_kind_zh(e.kind())),
            (Error::Io(e), Lang::En) => format!("A file error occurred: {e}"),
        }
    }
}

/// The hub's refusal in words, by its code.
fn refused(b: &ErrorBody, lang: gridpatrol_core::Lang) -> String {
    use gridpatrol_core::Lang;
    let zh = lang == Lang::Zh;
    match b.code.as_str() {
        "bad_credentials" => {
            if zh {
                "用户名或密码不正确，中心端拒绝了登录。".into()
            } else {
                "Unknown user or wrong password: the hub refused the sign-in.".into()
            }
        }
        "unauthorized" => {
            if zh {
                "中心端不再接受本机的登录（已失效或已被撤销），请重新登录。".into()
            } else {
                "The hub no longer accepts this device's sign-in (expired or revoked); sign in again.".into()
            }
        }
        "hub_unreachable" => {
            if zh {
                "无法连接中心端，更改仍保存在本机，稍后会自动重试。".into()
            } else {
                format!(
                    "The hub could not be reached ({}); changes stay on this device and will be retried.",
                    b.message
                )
            }
        }
        "hub_error" | "internal" => {
            if zh {
                "中心端出错，这次同步没有完成，更改仍保存在本机，稍后会自动重试。".into()
            } else {
                format!("The hub failed ({}); changes stay on this device and will be retried.", b.message)
            }
        }
        "payload_too_large" => {
            if zh {
                "请求过大，中心端没有接收。".into()
            } else {
                format!("The hub refused a request as too large: {}", b.message)
            }
        }
        code => {
            if zh {
                format!("中心端拒绝了请求（代码 {code}）。")
            } else {
                format!("The hub refused the request: {} ({code})", b.message)
            }
        }
    }
}

/// A file error's kind in Chinese words (the OS's own text is English).
fn io_kind_zh(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind::*;
    match kind {
        NotFound => "（找不到文件）",
        PermissionDenied => "（没有权限）",
        AlreadyExists => "（文件已存在）",
        StorageFull => "（磁盘已满）",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridpatrol_core::Lang;

    fn body(code: &str, message: &str) -> ErrorBody {
        ErrorBody { code: code.into(), message: message.into(), event_id: None }
    }

    #[test]
    fn chinese_sentences_carry_no_english_causes() {
        let cases = [
            Error::Unreachable("error sending request for url (http://127.0.0.1:9/api/sign-in)".into()),
            Error::Refused(body("bad_credentials", "Unknown user or wrong password.")),
            Error::Refused(body("unauthorized", "The device token is missing, unknown or revoked; sign in again.")),
            Error::Refused(body("hub_unreachable", "error sending request for url (http://127.0.0.1:9/api/pull)")),
            Error::Refused(body("hub_error", "500 Internal Server Error")),
            Error::Io(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied (os error 13)")),
        ];
        for e in cases {
            let zh = e.message(Lang::Zh);
            assert!(
                !zh.chars().any(|c| c.is_ascii_alphabetic()),
                "{}: the Chinese sentence is all Chinese: {zh}",
                e.code()
            );
            let en = e.message(Lang::En);
            assert!(
                en.starts_with(|c: char| c.is_ascii_uppercase()),
                "{}: the English one is a sentence: {en}",
                e.code()
            );
        }
    }

    #[test]
    fn a_wrong_password_is_said_as_such() {
        let e = Error::Refused(body("bad_credentials", "Unknown user or wrong password."));
        assert_eq!(e.code(), "bad_credentials", "the hub's code is kept for the UI to translate");
        assert!(e.message(Lang::Zh).contains("密码不正确"), "{}", e.message(Lang::Zh));
    }
}
