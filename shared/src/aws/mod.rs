//! The AWS adapters behind the ports: DynamoDB (claims, history, locks, outbox, idempotency),
//! S3 (PoE), SES v2 (mail), EventBridge Scheduler (deadlines) and EventBridge (events). One
//! feature per service, so a function links only the SDK crates it uses.
//!
//! Every client shares one HTTP client: hyper 1 with rustls on ring (no aws-lc build, no
//! jitter-entropy delay at cold start) and one `SdkConfig` loaded once per cold start.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "eventbridge")]
pub mod events;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "scheduler")]
pub mod scheduler;
#[cfg(feature = "ses")]
pub mod ses;
pub mod wiring;

/// The one HTTP client every SDK client uses.
pub fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The SDK configuration from the environment (region, credentials, and `AWS_ENDPOINT_URL`
/// when set, e.g. to point at moto). Loading makes no network call; credentials resolve lazily.
pub async fn load_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .load()
        .await
}

/// A configuration for an emulator on `endpoint` (moto): fixed region and dummy credentials.
pub async fn emulator_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "emulator",
        ))
        .load()
        .await
}
