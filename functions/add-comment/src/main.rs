//! `add-comment` — wiring only; the handler is in `lib.rs`. POST /claims/{id}/comments: adds to the claim thread.

use cpor::aws::{self, wiring};
#[allow(unused_imports)]
use cpor::ports::Unwired;

/// The adapters this function uses (and has IAM permissions for); the rest are unwired.
struct Wired;

impl cpor::app::Wiring for Wired {
    type Store = aws::dynamo::DynamoStore;
    type Poe = Unwired;
    type Mail = Unwired;
    type Schedules = Unwired;
    type Events = aws::events::EventBridgePublisher;
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let config = aws::load_config().await;
    let settings = cpor::settings::from_env();
    let app = wiring::app::<Wired, _>(
        &settings,
        wiring::store(&config, &settings)?,
        Unwired,
        Unwired,
        Unwired,
        wiring::events(&config, &settings)?,
        None,
    )?;
    let app = &app;
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, std::convert::Infallible>(add_comment::handle(app, req).await)
    }))
    .await
}
