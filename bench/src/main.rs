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

mod fakes;

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
}

fn args() -> Args {
    let raw: Vec<String> = std::env::args().skip(1).collect();
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

/// The sample event a function is measured with: its first 2xx sample, else one on an unknown
/// claim (the stub knows every claim, so it runs the whole path), else its first.
fn sample_event(function: &str) -> Value {
    let dir = Path::new("events").join(function);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let named = |pred: &dyn Fn(&str) -> bool| {
        files
            .iter()
            .find(|f| f.file_name().is_some_and(|n| pred(&n.to_string_lossy())))
    };
    let pick = named(&|n| n.starts_with('2'))
        .or_else(|| named(&|n| n.contains("unknown-claim")))
        .or_else(|| files.first());
    pick.and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| json!({}))
}

fn env_for(runtime: &str, aws: &str, function: &str) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", runtime.to_owned()),
        ("AWS_ENDPOINT_URL", aws.to_owned()),
        ("AWS_REGION", "us-east-1".into()),
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
        (
            "CPOR_TOKEN_KEYS",
            "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into(),
        ),
        (
            "CPOR_CONSENT_BASE_URL",
            "https://api.cpor.example/consent".into(),
        ),
        ("CPOR_PORTAL_BASE_URL", "https://portal.cpor.example".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn spawn(bin: &Path, env: &[(String, String)]) -> std::io::Result<tokio::process::Child> {
    tokio::process::Command::new(bin)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
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
    warm_total_p50_us: f64,
    peak_rss_kib: u64,
    requests_per_invocation: BTreeMap<String, f64>,
    statuses: BTreeMap<String, usize>,
}

async fn measure(function: &str, bin: &Path, a: &Args, aws: &AwsStub) -> Result<Figures, String> {
    // Cold init.
    let mut cold = Vec::new();
    for _ in 0..a.runs {
        let runtime = Runtime::start(vec![], aws.busy()).await?;
        let env = env_for(&runtime.addr, &aws.url, function);
        let start = Instant::now();
        let mut child = spawn(bin, &env).map_err(|e| format!("{}: {e}", bin.display()))?;
        let first = tokio::time::timeout(Duration::from_secs(10), runtime.first_next())
            .await
            .map_err(|_| format!("{function}: no /next within 10 s"))?;
        cold.push((first - start).as_secs_f64() * 1000.0);
        let _ = child.kill().await;
    }
    // Warm.
    let event = sample_event(function);
    let runtime = Runtime::start(vec![event; a.invocations], aws.busy()).await?;
    aws.reset();
    let env = env_for(&runtime.addr, &aws.url, function);
    let mut child = spawn(bin, &env).map_err(|e| e.to_string())?;
    let pid = child.id().unwrap_or_default();
    let done = tokio::time::timeout(Duration::from_secs(600), runtime.all_answered())
        .await
        .map_err(|_| format!("{function}: warm run did not finish"))?;
    let peak_rss_kib = vm_hwm_kib(pid).unwrap_or(0);
    let _ = child.kill().await;
    let total: Vec<f64> = done
        .latencies
        .iter()
        .map(|d| d.as_secs_f64() * 1e6)
        .collect();
    let own: Vec<f64> = done
        .latencies
        .iter()
        .zip(done.aws_time.iter())
        .map(|(d, s)| (d.saturating_sub(*s)).as_secs_f64() * 1e6)
        .collect();
    let cold = sorted(cold);
    let own = sorted(own);
    let total = sorted(total);
    Ok(Figures {
        cold_p50_ms: percentile(&cold, 0.5),
        cold_p90_ms: percentile(&cold, 0.9),
        warm_p50_us: percentile(&own, 0.5),
        warm_p99_us: percentile(&own, 0.99),
        warm_total_p50_us: percentile(&total, 0.5),
        peak_rss_kib,
        requests_per_invocation: aws
            .counts()
            .into_iter()
            .map(|(k, v)| (k, v as f64 / a.invocations as f64))
            .collect(),
        statuses: done.statuses,
    })
}

fn sh(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
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
        let size_bytes = std::fs::metadata(&bin).map(|m| m.len()).unwrap_or(0);
        let zip = PathBuf::from(format!("target/lambda/{function}/bootstrap.zip"));
        let zip_bytes = std::fs::metadata(&zip).map(|m| m.len()).ok();
        eprintln!("measuring {function} ...");
        match measure(function, &bin, &a, &aws).await {
            Ok(f) => {
                rows.push(format!(
                    "| {function} | {:.2} | {:.2} | {:.0} | {:.0} | {:.0} | {} | {} | {} | {} |",
                    f.cold_p50_ms,
                    f.cold_p90_ms,
                    f.warm_p50_us,
                    f.warm_p99_us,
                    f.warm_total_p50_us,
                    size_bytes,
                    zip_bytes.map_or_else(|| "—".to_owned(), |z| z.to_string()),
                    f.peak_rss_kib,
                    f.requests_per_invocation
                        .iter()
                        .map(|(k, v)| format!("{k} {v:.2}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                functions.insert(
                    function.to_owned(),
                    json!({
                        "cold_init_p50_ms": f.cold_p50_ms,
                        "cold_init_p90_ms": f.cold_p90_ms,
                        "warm_p50_us": f.warm_p50_us,
                        "warm_p99_us": f.warm_p99_us,
                        "warm_with_stub_p50_us": f.warm_total_p50_us,
                        "size_bytes": size_bytes,
                        "zip_bytes": zip_bytes,
                        "zip_arch": "arm64 (make package)",
                        "peak_rss_kib": f.peak_rss_kib,
                        "aws_requests_per_invocation": f.requests_per_invocation,
                        "responses": f.statuses,
                    }),
                );
            }
            Err(e) => {
                eprintln!("  {e}");
                functions.insert(function.to_owned(), json!({ "error": e }));
            }
        }
    }
    let machine = json!({
        "arch": sh("uname", &["-m"]),
        "cores": sh("nproc", &[]),
        "cpu": std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or_default().trim().to_owned())),
        "kernel": sh("uname", &["-r"]),
    });
    let commit = sh("git", &["rev-parse", "HEAD"]);
    let sweep: Value = std::fs::read_to_string(a.out.join("sweep.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let report = json!({
        "generated_at": chrono::Utc::now().to_rfc3339(),
        "commit": commit,
        "machine": machine,
        "settings": {"cold_runs": a.runs, "warm_invocations": a.invocations, "binaries": a.bin_dir},
        "targets": {"cold_init_p50_ms": 3.0, "warm_p50_us": 150.0, "warm_p99_us": 500.0, "size_bytes_dynamodb_only": 10_000_000, "peak_rss_kib": 10240},
        "functions": functions,
        "sweep": sweep,
    });
    let _ = std::fs::create_dir_all(&a.out);
    let _ = std::fs::write(
        a.out.join("report.json"),
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    );
    let md = format!(
        "# Benchmark report\n\nGenerated by `make bench` at {} on commit `{commit}`.\nMachine: {machine}.\n\n\
         Cold init: exec of the release binary → its first `GET /runtime/invocation/next` on a fake Runtime API ({} runs). \
         Warm: {} invocations of the function's sample event through one process; \"own\" excludes the time the canned-response \
         AWS stub spent answering (round trips excluded), \"with stub\" includes the loopback round trips.\n\n\
         Targets: cold p50 ≤ 3 ms; warm p50 ≤ 150 µs, p99 ≤ 500 µs; ≤ 10 MB for a DynamoDB-only function; peak RSS ≤ 10 MiB.\n\n\
         | function | cold p50 ms | cold p90 ms | warm own p50 µs | warm own p99 µs | warm with stub p50 µs | binary bytes | zip bytes (arm64) | peak RSS KiB | AWS requests / invocation |\n\
         |---|---|---|---|---|---|---|---|---|---|\n{}\n",
        report["generated_at"].as_str().unwrap_or_default(),
        a.runs,
        a.invocations,
        rows.join("\n")
    );
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
    let md = format!(
        "{md}\n## Sweep cost\n\nThe due-index query against moto, counted on the wire (`tests/sweep_cost.rs`). Target: about 1,100 items read for 1,000 due, whatever the table size; never a Scan.\n\n| table items | due | items read | requests | scans |\n|---|---|---|---|---|\n{}\n",
        sweep_rows.join("\n")
    );
    let _ = std::fs::write(a.out.join("REPORT.md"), md);
    println!(
        "{}",
        serde_json::to_string_pretty(&report["functions"]).unwrap_or_default()
    );
}
