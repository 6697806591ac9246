//! `deadline-sweep` — wiring only; the handler is in `lib.rs`. Scheduled: one claim's deadline, or everything due, and undelivered outbox entries.

#![recursion_limit = "256"]

use cpor::aws::{self, wiring};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = aws::load_config().await;
    let settings = cpor::settings::from_env();
    let app = wiring::everything(&config, &settings)?;
    let app = &app;
    lambda_runtime::run(lambda_runtime::service_fn(move |event| async move {
        deadline_sweep::handle(app, event).await
    }))
    .await
}
