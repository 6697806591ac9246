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
    use crate::functions::Function;
    use lambda_http::LambdaEvent;
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    /// The app of a function, built from the environment at cold start, with the table's
    /// connection opened ([`wiring::warm_up`]) and its token keys read from their secret at the
    /// same time. Each invocation reads the keys again once they are due
    /// ([`App::refresh_keys`]). The keys are read first, outside the async
    /// block, where the manifest row is still a constant (see [`wiring::keys`]). The app lives as long as the process (a Lambda execution
    /// environment), so handlers borrow it for `'static`.
    #[inline(always)]
    fn cold_start<W: Buildable>(
        function: Function,
    ) -> Result<impl Future<Output = Result<&'static App<W>, Error>>, Error> {
        lambda_http::tracing::init_default_subscriber();
        let settings = crate::settings::from_env();
        let keys = wiring::keys(function.keys, &settings)?;
        Ok(async move {
            let config = crate::aws::load_config().await;
            let app = wiring::app::<W, _>(keys, &config, &settings)?;
            // The key secret is read while the table's connection opens.
            futures_util::future::join(wiring::warm_up(&app), app.refresh_keys()).await;
            Ok(&*Box::leak(Box::new(app)))
        })
    }

    /// Serves API Gateway requests with `handler` over the app wired as `W`.
    #[inline(always)]
    pub fn serve_http<W, H, Fut>(function: Function, handler: H) -> Result<(), Error>
    where
        W: Buildable,
        H: Fn(&'static App<W>, Request) -> Fut,
        Fut: Future<Output = Response<Body>> + Send,
    {
        let app = cold_start::<W>(function)?;
        block_on(async {
            let app = app.await?;
            lambda_http::run(lambda_http::service_fn(|req| {
                // (a future does nothing until awaited: the keys are refreshed first)
                let response = handler(app, req);
                async move {
                    app.refresh_keys().await;
                    Ok::<_, std::convert::Infallible>(response.await)
                }
            }))
            .await
        })
    }

    /// Serves events of type `E` (a schedule's payload) with `handler` over the app wired as `W`.
    #[inline(always)]
    pub fn serve_events<W, E, R, H, Fut>(function: Function, handler: H) -> Result<(), Error>
    where
        W: Buildable,
        E: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        H: Fn(&'static App<W>, LambdaEvent<E>) -> Fut,
        Fut: Future<Output = Result<R, Error>> + Send,
    {
        let app = cold_start::<W>(function)?;
        block_on(async {
            let app = app.await?;
            lambda_http::lambda_runtime::run(lambda_http::service_fn(|event| {
                let result = handler(app, event);
                async move {
                    app.refresh_keys().await;
                    result.await
                }
            }))
            .await
        })
    }
}

/// The whole `main.rs` of an HTTP function: `cpor::http_function!(get_claim);` serves
/// `get_claim::handle` over `get_claim::Wired`, with the manifest row named by the crate's
/// package name (looked up at compile time: a function missing from the manifest does not build).
#[macro_export]
macro_rules! http_function {
    ($lib:ident) => {
        fn main() -> Result<(), $crate::lambda::Error> {
            const FUNCTION: $crate::functions::Function =
                $crate::functions::Function::named(env!("CARGO_PKG_NAME"));
            $crate::lambda::serve_http::<$lib::Wired, _, _>(FUNCTION, $lib::handle)
        }
    };
}

/// The whole `main.rs` of an event-driven function: `cpor::event_function!(deadline_sweep);`.
#[macro_export]
macro_rules! event_function {
    ($lib:ident) => {
        fn main() -> Result<(), $crate::lambda::Error> {
            const FUNCTION: $crate::functions::Function =
                $crate::functions::Function::named(env!("CARGO_PKG_NAME"));
            $crate::lambda::serve_events::<$lib::Wired, _, _, _, _>(FUNCTION, $lib::handle)
        }
    };
}
