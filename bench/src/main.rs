//! `cpor-bench` (`make bench`): measures every function binary as Lambda would run it, against
//! a fake Lambda Runtime API and a canned-response AWS endpoint, both on loopback and written
//! here:
//!
//! - cold init: exec → the first `GET /2018-06-01/runtime/invocation/next` (all clients built
//!   by then), `--runs` times, p50/p90;
//! - warm overhead: `--invocations` events through one process, event handed out → response
//!   received, minus the time the AWS stub spent answering (round trips excluded), p50/p99;
//! - peak RSS (VmHWM) after the warm run; binary and zip size; AWS requests per invocation,
//!   by operation (a Scan would show here).
//!
//! Writes `bench/report.json` and `bench/REPORT.md` with the machine and the commit.

mod engagements;
mod fakes;
mod latency;
mod scenarios;

use fakes::{AwsStub, Runtime};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

struct Args {
    bin_dir: PathBuf,
    runs: usize,
    invocations: usize,
    out: PathBuf,
    only: Option<String>,
    /// The Python interpreter with awslambdaric and boto3 (`--peer`), for the side-by-side run.
    peer: Option<PathBuf>,
    /// Extra `KEY=VALUE` pairs for the function's environment (`--env`, repeatable).
    extra_env: Vec<(String, String)>,
    /// A report measured once on the binaries that delivered their outbox inline
    /// (`--baseline`, default `bench/baseline-inline.json`): its modeled figures are shown
    /// beside today's.
    baseline: PathBuf,
}

/// What `cpor-bench` takes; anything else is refused (a mistyped flag must not start the
/// whole run).
const USAGE: &str = "usage: cpor-bench [--bin-dir DIR] [--runs N] [--invocations N] [--out DIR] \
[--only FUNCTION] [--peer PYTHON] [--baseline FILE] [--env KEY=VALUE]...";

/// The flags that take a value.
const FLAGS: [&str; 8] = [
    "--bin-dir",
    "--runs",
    "--invocations",
    "--out",
    "--only",
    "--peer",
    "--baseline",
    "--env",
];

fn args() -> Args {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let mut rest = raw.iter();
    while let Some(flag) = rest.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let refused = if !FLAGS.contains(&flag.as_str()) {
            format!("unexpected `{flag}`")
        } else if rest.next().is_none() {
            format!("`{flag}` needs a value")
        } else {
            continue;
        };
        eprintln!("cpor-bench: {refused}\n{USAGE}");
        std::process::exit(2);
    }
    let get = |name: &str| {
        raw.iter()
            .position(|a| a == name)
            .and_then(|i| raw.get(i + 1))
            .cloned()
    };
    Args {
        bin_dir: get("--bin-dir").map_or_else(|| PathBuf::from("target/release"), PathBuf::from),
        runs: get("--runs").and_then(|r| r.parse().ok()).unwrap_or(30),
        invocations: get("--invocations")
            .and_then(|r| r.parse().ok())
            .unwrap_or(10_000),
        out: get("--out").map_or_else(|| PathBuf::from("bench"), PathBuf::from),
        only: get("--only"),
        peer: get("--peer").map(PathBuf::from),
        baseline: get("--baseline").map_or_else(
            || PathBuf::from("bench/baseline-inline.json"),
            PathBuf::from,
        ),
        extra_env: raw
            .windows(2)
            .filter(|w| w[0] == "--env")
            .filter_map(|w| w[1].split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

fn env_for(a: &Args, runtime: &str, aws: &str, function: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("AWS_LAMBDA_RUNTIME_API", runtime.to_owned()),
        ("AWS_ENDPOINT_URL", aws.to_owned()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "bench".into()),
        ("AWS_SECRET_ACCESS_KEY", "bench".into()),
        ("AWS_LAMBDA_FUNCTION_NAME", function.to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{function}"),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON".into()),
        ("AWS_LAMBDA_LOG_LEVEL", "INFO".into()),
        ("CPOR_TABLE", "cpor".into()),
        ("CPOR_BUCKET", "cpor-poe".into()),
        ("CPOR_S3_FORCE_PATH_STYLE", "true".into()),
        ("CPOR_SENDER", "no-reply@cpor.example".into()),
        ("CPOR_CONFIGURATION_SET", "cpor".into()),
        ("CPOR_BUS", "cpor".into()),
        ("CPOR_SCHEDULE_GROUP", "cpor-deadlines".into()),
        (
            "CPOR_SWEEP_ARN",
            "arn:aws:lambda:us-east-1:123456789012:function:deadline-sweep".into(),
        ),
        (
            "CPOR_SCHEDULER_ROLE_ARN",
            "arn:aws:iam::123456789012:role/cpor-scheduler".into(),
        ),
        // as deployed: the key ring is read from its secret at cold start (canned here)
        (
            "CPOR_TOKEN_KEYS_SECRET",
            scenarios::TOKEN_KEYS_SECRET.into(),
        ),
        (
            "CPOR_CONSENT_BASE_URL",
            "https://api.cpor.example/consent".into(),
        ),
        ("CPOR_PORTAL_BASE_URL", "https://portal.cpor.example".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    env.extend(a.extra_env.iter().cloned());
    env
}

/// What is exec'd: a function's binary, or the Python peer's interpreter with its arguments.
struct Target {
    program: PathBuf,
    args: Vec<String>,
    dir: Option<PathBuf>,
}

impl Target {
    fn binary(path: PathBuf) -> Self {
        Self {
            program: path,
            args: vec![],
            dir: None,
        }
    }
}

fn spawn(target: &Target, env: &[(String, String)]) -> std::io::Result<tokio::process::Child> {
    let mut command = tokio::process::Command::new(&target.program);
    if let Some(dir) = &target.dir {
        command.current_dir(dir);
    }
    command
        .args(&target.args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
}

/// CPU time (user + system) the process has used so far, in microseconds.
fn cpu_us(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start at state (field 3).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks * 10_000.0)
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

struct Figures {
    cold_p50_ms: f64,
    cold_p90_ms: f64,
    warm_p50_us: f64,
    warm_p99_us: f64,
    loopback_p50_us: f64,
    cpu_us_per_invocation: f64,
    peak_rss_kib: u64,
    requests_per_invocation: BTreeMap<String, f64>,
    statuses: BTreeMap<String, usize>,
    claim_status: String,
    critical_path_round_trips: f64,
    modeled_p50_ms: f64,
    modeled_p99_ms: f64,
    first_invocation_ms: f64,
    first_request_ms: f64,
}

/// Cold starts measured over TLS (each a new process answering one event).
const FIRST_RUNS: usize = 10;

/// Invocations per modeled run (each pays its modeled AWS latency, tens of milliseconds).
const MODELED_INVOCATIONS: usize = 20;

/// Runs `events` through one process of `target`; returns what the runtime measured and VmHWM.
async fn run_warm(
    function: &str,
    target: &Target,
    env: &[(String, String)],
    events: Vec<Value>,
) -> Result<(fakes::Done, u64, f64), String> {
    let runtime = Runtime::start(events).await?;
    let mut env = env.to_vec();
    env.push(("AWS_LAMBDA_RUNTIME_API".into(), runtime.addr.clone()));
    let mut child = spawn(target, &env).map_err(|e| e.to_string())?;
    let pid = child.id().unwrap_or_default();
    let done = tokio::time::timeout(Duration::from_secs(600), runtime.all_answered())
        .await
        .map_err(|_| format!("{function}: warm run did not finish"))?;
    let peak_rss_kib = vm_hwm_kib(pid).unwrap_or(0);
    let cpu = cpu_us(pid).unwrap_or(f64::NAN);
    let _ = child.kill().await;
    Ok((done, peak_rss_kib, cpu))
}

fn micros(latencies: &[Duration]) -> Vec<f64> {
    sorted(latencies.iter().map(|d| d.as_secs_f64() * 1e6).collect())
}

/// Measures `target` on `function`'s scenario.
async fn measure(
    function: &str,
    target: &Target,
    a: &Args,
    aws: &AwsStub,
) -> Result<Figures, String> {
    let scenario = scenarios::for_function(function);
    let env = env_for(a, "", &aws.url, function);
    let env: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k != "AWS_LAMBDA_RUNTIME_API")
        .collect();
    // Nothing held over from the previous function's modeled runs: answers come at once.
    aws.reset(scenario.aws.clone());
    // Cold init: the real HTTP client (TLS roots loaded), every client built, the table's
    // connection opened (its GetItem answered at once here).
    let mut cold = Vec::new();
    for _ in 0..a.runs {
        let runtime = Runtime::start(vec![]).await?;
        let mut env = env.clone();
        env.push(("AWS_LAMBDA_RUNTIME_API".into(), runtime.addr.clone()));
        let start = Instant::now();
        let mut child =
            spawn(target, &env).map_err(|e| format!("{}: {e}", target.program.display()))?;
        let first = tokio::time::timeout(Duration::from_secs(10), runtime.first_next())
            .await
            .map_err(|_| format!("{function}: no /next within 10 s"))?;
        cold.push((first - start).as_secs_f64() * 1000.0);
        let _ = child.kill().await;
    }
    // AWS requests, counted by the loopback stub (same answers as the in-process one).
    let counted = a.invocations.clamp(1, 500);
    aws.reset(scenario.aws.clone());
    let (looped, _, _) = run_warm(
        function,
        target,
        &env,
        vec![scenario.event.clone(); counted],
    )
    .await?;
    let requests_per_invocation = aws
        .counts()
        .into_iter()
        .map(|(k, v)| (k, v as f64 / counted as f64))
        .collect();
    // The first request after a cold start, against the endpoint over TLS: exec → the first
    // answer (init and the first invocation), and the first invocation alone (event handed out
    // → answer), which pays the TLS handshake unless init opened the connection.
    let mut tls_env: Vec<(String, String)> = env_for(a, "", &aws.tls_url, function)
        .into_iter()
        .filter(|(k, _)| k != "AWS_LAMBDA_RUNTIME_API")
        .collect();
    tls_env.push((
        "SSL_CERT_FILE".into(),
        aws.tls_ca_file.display().to_string(),
    ));
    aws.reset(scenario.aws.clone());
    let (mut first_invocation, mut first_request) = (Vec::new(), Vec::new());
    for _ in 0..FIRST_RUNS {
        let runtime = Runtime::start(vec![scenario.event.clone()]).await?;
        let mut env = tls_env.clone();
        env.push(("AWS_LAMBDA_RUNTIME_API".into(), runtime.addr.clone()));
        let start = Instant::now();
        let mut child =
            spawn(target, &env).map_err(|e| format!("{}: {e}", target.program.display()))?;
        let done = tokio::time::timeout(Duration::from_secs(10), runtime.all_answered())
            .await
            .map_err(|_| format!("{function}: no answer over TLS within 10 s"))?;
        first_invocation.push(start.elapsed().as_secs_f64() * 1000.0);
        if let Some(d) = done.latencies.first() {
            first_request.push(d.as_secs_f64() * 1000.0);
        }
        let _ = child.kill().await;
    }
    // Latency as users feel it: the same invocations with each AWS answer held for its
    // operation's modeled latency (every call at p50, then every call at p99), and the
    // sequential rounds of requests each invocation made, read off the endpoint's log.
    let model = latency::Model::load()?;
    let mut modeled = Vec::new();
    let mut rounds = 0.0;
    for at in ["p50_ms", "p99_ms"] {
        aws.reset(scenario.aws.clone());
        aws.delay(model.delays(at));
        let (run, _, _) = run_warm(
            function,
            target,
            &env,
            vec![scenario.event.clone(); MODELED_INVOCATIONS],
        )
        .await?;
        let ms = sorted(
            run.latencies
                .iter()
                .map(|d| d.as_secs_f64() * 1000.0)
                .collect(),
        );
        modeled.push(percentile(&ms, 0.5));
        if at == "p50_ms" {
            rounds = aws.sequential_rounds(run.initialised) as f64 / MODELED_INVOCATIONS as f64;
        }
    }
    // Warm: the SDK's HTTP client stubbed in process (`cpor::aws::canned`).
    let table =
        std::env::temp_dir().join(format!("cpor-bench-{}-{function}.json", std::process::id()));
    std::fs::write(
        &table,
        serde_json::to_string(&scenario.aws).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let mut canned_env = env.clone();
    canned_env.push(("CPOR_CANNED_AWS".into(), table.display().to_string()));
    let (done, peak_rss_kib, cpu) = run_warm(
        function,
        target,
        &canned_env,
        vec![scenario.event.clone(); a.invocations],
    )
    .await?;
    let _ = std::fs::remove_file(&table);
    if done.statuses
        != looped
            .statuses
            .keys()
            .map(|k| (k.clone(), a.invocations))
            .collect()
    {
        eprintln!(
            "  {function}: answers differ: in process {:?}, over loopback {:?}",
            done.statuses, looped.statuses
        );
    }
    if let Some(failure) = &done.first_failure {
        eprintln!("  {function}: not its success path; the first such answer: {failure}");
    }
    let cold = sorted(cold);
    let own = micros(&done.latencies);
    let total = micros(&looped.latencies);
    Ok(Figures {
        cold_p50_ms: percentile(&cold, 0.5),
        cold_p90_ms: percentile(&cold, 0.9),
        warm_p50_us: percentile(&own, 0.5),
        warm_p99_us: percentile(&own, 0.99),
        loopback_p50_us: percentile(&total, 0.5),
        cpu_us_per_invocation: cpu / a.invocations.max(1) as f64,
        peak_rss_kib,
        requests_per_invocation,
        statuses: done.statuses,
        claim_status: scenario.claim_status.clone(),
        critical_path_round_trips: rounds,
        modeled_p50_ms: modeled[0],
        modeled_p99_ms: modeled[1],
        first_invocation_ms: percentile(&sorted(first_invocation), 0.5),
        first_request_ms: percentile(&sorted(first_request), 0.5),
    })
}

fn sh(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The uncompressed size of `bootstrap` inside a deployment zip (`unzip -l`).
fn zipped_binary_bytes(zip: &Path) -> Option<u64> {
    let listing = sh("unzip", &["-l", &zip.display().to_string()]);
    listing.lines().find_map(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        (cols.last() == Some(&"bootstrap"))
            .then(|| cols.first()?.parse().ok())
            .flatten()
    })
}

fn figures_json(f: &Figures) -> Value {
    json!({
        "claim_status": f.claim_status,
        "responses": f.statuses,
        "cold_init_p50_ms": f.cold_p50_ms,
        "cold_init_p90_ms": f.cold_p90_ms,
        "warm_p50_us": f.warm_p50_us,
        "warm_p99_us": f.warm_p99_us,
        "warm_loopback_aws_p50_us": f.loopback_p50_us,
        "warm_cpu_us_per_invocation": f.cpu_us_per_invocation,
        "peak_rss_kib": f.peak_rss_kib,
        "aws_requests_per_invocation": f.requests_per_invocation,
        "critical_path_round_trips": f.critical_path_round_trips,
        "modeled_p50_ms": f.modeled_p50_ms,
        "modeled_p99_ms": f.modeled_p99_ms,
        "first_invocation_ms": f.first_invocation_ms,
        "first_request_ms": f.first_request_ms,
    })
}

fn requests_cell(f: &Figures) -> String {
    f.requests_per_invocation
        .iter()
        .map(|(k, v)| format!("{k} {v:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn answers_cell(f: &Figures) -> String {
    f.statuses
        .iter()
        .map(|(k, v)| format!("{k}×{v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn ratio(a: &Value, b: &Value) -> Value {
    match (a.as_f64(), b.as_f64()) {
        (Some(a), Some(b)) if b > 0.0 => json!((a / b * 10.0).round() / 10.0),
        _ => Value::Null,
    }
}

/// A target: its name in the report, the figure it bounds, the limit, its label, and which
/// functions it applies to.
struct Goal {
    id: &'static str,
    key: &'static str,
    limit: f64,
    label: &'static str,
    applies: fn(&cpor::functions::Function) -> bool,
}

fn every(_: &cpor::functions::Function) -> bool {
    true
}

fn api(f: &cpor::functions::Function) -> bool {
    f.trigger == cpor::functions::Trigger::Http
}

const TARGETS: [Goal; 8] = [
    Goal {
        id: "cold_init_p50_ms",
        key: "cold_init_p50_ms",
        limit: 3.0,
        label: "cold init p50 ≤ 3 ms",
        applies: every,
    },
    Goal {
        id: "warm_p50_us",
        key: "warm_p50_us",
        limit: 150.0,
        label: "warm p50 ≤ 150 µs",
        applies: every,
    },
    Goal {
        id: "warm_p99_us",
        key: "warm_p99_us",
        limit: 500.0,
        label: "warm p99 ≤ 500 µs",
        applies: every,
    },
    Goal {
        id: "api_warm_p99_us",
        key: "warm_p99_us",
        limit: 1000.0,
        label: "warm p99 ≤ 1 ms, API functions",
        applies: api,
    },
    Goal {
        id: "read_cpu_us_per_invocation",
        key: "warm_cpu_us_per_invocation",
        limit: 250.0,
        label: "CPU per warm invocation ≤ 250 µs, API reads",
        applies: |f| api(f) && !f.writes,
    },
    Goal {
        id: "write_cpu_us_per_invocation",
        key: "warm_cpu_us_per_invocation",
        limit: 400.0,
        label: "CPU per warm invocation ≤ 400 µs, API changes",
        applies: |f| api(f) && f.writes,
    },
    Goal {
        id: "peak_rss_kib",
        key: "peak_rss_kib",
        limit: 10240.0,
        label: "peak RSS ≤ 10 MiB",
        applies: every,
    },
    Goal {
        id: "dynamodb_only_size_bytes",
        key: "dynamodb_only_size_bytes",
        limit: 10_000_000.0,
        label: "binary ≤ 10 MB (stripped) for a function using only DynamoDB",
        applies: every,
    },
];

/// The side-by-side rows: label, figure, name of its peer/Rust ratio.
const PEER_ROWS: [(&str, &str, &str); 6] = [
    ("cold init p50 ms", "cold_init_p50_ms", "cold_init_p50"),
    ("cold init p90 ms", "cold_init_p90_ms", "cold_init_p90"),
    ("warm p50 µs", "warm_p50_us", "warm_p50"),
    ("warm p99 µs", "warm_p99_us", "warm_p99"),
    ("CPU µs / invocation", "warm_cpu_us_per_invocation", "cpu"),
    ("peak RSS KiB", "peak_rss_kib", "peak_rss"),
];

/// The AWS services a function's crate enables (`cpor` features in its Cargo.toml).
fn services(function: &str) -> Vec<String> {
    let manifest =
        std::fs::read_to_string(Path::new("functions").join(function).join("Cargo.toml"))
            .unwrap_or_default();
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("cpor "))
        .unwrap_or_default();
    ["dynamodb", "s3", "ses", "scheduler", "eventbridge"]
        .into_iter()
        .filter(|s| line.contains(&format!("\"{s}\"")))
        .map(str::to_owned)
        .collect()
}

#[tokio::main]
async fn main() {
    let a = args();
    let aws = match AwsStub::start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cpor-bench: {e}");
            std::process::exit(2);
        }
    };
    let mut functions = serde_json::Map::new();
    let mut rows = Vec::new();
    for function in cpor::routes::functions() {
        if a.only.as_deref().is_some_and(|o| o != function) {
            continue;
        }
        let bin = a.bin_dir.join(function);
        let x86_bytes = std::fs::metadata(&bin).map(|m| m.len()).ok();
        let zip = PathBuf::from(format!("target/lambda/{function}/bootstrap.zip"));
        let zip_bytes = std::fs::metadata(&zip).map(|m| m.len()).ok();
        let arm_bytes = zipped_binary_bytes(&zip);
        eprintln!("measuring {function} ...");
        match measure(function, &Target::binary(bin), &a, &aws).await {
            Ok(f) => {
                let dash = |v: Option<u64>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
                rows.push(format!(
                    "| {function} | {} | {} | {:.2} | {:.2} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} | {} | {} | {} |",
                    f.claim_status,
                    answers_cell(&f),
                    f.cold_p50_ms,
                    f.cold_p90_ms,
                    f.warm_p50_us,
                    f.warm_p99_us,
                    f.cpu_us_per_invocation,
                    f.loopback_p50_us,
                    dash(arm_bytes),
                    dash(zip_bytes),
                    dash(x86_bytes),
                    f.peak_rss_kib,
                    requests_cell(&f),
                ));
                let mut entry = figures_json(&f);
                entry["size_bytes"] = json!(arm_bytes.or(x86_bytes));
                entry["size_arch"] = json!(if arm_bytes.is_some() {
                    "aarch64"
                } else {
                    "x86_64"
                });
                entry["size_bytes_x86_64"] = json!(x86_bytes);
                let uses = services(function);
                if uses == ["dynamodb"] {
                    entry["dynamodb_only_size_bytes"] = entry["size_bytes"].clone();
                }
                entry["aws_services"] = json!(uses);
                entry["zip_bytes"] = json!(zip_bytes);
                functions.insert(function.to_owned(), entry);
            }
            Err(e) => {
                eprintln!("  {e}");
                functions.insert(function.to_owned(), json!({ "error": e }));
            }
        }
    }
    let latency = latency_section(&mut functions, &a);
    let peer = match &a.peer {
        Some(python) if a.only.as_deref().is_none_or(|o| o == "get-claim") => {
            eprintln!("measuring the Python peer ...");
            let target = Target {
                program: std::path::absolute(python).unwrap_or_else(|_| python.clone()),
                args: vec!["-m".into(), "awslambdaric".into(), "handler.handler".into()],
                dir: Some(PathBuf::from("bench/peer")),
            };
            match measure("get-claim", &target, &a, &aws).await {
                Ok(f) => {
                    let mut entry = figures_json(&f);
                    entry["runtime"] = json!(sh(&python.display().to_string(), &["--version"]));
                    entry["handler"] = json!("bench/peer/handler.py (boto3 GetItem, awslambdaric)");
                    let rust = functions.get("get-claim").cloned().unwrap_or(Value::Null);
                    entry["compared_with"] = json!("get-claim");
                    entry["ratios_peer_over_rust"] = PEER_ROWS
                        .iter()
                        .map(|(_, key, name)| {
                            ((*name).to_owned(), ratio(&entry[*key], &rust[*key]))
                        })
                        .collect::<serde_json::Map<_, _>>()
                        .into();
                    entry
                }
                Err(e) => {
                    eprintln!("  {e}");
                    json!({ "error": e })
                }
            }
        }
        _ => Value::Null,
    };
    let machine = json!({
        "arch": sh("uname", &["-m"]),
        "cores": sh("nproc", &[]),
        "cpu": std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or_default().trim().to_owned())),
        "kernel": sh("uname", &["-r"]),
    });
    let commit = sh("git", &["rev-parse", "HEAD"]);
    let dirty = !sh("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let sweep: Value = std::fs::read_to_string(a.out.join("sweep.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let met: serde_json::Map<String, Value> = TARGETS
        .iter()
        .map(|t| {
            let failing: Vec<&String> = functions
                .iter()
                .filter(|(name, _)| (t.applies)(&cpor::functions::Function::named(name)))
                .filter(|(_, f)| f.get(t.key).is_some() || t.key != "dynamodb_only_size_bytes")
                .filter(|(_, f)| f[t.key].as_f64().is_none_or(|v| v > t.limit))
                .map(|(name, _)| name)
                .collect();
            (t.id.to_owned(), json!({"limit": t.limit, "over": failing}))
        })
        .collect();
    let report = json!({
        "generated_at": chrono::Utc::now().to_rfc3339(),
        "commit": commit,
        "uncommitted_changes": dirty,
        "machine": machine,
        "settings": {"cold_runs": a.runs, "warm_invocations": a.invocations, "binaries": a.bin_dir},
        "targets": met,
        "functions": functions,
        "latency": latency,
        "peer": peer,
        "sweep": sweep,
    });
    let _ = std::fs::create_dir_all(&a.out);
    let _ = std::fs::write(
        a.out.join("report.json"),
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    );
    let _ = std::fs::write(a.out.join("REPORT.md"), markdown(&report, &a, &rows));
    println!(
        "{}",
        serde_json::to_string_pretty(&report["targets"]).unwrap_or_default()
    );
}

fn latency_markdown(report: &Value) -> String {
    let l = &report["latency"];
    let mut md = format!(
        "\n## Latency as users feel it\n\nThe loopback AWS endpoint holds each answer for its operation's latency from \
         `{}` (in-region figures with their sources), every call at p50, then every call at p99; the wall time of an \
         invocation is then what a caller waits on AWS (cold starts aside). **Round trips** are the sequential rounds of \
         AWS requests on the critical path, read off the endpoint's request log (a request sent while another is still \
         out runs beside it). *Inline before* is the same measurement of the binaries that delivered their outbox \
         before answering (commit `{}`, `{}`, measured once).\n\n\
         Submit's modeled p50 at most half of inline: **{}**. Round trips over their limit (reads 1, changes 2, \
         changes checking PoE 3): **{}**. From a submit's commit to the consent email handed to SES, through the stream: **{:.0} ms** \
         p50, {:.0} ms p99 (half a polling interval, the invocation, the entry taken, SendEmail).\n\n\
         **First request after a cold start**, against the endpoint over TLS on loopback (a CA made for the run, \
         trusted through `SSL_CERT_FILE`), {} new processes each: exec → first answer (init and the first \
         invocation), and the first invocation alone, which pays the TLS handshake unless init opened the \
         connection.\n\n\
         | function | round trips | modeled p50 ms | modeled p99 ms | round trips, inline before | p50 ms, inline before | p99 ms, inline before | first invocation ms (exec → answer) | first request ms | first invocation ms, before | first request ms, before |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
        l["model"].as_str().unwrap_or_default(),
        l["baseline_commit"].as_str().unwrap_or("—"),
        l["baseline"].as_str().unwrap_or_default(),
        l["submit_at_most_half_of_inline"],
        l["round_trips_over_their_limit"]
            .as_array()
            .filter(|v| !v.is_empty())
            .map_or_else(
                || "none".to_owned(),
                |v| v
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        l["commit_to_consent_email_p50_ms"]
            .as_f64()
            .unwrap_or(f64::NAN),
        l["commit_to_consent_email_p99_ms"]
            .as_f64()
            .unwrap_or(f64::NAN),
        FIRST_RUNS,
    );
    let cell = |v: &Value, digits: usize| {
        v.as_f64()
            .map_or_else(|| "—".to_owned(), |x| format!("{x:.digits$}"))
    };
    for (name, f) in report["functions"].as_object().into_iter().flatten() {
        md.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&f["critical_path_round_trips"], 1),
            cell(&f["modeled_p50_ms"], 1),
            cell(&f["modeled_p99_ms"], 1),
            cell(&f["critical_path_round_trips_inline_before"], 1),
            cell(&f["modeled_p50_ms_inline_before"], 1),
            cell(&f["modeled_p99_ms_inline_before"], 1),
            cell(&f["first_invocation_ms"], 2),
            cell(&f["first_request_ms"], 2),
            cell(&f["first_invocation_ms_before"], 2),
            cell(&f["first_request_ms_before"], 2),
        ));
    }
    md
}

/// The most sequential AWS round trips an operation may have on its critical path: a read
/// answers after one; a change after its read and its commit; a change that stands on the PoE
/// (submit, and since issue 18 approve and dispute) also checks the claim's PoE objects,
/// concurrently, in between — their keys are known once the claim is read.
fn round_trip_limit(function: &str) -> Option<f64> {
    let f = cpor::functions::Function::named(function);
    match f.trigger {
        cpor::functions::Trigger::Http
            if f.writes && f.poe.contains(&cpor::functions::PoeUse::Read) =>
        {
            Some(3.0)
        }
        cpor::functions::Trigger::Http if f.writes => Some(2.0),
        cpor::functions::Trigger::Http => Some(1.0),
        _ => None,
    }
}

/// Today's modeled figures beside the inline-delivery baseline, the round-trip limits, and
/// the modeled time from a submit's commit to the consent email.
fn latency_section(functions: &mut serde_json::Map<String, Value>, a: &Args) -> Value {
    let baseline: Value = std::fs::read_to_string(&a.baseline)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let mut over = Vec::new();
    for (name, f) in functions.iter_mut() {
        let before = &baseline["functions"][name];
        if before.is_object() {
            f["modeled_p50_ms_inline_before"] = before["modeled_p50_ms"].clone();
            f["modeled_p99_ms_inline_before"] = before["modeled_p99_ms"].clone();
            f["critical_path_round_trips_inline_before"] =
                before["critical_path_round_trips"].clone();
            f["first_invocation_ms_before"] = before["first_invocation_ms"].clone();
            f["first_request_ms_before"] = before["first_request_ms"].clone();
        }
        if let (Some(limit), Some(trips)) = (
            round_trip_limit(name),
            f["critical_path_round_trips"].as_f64(),
        ) {
            if trips > limit {
                over.push(json!(name));
            }
        }
    }
    let submit = &functions
        .get("submit-claim")
        .cloned()
        .unwrap_or(Value::Null);
    let model = latency::Model::load().ok();
    json!({
        "model": "bench/latency.json",
        "baseline": a.baseline,
        "baseline_commit": baseline["commit"],
        "round_trips_over_their_limit": over,
        "submit_modeled_p50_ms": submit["modeled_p50_ms"],
        "submit_modeled_p50_ms_inline_before": submit["modeled_p50_ms_inline_before"],
        "submit_at_most_half_of_inline": match (submit["modeled_p50_ms"].as_f64(), submit["modeled_p50_ms_inline_before"].as_f64()) {
            (Some(now), Some(before)) => json!(now <= before / 2.0),
            _ => Value::Null,
        },
        "commit_to_consent_email_p50_ms": model.as_ref().map(|m| m.commit_to_email_ms("p50_ms")),
        "commit_to_consent_email_p99_ms": model.as_ref().map(|m| m.commit_to_email_ms("p99_ms")),
    })
}

fn markdown(report: &Value, a: &Args, rows: &[String]) -> String {
    let mut md = format!(
        "# Benchmark report\n\nGenerated by `make bench` at {} on commit `{}`{}.\nMachine: {}.\n\n",
        report["generated_at"].as_str().unwrap_or_default(),
        report["commit"].as_str().unwrap_or_default(),
        if report["uncommitted_changes"] == json!(true) {
            " (with uncommitted changes)"
        } else {
            ""
        },
        report["machine"],
    );
    md.push_str(&format!(
        "**Cold init**: exec of the release binary → its first `GET /2018-06-01/runtime/invocation/next` on a fake \
         Runtime API served on loopback ({} runs), with every AWS client the function uses built and the TLS roots \
         loaded. **Warm**: {} invocations of the function's scenario through one process, event handed out → response \
         received by the fake runtime, with the SDK's HTTP client stubbed in process by canned responses \
         (`cpor::aws::canned`, so no AWS or loopback round trip); \"over loopback\" is the same with a canned AWS \
         endpoint on loopback instead; **CPU** is the user + system time the function's process used over the warm \
         run, per invocation (what the host's scheduling cannot change). **Peak RSS**: VmHWM after the warm run. **AWS requests**: counted by the \
         loopback endpoint, per invocation. Each function runs on a claim in the state its operation acts on \
         (`bench/src/scenarios.rs`), so the answers below are its success path.\n\n",
        a.runs, a.invocations
    ));
    if let Some(floor) = report["functions"]["poe-template"]["warm_p50_us"].as_f64() {
        md.push_str(&format!(
            "The floor under every warm figure is poe-template's p50, {floor:.0} µs: a function that makes no AWS call and \
             reads no claim, so it is the fake runtime, lambda_runtime and lambda_http, two HTTP exchanges and the \
             kernel's loopback TCP on this machine. A function's own work is its p50 minus that.\n\n"
        ));
    }
    md.push_str("## Targets\n\n| target | over the target |\n|---|---|\n");
    for Goal { id, label, .. } in TARGETS {
        let over: Vec<String> = report["targets"][id]["over"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        md.push_str(&format!(
            "| {label} | {} |\n",
            if over.is_empty() {
                "none — met by every function".to_owned()
            } else {
                over.join(", ")
            }
        ));
    }
    md.push_str(
        "\n## Functions\n\n| function | claim GetItem returns | answers | cold p50 ms | cold p90 ms | warm p50 µs | warm p99 µs | CPU µs / invocation | over loopback p50 µs | binary arm64 | zip arm64 | binary x86_64 | peak RSS KiB | AWS requests / invocation |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    md.push_str(&rows.join("\n"));
    md.push('\n');
    md.push_str(&latency_markdown(report));
    let peer = &report["peer"];
    if peer.is_object() && peer.get("error").is_none() {
        let rust = &report["functions"]["get-claim"];
        md.push_str(&format!(
            "\n## Side by side: Python peer\n\n{} — {}, measured in the same run on get-claim's scenario and the same \
             fake runtime and canned answers.\n\n| | Python peer | get-claim (Rust) | peer / Rust |\n|---|---|---|---|\n",
            peer["handler"].as_str().unwrap_or_default(),
            peer["runtime"].as_str().unwrap_or_default(),
        ));
        for (label, key, name) in PEER_ROWS {
            let figure = |v: &Value| match v.as_f64() {
                Some(x) if key.ends_with("_ms") => format!("{x:.2}"),
                Some(x) => format!("{x:.0}"),
                None => "—".to_owned(),
            };
            md.push_str(&format!(
                "| {label} | {} | {} | {} |\n",
                figure(&peer[key]),
                figure(&rust[key]),
                peer["ratios_peer_over_rust"][name]
            ));
        }
    }
    let sweep_rows: Vec<String> = report["sweep"]["by_table_size"]
        .as_object()
        .map(|m| {
            m.values()
                .map(|v| {
                    format!(
                        "| {} | {} | {} | {} | {} |",
                        v["table_items"], v["due"], v["items_read"], v["requests"], v["scans"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    md.push_str(&format!(
        "\n## Sweep cost\n\nThe due-index query against moto, counted on the wire (`tests/sweep_cost.rs`). Target: about 1,100 items read for 1,000 due, whatever the table size; never a Scan.\n\n| table items | due | items read | requests | scans |\n|---|---|---|---|---|\n{}\n",
        sweep_rows.join("\n")
    ));
    md
}
