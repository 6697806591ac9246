//! `poe-template` — wiring only; the handler is in `lib.rs`. It needs no AWS client.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    lambda_http::run(lambda_http::service_fn(|req| async move {
        Ok::<_, std::convert::Infallible>(poe_template::handle(req).await)
    }))
    .await
}
