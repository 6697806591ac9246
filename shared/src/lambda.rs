//! Running a function on Lambda: a function's `main.rs` is one macro call,
//! [`http_function!`](crate::http_function) or [`event_function!`](crate::event_function),
//! naming its library. The library holds the handler and its `Wired` type; this module builds
//! the app once per cold start (its adapters, the keys its manifest row asks for) and serves
//! invocations on a single-threaded runtime.

pub use lambda_http::Error;
use lambda_http::{Body, Request, Response};
use std::future::Future;

/// The runtime every function runs on: one thread, as Lambda gives one invocation at a time.
fn block_on<T>(work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(work)
}

/// Serves an HTTP handler that needs no app (no AWS client).
pub fn serve_http_static<H, Fut>(handler: H) -> Result<(), Error>
where
    H: Fn(Request) -> Fut,
    Fut: Future<Output = Response<Body>> + Send,
{
    block_on(async {
        lambda_http::tracing::init_default_subscriber();
        lambda_http::run(lambda_http::service_fn(|req| {
            let response = handler(req);
            async move { Ok::<_, std::convert::Infallible>(response.await) }
        }))
        .await
    })
}

#[cfg(feature = "aws")]
pub use with_app::{serve_events, serve_http};

#[cfg(feature = "aws")]
mod with_app {
    use super::*;
    use crate::app::App;
    use crate::aws::wiring::{self, Buildable};
    use lambda_http::LambdaEvent;
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    /// The app of function `name`, built from the environment. It lives as long as the process
    /// (a Lambda execution environment), so handlers borrow it for `'static`.
    async fn cold_start<W: Buildable>(name: &str) -> Result<&'static App<W>, Error> {
        lambda_http::tracing::init_default_subscriber();
        let config = crate::aws::load_config().await;
        let app = wiring::app::<W, _>(name, &config, &crate::settings::from_env())?;
        Ok(Box::leak(Box::new(app)))
    }

    /// Serves API Gateway requests with `handler` over the app wired as `W`.
    pub fn serve_http<W, H, Fut>(name: &'static str, handler: H) -> Result<(), Error>
    where
        W: Buildable,
        H: Fn(&'static App<W>, Request) -> Fut,
        Fut: Future<Output = Response<Body>> + Send,
    {
        block_on(async {
            let app = cold_start::<W>(name).await?;
            lambda_http::run(lambda_http::service_fn(|req| {
                let response = handler(app, req);
                async move { Ok::<_, std::convert::Infallible>(response.await) }
            }))
            .await
        })
    }

    /// Serves events of type `E` (a schedule's payload) with `handler` over the app wired as `W`.
    pub fn serve_events<W, E, R, H, Fut>(name: &'static str, handler: H) -> Result<(), Error>
    where
        W: Buildable,
        E: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        H: Fn(&'static App<W>, LambdaEvent<E>) -> Fut,
        Fut: Future<Output = Result<R, Error>> + Send,
    {
        block_on(async {
            let app = cold_start::<W>(name).await?;
            lambda_http::lambda_runtime::run(lambda_http::service_fn(|event| handler(app, event)))
                .await
        })
    }
}

/// The whole `main.rs` of an HTTP function: `cpor::http_function!(get_claim);` serves
/// `get_claim::handle` over `get_claim::Wired`, named by the crate's package name.
#[macro_export]
macro_rules! http_function {
    ($lib:ident) => {
        fn main() -> Result<(), $crate::lambda::Error> {
            $crate::lambda::serve_http::<$lib::Wired, _, _>(env!("CARGO_PKG_NAME"), $lib::handle)
        }
    };
}

/// The whole `main.rs` of an event-driven function: `cpor::event_function!(deadline_sweep);`.
#[macro_export]
macro_rules! event_function {
    ($lib:ident) => {
        fn main() -> Result<(), $crate::lambda::Error> {
            $crate::lambda::serve_events::<$lib::Wired, _, _, _, _>(
                env!("CARGO_PKG_NAME"),
                $lib::handle,
            )
        }
    };
}
