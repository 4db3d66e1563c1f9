//! HTTPS served directly: the rustls configuration from a certificate chain and a private key in
//! PEM files (`gridpatrol-hub serve --tls-cert FILE --tls-key FILE`).
//!
//! Everything is checked before the hub starts: a file that is missing or unreadable, one with no
//! certificate (or no key) in it, or a key that does not belong to the certificate is refused with a
//! sentence naming the file, and nothing is served. rustls runs on ring (already linked by the
//! devices' HTTP client), TLS 1.2 and 1.3 with rustls's safe defaults; the hub speaks HTTP/1.1 only,
//! so that is the one protocol offered by ALPN.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

use crate::error::{HubError, Result};

fn refused(flag: &str, file: &Path, zh: &str, en: &str) -> HubError {
    let shown = file.display();
    HubError::refused(
        "tls_file",
        format!("{flag} {shown}：{zh}未启动服务。"),
        format!("{flag} {shown}: {en} Nothing was started."),
    )
}

fn read(flag: &str, file: &Path) -> Result<Vec<u8>> {
    std::fs::read(file).map_err(|e| {
        let (zh, en) = match e.kind() {
            std::io::ErrorKind::NotFound => ("文件不存在。".to_string(), "the file does not exist.".to_string()),
            std::io::ErrorKind::PermissionDenied => {
                ("没有读取权限。".to_string(), "the file cannot be read (permission denied).".to_string())
            }
            _ => ("无法读取。".to_string(), format!("the file cannot be read ({e}).")),
        };
        refused(flag, file, &zh, &en)
    })
}

/// The server configuration from the PEM files `cert` (the hub's certificate first, then any
/// intermediates) and `key` (PKCS#8, PKCS#1 or SEC1).
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>> {
    let cert_pem = read("--tls-cert", cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem).collect::<std::result::Result<Vec<_>, _>>().map_err(|e| {
        refused("--tls-cert", cert, "不是有效的 PEM 证书文件。", &format!("not a PEM certificate file ({e})."))
    })?;
    if chain.is_empty() {
        return Err(refused(
            "--tls-cert",
            cert,
            "文件中没有证书（应以 -----BEGIN CERTIFICATE----- 开头）。",
            "the file holds no certificate (a PEM block -----BEGIN CERTIFICATE-----).",
        ));
    }
    let key_pem = read("--tls-key", key)?;
    let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        refused(
            "--tls-key",
            key,
            "文件中没有私钥（PEM 格式的 PKCS#8、PKCS#1 或 SEC1 私钥）。",
            &format!("the file holds no private key in PEM (PKCS#8, PKCS#1 or SEC1) ({e})."),
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::Internal(format!("TLS versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            refused(
                "--tls-cert",
                cert,
                &format!("证书与私钥 {} 不匹配，或证书无法读取。", key.display()),
                &format!(
                    "the certificate and the key {} do not belong together, or the certificate is not one ({e}).",
                    key.display()
                ),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
