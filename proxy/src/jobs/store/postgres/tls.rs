//! `store.url`'s TLS settings, as libpq spells them: `sslmode` (`disable`, `prefer` — the
//! default, `require`, `verify-full`) and `sslrootcert` (a PEM file of the CA(s) to trust; the
//! public web roots without it). tokio-postgres parses only `disable|prefer|require`, so this
//! module takes both parameters out of the URL and builds the rustls connector itself.
//!
//! As in libpq, `prefer` and `require` encrypt without checking who answers; `verify-full`
//! checks the certificate chain and that it names the host. `verify-ca` and `allow` are refused
//! with what to use instead rather than quietly meaning something else.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    Disable,
    /// Encrypted when the server offers it; the certificate is not checked.
    Prefer,
    /// Always encrypted; the certificate is not checked.
    Require,
    /// Always encrypted; the chain must lead to a trusted CA and name the host.
    VerifyFull,
}

/// `store.url` split into what tokio-postgres reads and the TLS settings.
#[derive(Debug)]
pub struct PgUrl {
    pub config: tokio_postgres::Config,
    pub tls: Tls,
    pub root_cert: Option<PathBuf>,
}

/// Why `store.url` cannot be used.
pub fn parse(url: &str) -> Result<PgUrl, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let (mut tls, mut root_cert) = (Tls::Prefer, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                tls = match value {
                    "disable" => Tls::Disable,
                    "prefer" => Tls::Prefer,
                    "require" => Tls::Require,
                    "verify-full" => Tls::VerifyFull,
                    "verify-ca" => return Err("sslmode=verify-ca is not supported: use verify-full (the certificate must name the host)".into()),
                    "allow" => return Err("sslmode=allow is not supported: use prefer".into()),
                    other => return Err(format!("sslmode={other}: use disable, prefer, require or verify-full")),
                }
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(percent_decoded(value)?)),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: tokio_postgres::Config = rest.parse().map_err(|e| format!("{e}"))?;
    // In the userinfo or as `?password=`: either way it would sit in a config file.
    if config.get_password().is_some() {
        return Err(
            "a password in the URL is not accepted; use store.password_env or store.password_file"
                .into(),
        );
    }
    config.ssl_mode(match tls {
        Tls::Disable => SslMode::Disable,
        Tls::Prefer => SslMode::Prefer,
        Tls::Require | Tls::VerifyFull => SslMode::Require,
    });
    if root_cert.is_some() && tls != Tls::VerifyFull {
        return Err("sslrootcert is used only with sslmode=verify-full".into());
    }
    Ok(PgUrl {
        config,
        tls,
        root_cert,
    })
}

fn percent_decoded(s: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| format!("{s:?} is not UTF-8"))
}

/// The connector for `url`'s settings.
pub fn connector(url: &PgUrl) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let config = match url.tls {
        Tls::VerifyFull => {
            let mut roots = RootCertStore::empty();
            match &url.root_cert {
                Some(path) => {
                    let certs = CertificateDer::pem_file_iter(path)
                        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                        .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
                    let (added, _) = roots.add_parsable_certificates(certs);
                    if added == 0 {
                        return Err(format!(
                            "sslrootcert {}: no certificate in it",
                            path.display()
                        ));
                    }
                }
                None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Tls::Disable | Tls::Prefer | Tls::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth(),
    };
    Ok(MakeRustlsConnect::new(config))
}

/// libpq's `prefer`/`require`: the handshake's signatures are checked (the session is really
/// encrypted with the key of the certificate shown), not who the certificate belongs to.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_root_cert_are_read_and_removed() {
        let u = parse("postgres://rollcall@db:5432/x?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=a").unwrap();
        assert_eq!(u.tls, Tls::VerifyFull);
        assert_eq!(u.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(u.config.get_application_name(), Some("a"));
        assert_eq!(u.config.get_ssl_mode(), SslMode::Require);
        assert_eq!(parse("postgres://r@db/x").unwrap().tls, Tls::Prefer);
        assert_eq!(
            parse("postgres://r@db/x?sslmode=disable").unwrap().tls,
            Tls::Disable
        );
    }

    #[test]
    fn what_would_mislead_is_refused() {
        for (url, says) in [
            ("postgres://r@db/x?password=hunter2", "password"),
            ("postgres://r:hunter2@db/x", "password"),
            ("postgres://r@db/x?sslmode=verify-ca", "verify-full"),
            ("postgres://r@db/x?sslmode=allow", "prefer"),
            ("postgres://r@db/x?sslmode=on", "sslmode=on"),
            (
                "postgres://r@db/x?sslmode=require&sslrootcert=/ca",
                "only with",
            ),
        ] {
            let e = parse(url).unwrap_err();
            assert!(e.contains(says), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }
}
