//! The local stack: moto on loopback, the resources on it, and every function behind an HTTP
//! front that does what API Gateway does (routes, JWT verification, request context), the
//! table's stream feeding `deliver-outbox` as Lambda's event source mapping does, and the
//! periodic sweep. `make run` starts it; the end-to-end tests start one per test.

pub mod functions;
pub mod gateway;
pub mod jwt;
pub mod moto;
pub mod portal;
pub mod provision;
pub mod reference;
pub mod scheduler;
pub mod stream;

use cpor::settings::Settings;
use gateway::Gateway;
use provision::Names;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A local token-signing key ring for consent links and cursors (development only).
pub const DEV_TOKEN_KEYS: &str =
    "local1:Y3Bvci1sb2NhbC1kZXZlbG9wbWVudC10b2tlbi1rZXktMDEyMzQ1Njc4OQ==";

pub struct Options {
    /// moto's endpoint, e.g. `http://127.0.0.1:4566`.
    pub endpoint: String,
    pub names: Names,
    /// `127.0.0.1:9000`; port 0 for any free port.
    pub listen: SocketAddr,
    /// Run the periodic sweep this often (`None`: never; tests run it themselves).
    pub sweep_every: Option<Duration>,
    /// Poll the table's stream this often (tests also make it poll when they wait for it).
    pub stream_every: Duration,
    /// Settings that replace the local ones (a test's own, e.g. how often keys are re-read).
    pub settings: Vec<(String, String)>,
}

pub struct Running {
    pub addr: SocketAddr,
    pub base_url: String,
    pub names: Names,
    pub events_queue_url: String,
    pub config: aws_config::SdkConfig,
    pub gateway: Arc<Gateway>,
    /// The deadline sweep's app (its own wiring), for sweeps the tests run themselves.
    pub sweep_app: Arc<functions::SweepApp>,
    /// `email-feedback`'s app: SES reports are handed to it as EventBridge would.
    pub feedback_app: Arc<functions::FeedbackApp>,
    /// `deliver-outbox`'s app, fed by the stream poller (tests also hand it records).
    pub deliver_app: Arc<stream::DeliverApp>,
    /// How far the stream poller has got.
    pub stream: stream::Progress,
    /// `import-reference-data`'s app, fed by the rule on the default bus (via its queue).
    pub import_app: Arc<reference::ImportApp>,
    /// What the reference data imports did.
    pub imports: reference::Imports,
    pub jwt_key: Vec<u8>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The settings the functions get locally (the same names as in `infra/`).
pub fn settings(names: &Names, base_url: &str) -> HashMap<String, String> {
    let mut s: HashMap<String, String> = [
        ("CPOR_TABLE", names.table.clone()),
        ("CPOR_BUCKET", names.bucket.clone()),
        ("CPOR_S3_FORCE_PATH_STYLE", "true".into()),
        // moto stores the signed checksum but does not report it: hash the stored bytes.
        ("CPOR_S3_EMULATOR_CHECKSUMS", "true".into()),
        ("CPOR_SENDER", names.sender.clone()),
        ("CPOR_REVIEWERS_EMAIL", names.reviewers.clone()),
        ("CPOR_CONFIGURATION_SET", names.configuration_set.clone()),
        ("CPOR_BUS", names.bus.clone()),
        ("CPOR_SCHEDULE_GROUP", names.schedule_group.clone()),
        (
            "CPOR_SWEEP_ARN",
            "arn:aws:lambda:us-east-1:123456789012:function:deadline-sweep".into(),
        ),
        (
            "CPOR_SCHEDULER_ROLE_ARN",
            "arn:aws:iam::123456789012:role/cpor-scheduler".into(),
        ),
        ("CPOR_TOKEN_KEYS_SECRET", names.token_keys.clone()),
        ("CPOR_CONSENT_BASE_URL", format!("{base_url}/consent")),
        // the portal this stack serves: links in partners' emails open its claim pages
        ("CPOR_PORTAL_BASE_URL", format!("{base_url}/portal")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    // Policy settings (time zone, holidays, windows, PoE types) pass through from the shell.
    for (k, v) in std::env::vars() {
        if k.starts_with("CPOR_") && !s.contains_key(&k) {
            s.insert(k, v);
        }
    }
    s
}

pub fn jwt_key() -> Vec<u8> {
    std::env::var("CPOR_LOCAL_JWT_KEY")
        .unwrap_or_else(|_| jwt::DEV_KEY.to_owned())
        .into_bytes()
}

/// Provisions the resources and serves the API.
pub async fn start(opts: Options) -> Result<Running, String> {
    let config = cpor::aws::emulator_config(&opts.endpoint).await;
    let events_queue_url = provision::provision(&config, &opts.names).await?;
    let reference_queue_url = provision::provision_reference(&config, &opts.names).await?;
    let listener = TcpListener::bind(opts.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let base_url = format!("http://{addr}");
    let mut map = settings(&opts.names, &base_url);
    map.extend(opts.settings.iter().cloned());
    let s = Settings(move |k: &str| map.get(k).cloned());
    let jwt_key = jwt_key();
    let cors_origins: Vec<String> = s
        .optional("CPOR_PORTAL_ORIGIN")
        .map(|o| o.split(',').map(|o| o.trim().to_owned()).collect())
        .unwrap_or_default();
    // the portal served here uploads from this origin; one elsewhere from its own
    let upload_origins: Vec<String> = std::iter::once(base_url.clone())
        .chain(cors_origins.iter().cloned())
        .collect();
    provision::allow_uploads_from(&config, &opts.names, &upload_origins).await?;
    let gateway = Arc::new(Gateway {
        functions: functions::http(&config, &s).map_err(|e| e.to_string())?,
        jwt_key: jwt_key.clone(),
        cors_origins,
        openapi: serde_json::to_vec(&cpor::openapi::document())
            .unwrap_or_default()
            .into(),
        portal: portal::Portal {
            dir: portal::default_dir(),
            upload_origin: opts.endpoint.clone(),
            jwt_key: jwt_key.clone(),
            sign_in: portal::SignInKind::from_setting(s.optional("CPOR_PORTAL_SIGN_IN").as_deref()),
            base_url: base_url.clone(),
            codes: Default::default(),
        },
    });
    let sweep_app = Arc::new(functions::sweep(&config, &s).map_err(|e| e.to_string())?);
    let feedback_app = Arc::new(functions::feedback(&config, &s).map_err(|e| e.to_string())?);
    let deliver_app = Arc::new(functions::deliver(&config, &s).map_err(|e| e.to_string())?);
    // each reads its keys at "cold start", as on Lambda
    sweep_app.refresh_keys().await;
    deliver_app.refresh_keys().await;
    let (poller, stream) = stream::start(
        &config,
        &opts.names.table,
        deliver_app.clone(),
        opts.stream_every,
    )
    .await?;
    let import_app = Arc::new(functions::import(&config, &s).map_err(|e| e.to_string())?);
    let (importer, imports) = reference::start(&config, reference_queue_url, import_app.clone());
    let mut tasks = vec![
        tokio::spawn(gateway::serve(listener, gateway.clone())),
        poller,
        importer,
    ];
    if let Some(every) = opts.sweep_every {
        let app = sweep_app.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let report = app
                    .sweep_due(chrono::Utc::now(), deadline_sweep::BATCH)
                    .await;
                if report != cpor::app::SweepReport::default() {
                    tracing::info!(?report, "periodic sweep");
                }
            }
        }));
    }
    Ok(Running {
        addr,
        base_url,
        names: opts.names,
        events_queue_url,
        config,
        gateway,
        sweep_app,
        feedback_app,
        deliver_app,
        stream,
        import_app,
        imports,
        jwt_key,
        tasks,
    })
}

impl Running {
    /// A token for this stack.
    pub fn token(&self, id: &jwt::Identity) -> String {
        jwt::issue(
            &self.jwt_key,
            id,
            chrono::Utc::now(),
            chrono::Duration::hours(12),
        )
    }

    /// Fires the one-time schedules due by `until`, as EventBridge Scheduler would.
    pub async fn fire_schedules(
        &self,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<scheduler::Fired>, String> {
        scheduler::fire_due(
            &self.config,
            &self.names.schedule_group,
            &self.sweep_app,
            until,
        )
        .await
    }

    /// Runs the sweep as of `at` (what `make sweep AT=...` does).
    pub async fn sweep(
        &self,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<deadline_sweep::SweepResult, String> {
        sweep(&self.sweep_app, at).await
    }
}

/// The sweep as the scheduler would invoke it, as of `at`.
pub async fn sweep(
    app: &functions::SweepApp,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<deadline_sweep::SweepResult, String> {
    let event = serde_json::json!({ "time": at.to_rfc3339() });
    app.refresh_keys().await;
    deadline_sweep::sweep(app, &event).await
}

/// `email-feedback`'s app, on an emulator that already has the resources.
pub async fn feedback_app(
    endpoint: &str,
    names: &Names,
    base_url: &str,
) -> Result<functions::FeedbackApp, String> {
    let config = cpor::aws::emulator_config(endpoint).await;
    let map = settings(names, base_url);
    let s = Settings(move |k: &str| map.get(k).cloned());
    functions::feedback(&config, &s).map_err(|e| e.to_string())
}

/// The sweep's app, on an emulator that already has the resources.
pub async fn sweep_app(
    endpoint: &str,
    names: &Names,
    base_url: &str,
) -> Result<functions::SweepApp, String> {
    let config = cpor::aws::emulator_config(endpoint).await;
    let map = settings(names, base_url);
    let s = Settings(move |k: &str| map.get(k).cloned());
    functions::sweep(&config, &s).map_err(|e| e.to_string())
}
