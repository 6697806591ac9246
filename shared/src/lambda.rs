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

/// Logging as Lambda's advanced logging controls ask, like `lambda_runtime`'s default
/// subscriber: the level from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG` (INFO by default, and
/// `RUST_LOG`'s directives), JSON lines when `AWS_LAMBDA_LOG_FORMAT` is `JSON`, no timestamp
/// (Lambda adds one), written to stdout.
fn init_logging() {
    use lambda_http::tracing::subscriber::util::SubscriberInitExt;
    log_lines(|name| std::env::var(name).ok(), std::io::stdout).init();
}

/// The log subscriber of [`init_logging`] for the environment `env` reads, writing to `out`.
/// Unlike `lambda_runtime`'s default, a JSON line carries the invocation's span once (`span`):
/// the default repeats it as a one-element `spans` list — the request and trace IDs twice on
/// every line sent to CloudWatch.
fn log_lines<W>(env: impl Fn(&str) -> Option<String>, out: W) -> tracing::Dispatch
where
    W: for<'w> lambda_http::tracing::subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use lambda_http::tracing::subscriber::filter::{EnvFilter, LevelFilter};
    let level = env("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|| env("RUST_LOG"))
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let lines = lambda_http::tracing::subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_env_filter(
            EnvFilter::builder()
                .with_default_directive(level.into())
                .parse_lossy(env("RUST_LOG").unwrap_or_default()),
        )
        .with_writer(out);
    if env("AWS_LAMBDA_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")) {
        lines.json().with_span_list(false).finish().into()
    } else {
        lines.finish().into()
    }
}

/// Serves an HTTP handler that needs no app (no AWS client).
pub fn serve_http_static<H, Fut>(handler: H) -> Result<(), Error>
where
    H: Fn(Request) -> Fut,
    Fut: Future<Output = Response<Body>> + Send,
{
    block_on(async {
        init_logging();
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
        init_logging();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// What a subscriber for `vars` writes for one request logged inside the runtime's span.
    fn logged(vars: &[(&str, &str)]) -> String {
        let written = Arc::new(Mutex::new(Vec::new()));
        let out = {
            let written = written.clone();
            move || Sink(written.clone())
        };
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        tracing::dispatcher::with_default(&log_lines(env, out), || {
            let span = tracing::info_span!("Lambda runtime invoke", requestId = "req-1");
            let _in = span.enter();
            tracing::info!(function = "get-claim", status = 200, "request done");
        });
        let text = written.lock().unwrap().clone();
        String::from_utf8(text).unwrap()
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_json_line_names_the_invocation_once() {
        let text = logged(&[("AWS_LAMBDA_LOG_FORMAT", "JSON")]);
        let line: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["fields"]["message"], "request done");
        assert_eq!(line["fields"]["status"], 200);
        assert_eq!(line["span"]["requestId"], "req-1");
        assert!(line.get("spans").is_none(), "{text}");
        assert!(line.get("timestamp").is_none(), "{text}");
    }

    #[test]
    fn the_level_comes_from_lambdas_setting_first() {
        let quiet = [
            ("AWS_LAMBDA_LOG_FORMAT", "json"),
            ("AWS_LAMBDA_LOG_LEVEL", "WARN"),
        ];
        assert_eq!(logged(&quiet), "");
        let rust_log = [("RUST_LOG", "warn")];
        assert_eq!(logged(&rust_log), "");
        let text = logged(&[]);
        assert!(
            text.contains("request done") && !text.starts_with('{'),
            "{text}"
        );
    }
}
