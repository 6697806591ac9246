//! The two loopback fakes the benchmark runs functions against: the Lambda Runtime API (hands
//! out events, times responses) and an AWS endpoint answering every call a function makes with
//! a canned response (counting calls by operation, and the time it spends answering).

use cpor::aws::canned::{Answers, Canned};
use cpor::aws::operation_name as operation;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Notify;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn serve<F, Fut>(handler: F) -> Result<String, String>
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    serve_with(handler, None).await
}

/// Serves `handler` on loopback, over TLS when `tls` is given.
async fn serve_with<F, Fut>(
    handler: F,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> Result<String, String>
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let handler = handler.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(handler(req).await) }
                });
                let http = http1::Builder::new();
                let _ = match tls {
                    Some(tls) => match tls.accept(stream).await {
                        Ok(stream) => http.serve_connection(TokioIo::new(stream), svc).await,
                        Err(_) => return,
                    },
                    None => http.serve_connection(TokioIo::new(stream), svc).await,
                };
            });
        }
    });
    Ok(addr.to_string())
}

/// A certificate authority made for this run and a certificate it issued for 127.0.0.1: the
/// acceptor, and the CA's PEM for the function to trust (`SSL_CERT_FILE`, which replaces the
/// compiled-in Amazon roots — see `cpor::aws::trust_store`).
fn loopback_tls() -> Result<(tokio_rustls::TlsAcceptor, String), String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
    let e = |e: rcgen::Error| e.to_string();
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "cpor bench loopback CA");
    let ca = ca.self_signed(&ca_key).map_err(e)?;
    let key = KeyPair::generate().map_err(e)?;
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()]).map_err(e)?;
    leaf.subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
    let leaf = leaf.signed_by(&key, &ca, &ca_key).map_err(e)?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .map_err(|e| e.to_string())?;
    Ok((tokio_rustls::TlsAcceptor::from(Arc::new(config)), ca.pem()))
}

fn respond(
    status: u16,
    body: impl Into<Bytes>,
    headers: &[(&str, String)],
) -> Response<Full<Bytes>> {
    let mut b = Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    b.body(Full::new(body.into())).unwrap_or_default()
}

/// What a warm run measured.
pub struct Done {
    pub latencies: Vec<Duration>,
    pub statuses: BTreeMap<String, usize>,
    /// When the process first asked for an event (its init was over).
    pub initialised: Option<Instant>,
    /// The first answer that was not a success, to show what a scenario is missing.
    pub first_failure: Option<String>,
}

struct RuntimeState {
    events: Mutex<VecDeque<Value>>,
    expected: usize,
    first_next: Mutex<Option<Instant>>,
    first: Notify,
    sent: Mutex<HashMap<String, Instant>>,
    latencies: Mutex<Vec<Duration>>,
    statuses: Mutex<BTreeMap<String, usize>>,
    first_failure: Mutex<Option<String>>,
    done: Notify,
    next_id: AtomicU64,
}

/// A fake Lambda Runtime API.
pub struct Runtime {
    pub addr: String,
    state: Arc<RuntimeState>,
}

impl Runtime {
    pub async fn start(events: Vec<Value>) -> Result<Self, String> {
        let state = Arc::new(RuntimeState {
            expected: events.len(),
            events: Mutex::new(events.into()),
            first_next: Mutex::new(None),
            first: Notify::new(),
            sent: Mutex::new(HashMap::new()),
            latencies: Mutex::new(Vec::new()),
            statuses: Mutex::new(BTreeMap::new()),
            first_failure: Mutex::new(None),
            done: Notify::new(),
            next_id: AtomicU64::new(1),
        });
        let s = state.clone();
        let addr = serve(move |req| {
            let s = s.clone();
            async move { runtime_route(&s, req).await }
        })
        .await?;
        Ok(Self { addr, state })
    }

    /// When the process first asked for an event.
    pub async fn first_next(&self) -> Instant {
        loop {
            let notified = self.state.first.notified();
            if let Some(t) = *lock(&self.state.first_next) {
                return t;
            }
            notified.await;
        }
    }

    /// Waits for every event to be answered.
    pub async fn all_answered(&self) -> Done {
        loop {
            let notified = self.state.done.notified();
            if lock(&self.state.latencies).len() >= self.state.expected {
                break;
            }
            notified.await;
        }
        Done {
            latencies: lock(&self.state.latencies).clone(),
            statuses: lock(&self.state.statuses).clone(),
            initialised: *lock(&self.state.first_next),
            first_failure: lock(&self.state.first_failure).clone(),
        }
    }
}

/// A request's whole body (empty if it could not be read).
async fn body_of(req: Request<Incoming>) -> Bytes {
    req.into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default()
}

async fn runtime_route(s: &RuntimeState, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    if path == "/2018-06-01/runtime/invocation/next" {
        {
            let mut first = lock(&s.first_next);
            if first.is_none() {
                *first = Some(Instant::now());
                s.first.notify_waiters();
            }
        }
        let event = lock(&s.events).pop_front();
        let Some(event) = event else {
            // Nothing more to hand out: hold the request until the process is killed.
            std::future::pending::<()>().await;
            return respond(500, "", &[]);
        };
        let id = format!("req-{}", s.next_id.fetch_add(1, Ordering::Relaxed));
        let body = event.to_string();
        let deadline = (chrono::Utc::now() + chrono::Duration::seconds(30)).timestamp_millis();
        lock(&s.sent).insert(id.clone(), Instant::now());
        return respond(
            200,
            body,
            &[
                ("content-type", "application/json".into()),
                ("lambda-runtime-aws-request-id", id),
                ("lambda-runtime-deadline-ms", deadline.to_string()),
                (
                    "lambda-runtime-invoked-function-arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:bench".into(),
                ),
                (
                    "lambda-runtime-trace-id",
                    "Root=1-00000000-000000000000000000000000".into(),
                ),
            ],
        );
    }
    let parts: Vec<&str> = path.split('/').collect();
    // /2018-06-01/runtime/invocation/{id}/response|error
    if parts.len() == 6 && parts[3] == "invocation" {
        let now = Instant::now();
        let id = parts[4].to_owned();
        let kind = parts[5].to_owned();
        let body = body_of(req).await;
        if let Some(sent) = lock(&s.sent).remove(&id) {
            lock(&s.latencies).push(now - sent);
            let status = if kind == "error" {
                "error".to_owned()
            } else {
                serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v.get("statusCode").map(ToString::to_string))
                    .unwrap_or_else(|| "ok".to_owned())
            };
            if !(status.starts_with('2') || status == "ok") {
                lock(&s.first_failure).get_or_insert_with(|| {
                    String::from_utf8_lossy(&body[..body.len().min(600)]).into_owned()
                });
            }
            *lock(&s.statuses).entry(status).or_insert(0) += 1;
            if lock(&s.latencies).len() >= s.expected {
                s.done.notify_waiters();
            }
        }
        return respond(202, "", &[]);
    }
    respond(202, "", &[])
}

/// A canned-response AWS endpoint on loopback for every service the functions call, answering
/// from the same table as the in-process stub, counting requests by operation, optionally
/// holding each answer for the operation's modeled latency, and logging when each request
/// arrived and was answered (to count the sequential round trips of an invocation).
pub struct AwsStub {
    pub url: String,
    /// The same endpoint over TLS, and the file holding the CA that issued its certificate.
    pub tls_url: String,
    pub tls_ca_file: std::path::PathBuf,
    state: Arc<AwsState>,
}

#[derive(Default)]
struct AwsState {
    counts: Mutex<BTreeMap<String, u64>>,
    answers: Mutex<Answers>,
    delays: Mutex<HashMap<String, Duration>>,
    log: Mutex<Vec<(Instant, Instant)>>,
}

impl AwsStub {
    pub async fn start() -> Result<Self, String> {
        let state = Arc::new(AwsState::default());
        let s = state.clone();
        let route = move |req| {
            let s = s.clone();
            async move { aws_route(&s, req).await }
        };
        let addr = serve(route.clone()).await?;
        let (acceptor, ca) = loopback_tls()?;
        let tls_addr = serve_with(route, Some(acceptor)).await?;
        let tls_ca_file =
            std::env::temp_dir().join(format!("cpor-bench-ca-{}.pem", std::process::id()));
        std::fs::write(&tls_ca_file, ca).map_err(|e| e.to_string())?;
        Ok(Self {
            url: format!("http://{addr}"),
            tls_url: format!("https://{tls_addr}"),
            tls_ca_file,
            state,
        })
    }

    /// Answers from `table` from now on, at once, with the counts and the log reset.
    pub fn reset(&self, table: HashMap<String, Canned>) {
        *lock(&self.state.answers) = Answers::new(table);
        lock(&self.state.counts).clear();
        lock(&self.state.delays).clear();
        lock(&self.state.log).clear();
    }

    /// Holds each answer for its operation's delay from now on (others answer at once).
    pub fn delay(&self, delays: HashMap<String, Duration>) {
        *lock(&self.state.delays) = delays;
    }

    pub fn counts(&self) -> BTreeMap<String, u64> {
        lock(&self.state.counts).clone()
    }

    /// How many sequential rounds of requests arrived after `since` (the end of init: the
    /// connection it opened is not an invocation's), by `cpor::testing::sequential_rounds`.
    pub fn sequential_rounds(&self, since: Option<Instant>) -> usize {
        let log: Vec<(Instant, Instant)> = lock(&self.state.log)
            .iter()
            .filter(|(arrived, _)| since.is_none_or(|s| *arrived >= s))
            .copied()
            .collect();
        cpor::testing::sequential_rounds(log)
    }
}

async fn aws_route(s: &AwsState, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let arrived = Instant::now();
    let op = operation(
        req.method().as_str(),
        req.uri().path_and_query().map_or("/", |p| p.as_str()),
        req.headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok()),
    );
    let body = body_of(req).await;
    *lock(&s.counts).entry(op.clone()).or_insert(0) += 1;
    let delay = lock(&s.delays).get(&op).copied();
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    lock(&s.log).push((arrived, Instant::now()));
    let canned = lock(&s.answers).answer(&op, &body).cloned();
    let (status, body, extra) = canned.map_or((200, "{}".to_owned(), HashMap::new()), |c| {
        (c.status, c.body, c.headers)
    });
    let mut headers = vec![("content-type", "application/x-amz-json-1.0".to_owned())];
    let extra: Vec<(String, String)> = extra.into_iter().collect();
    // A HEAD answer declares the object's length; hyper sends no body for it.
    let mut b = Response::builder().status(status);
    for (k, v) in &extra {
        b = b.header(k.as_str(), v.as_str());
    }
    headers.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    for (k, v) in &headers {
        b = b.header(*k, v.as_str());
    }
    b.body(Full::new(Bytes::from(body))).unwrap_or_default()
}
