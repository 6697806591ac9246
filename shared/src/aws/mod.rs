//! The AWS adapters behind the ports: DynamoDB (claims, history, locks, outbox, idempotency),
//! S3 (PoE), SES v2 (mail), EventBridge Scheduler (deadlines) and EventBridge (events). One
//! feature per service, so a function links only the SDK crates it uses.
//!
//! Every client shares one HTTP client: hyper 1 with rustls on ring (no aws-lc build, no
//! jitter-entropy delay at cold start) trusting the system's one CA bundle file (no scan of the
//! certificate directory), and one `SdkConfig` loaded once per cold start.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

#[cfg(feature = "canned-aws")]
pub mod canned;
#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "eventbridge")]
pub mod events;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "scheduler")]
pub mod scheduler;
#[cfg(feature = "secrets")]
pub mod secrets;
#[cfg(feature = "ses")]
pub mod ses;
pub mod wiring;

/// A request's operation, from what is on the wire: `dynamodb.GetItem`, `events.PutEvents`
/// (from `X-Amz-Target`), `ses.SendEmail`, `scheduler.CreateSchedule` /
/// `scheduler.DeleteSchedule` (REST paths), else S3's (`s3.HeadObject`, `s3.PutObjectTagging`,
/// ...). `path` may carry the query. Used to count round trips (tests, benchmark).
pub fn operation_name(method: &str, path: &str, target: Option<&str>) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    match target {
        Some(t) => match t.split_once('.') {
            Some(("DynamoDB_20120810", op)) => format!("dynamodb.{op}"),
            Some(("AWSEvents", op)) => format!("events.{op}"),
            _ => t.to_owned(),
        },
        None if path.starts_with("/v2/email/outbound-emails") => "ses.SendEmail".to_owned(),
        None if path.starts_with("/schedules/") => match method {
            "POST" => "scheduler.CreateSchedule".to_owned(),
            "DELETE" => "scheduler.DeleteSchedule".to_owned(),
            "GET" => "scheduler.GetSchedule".to_owned(),
            other => format!("scheduler.{other}"),
        },
        None => {
            let tagging = query
                .split('&')
                .any(|p| p == "tagging" || p.starts_with("tagging="));
            match (method, tagging) {
                ("HEAD", _) => "s3.HeadObject".to_owned(),
                ("PUT", true) => "s3.PutObjectTagging".to_owned(),
                ("PUT", false) => "s3.PutObject".to_owned(),
                ("GET", _) => "s3.GetObject".to_owned(),
                ("DELETE", _) => "s3.DeleteObject".to_owned(),
                (other, _) => format!("s3.{other}"),
            }
        }
    }
}

/// The one HTTP client every SDK client uses.
pub fn http_client() -> SharedHttpClient {
    #[cfg(feature = "canned-aws")]
    if let Some(canned) = canned::from_env() {
        return canned;
    }
    let builder = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
    match tls::TlsContext::builder()
        .with_trust_store(trust_store())
        .build()
    {
        Ok(context) => builder.tls_context(context).build_https(),
        Err(_) => builder.build_https(),
    }
}

/// The roots of Amazon Trust Services, which issues the certificate of every AWS service
/// endpoint in the `aws` partition (<https://www.amazontrust.com/repository/>).
pub const AMAZON_TRUST_SERVICES: &[u8] = include_bytes!("amazon-trust-services.pem");

/// The roots to trust: Amazon Trust Services' five, since these functions only call AWS —
/// which also means a certificate from any other CA is refused. The SDK's default reads and
/// parses the system's whole bundle and certificate directory instead, once per client built
/// (5.7 ms of a 7 ms cold start, measured by `make bench`). `SSL_CERT_FILE` or `SSL_CERT_DIR`
/// (a TLS-inspecting proxy, another partition, an emulator over HTTPS) restores the default.
pub fn trust_store() -> tls::TrustStore {
    if std::env::var_os("SSL_CERT_FILE").is_some() || std::env::var_os("SSL_CERT_DIR").is_some() {
        return tls::TrustStore::default();
    }
    tls::TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES)
}

/// The SDK configuration inside Lambda, from what Lambda puts in the environment: the region
/// (`AWS_REGION`), the role's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`) and, for emulators and the benchmark, `AWS_ENDPOINT_URL`. Nothing else
/// is looked for — no profile files, no instance metadata, no STS client — so building it reads
/// no file and makes no network call. The rest is the SDK's defaults, spelled out: standard
/// retries (3 attempts) and a 3.1 s connect timeout.
pub fn lambda_config() -> SdkConfig {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let region = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION"));
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region.map(Region::new))
        .http_client(http_client())
        .time_source(aws_smithy_async::time::SystemTimeSource::new())
        .retry_config(aws_config::retry::RetryConfig::standard())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_millis(3100))
                .build(),
        );
    builder.set_sleep_impl(aws_smithy_async::rt::sleep::default_async_sleep());
    if let Some(url) = env("AWS_ENDPOINT_URL") {
        builder = builder.endpoint_url(url);
    }
    if let (Some(id), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        let credentials = aws_credential_types::Credentials::new(
            id,
            secret,
            env("AWS_SESSION_TOKEN"),
            None,
            "lambda-environment",
        );
        builder = builder.credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
        );
    } else {
        tracing::warn!("no AWS credentials in the environment; AWS calls will fail");
    }
    builder.build()
}

/// The configuration a function starts with: [`lambda_config`].
pub async fn load_config() -> SdkConfig {
    lambda_config()
}

/// A configuration for an emulator on `endpoint` (moto): fixed region and dummy credentials.
pub async fn emulator_config(endpoint: &str) -> SdkConfig {
    emulator_config_with(endpoint, http_client()).await
}

/// [`emulator_config`] sending through `http_client` (tests wrap the real one to count).
pub async fn emulator_config_with(endpoint: &str, http_client: SharedHttpClient) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "emulator",
        ))
        .load()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether every certificate in a PEM bundle makes a trust anchor, checked the way the SDK
    /// loads it (it panics on one that does not).
    fn parses(pem: &[u8]) -> usize {
        use rustls_pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
            let added = cert.map(|cert| roots.add(cert).is_ok());
            assert!(matches!(added, Ok(true)), "a certificate does not parse");
        }
        roots.len()
    }

    #[test]
    fn the_compiled_in_roots_are_the_five_amazon_trust_services_roots() {
        assert_eq!(parses(AMAZON_TRUST_SERVICES), 5);
        let text = String::from_utf8_lossy(AMAZON_TRUST_SERVICES);
        for name in [
            "Amazon_Root_CA_1",
            "Amazon_Root_CA_2",
            "Amazon_Root_CA_3",
            "Amazon_Root_CA_4",
            "Starfield_Services_Root_Certificate_Authority_-_G2",
        ] {
            assert!(text.contains(name), "{name}");
        }
    }

    #[test]
    fn requests_are_named_by_target_or_path() {
        let cases = [
            (
                ("POST", "/", Some("DynamoDB_20120810.GetItem")),
                "dynamodb.GetItem",
            ),
            (
                ("POST", "/", Some("AWSEvents.PutEvents")),
                "events.PutEvents",
            ),
            (("POST", "/v2/email/outbound-emails", None), "ses.SendEmail"),
            (
                ("POST", "/schedules/cpor-x?clientToken=1", None),
                "scheduler.CreateSchedule",
            ),
            (
                ("DELETE", "/schedules/cpor-x", None),
                "scheduler.DeleteSchedule",
            ),
            (("HEAD", "/cpor-poe/claims/x", None), "s3.HeadObject"),
            (
                ("PUT", "/cpor-poe/claims/x?tagging", None),
                "s3.PutObjectTagging",
            ),
            (
                ("PUT", "/cpor-poe/claims/x?x-id=PutObject", None),
                "s3.PutObject",
            ),
        ];
        for ((method, path, target), want) in cases {
            assert_eq!(
                operation_name(method, path, target),
                want,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn the_lambda_configuration_comes_from_the_environment_alone() {
        // The test process has no AWS variables of its own beyond what CI sets; whatever they
        // are, building the configuration must not panic, read files or call out, and must
        // carry the pieces the clients need.
        let config = lambda_config();
        assert!(config.http_client().is_some());
        assert!(config.sleep_impl().is_some());
        assert!(config.time_source().is_some());
        assert!(config.retry_config().is_some());
        assert_eq!(
            config
                .timeout_config()
                .and_then(aws_config::timeout::TimeoutConfig::connect_timeout),
            Some(std::time::Duration::from_millis(3100))
        );
    }
}
