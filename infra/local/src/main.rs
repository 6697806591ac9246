//! `cpor-local`: the local stack's command line (see the README).
//!
//! - `cpor-local serve` — starts moto on 127.0.0.1:4566 (`MOTO_PORT`; or uses
//!   `CPOR_MOTO_ENDPOINT`), creates the resources and serves the API on 127.0.0.1:9000
//!   (`PORT`), sweeping every minute;
//! - `cpor-local token --partner <id> --role <role[,role]> [--name <display name>]
//!   [--locations a,b] [--sub <user>]` prints a token for it (`--role reviewer` for a reviewer);
//! - `cpor-local sweep --at <RFC 3339>` runs the deadline sweep as of that instant;
//! - `cpor-local feedback --file <SES event> [--claim <id>]` hands an SES bounce or complaint
//!   report to `email-feedback`, as the rule on the default bus would;
//! - `cpor-local import-reference --file <JSON>` drops an MCI reference data document into the
//!   running stack's bucket under `reference/` and waits until it is the current dataset
//!   (`serve` drops the sample, `infra/local/reference-data.json`, when it starts).

use cpor_local::{jwt, moto, provision::Names};
use std::time::Duration;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn list(raw: Option<String>) -> Vec<String> {
    raw.map(|r| {
        r.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

fn env_port(name: &str, default: u16) -> Result<u16, String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse()
            .map_err(|_| format!("{name} must be a port number")),
        _ => Ok(default),
    }
}

fn token(args: &[String]) -> Result<(), String> {
    let id = jwt::Identity::signed_in(
        list(arg(args, "--role")),
        arg(args, "--partner"),
        arg(args, "--name"),
        list(arg(args, "--locations")),
        arg(args, "--sub"),
    )?;
    let hours: i64 = arg(args, "--hours")
        .and_then(|h| h.parse().ok())
        .unwrap_or(12);
    println!(
        "{}",
        jwt::issue(
            &cpor_local::jwt_key(),
            &id,
            chrono::Utc::now(),
            chrono::Duration::hours(hours)
        )
    );
    Ok(())
}

async fn serve() -> Result<(), String> {
    let port = env_port("PORT", 9000)?;
    let (endpoint, _moto) = match std::env::var("CPOR_MOTO_ENDPOINT") {
        Ok(e) if !e.is_empty() => (e, None),
        _ => {
            let m = moto::Moto::start(env_port("MOTO_PORT", 4566)?)?;
            (m.endpoint.clone(), Some(m))
        }
    };
    let names = Names::local();
    let running = cpor_local::start(cpor_local::Options {
        endpoint: endpoint.clone(),
        names: names.clone(),
        listen: ([127, 0, 0, 1], port).into(),
        sweep_every: Some(Duration::from_secs(60)),
        stream_every: Duration::from_millis(250),
        settings: Vec::new(),
    })
    .await?;
    println!(
        "cpor local stack
  API and consent pages  {base}
  the portal             {base}/portal/   (development sign-in; CPOR_PORTAL_SIGN_IN=oidc for OIDC + PKCE)
  AWS emulator (moto)    {endpoint}
  table {table} | bucket {bucket} | bus {bus} (events copied to queue {queue}) | schedule group {group} | sender {sender}
  sent emails            curl -s {endpoint}/moto-api/data.json | python3 -m json.tool  (ses -> Message)
  a token                make token PARTNER=4812345 ROLE=incentives_admin
  run the sweep          make sweep AT=2026-12-31T00:00:00Z   (it also runs every minute)
  an SES bounce report   make feedback FILE=events/email-feedback/200-bounce-consent-email.json CLAIM=<id>
Ctrl-C stops everything.",
        base = running.base_url,
        table = names.table,
        bucket = names.bucket,
        bus = names.bus,
        queue = running.events_queue_url,
        group = names.schedule_group,
        sender = names.sender,
    );
    let sample = include_bytes!("../reference-data.json");
    put_reference(
        &running.config,
        &names,
        "reference/sample.json",
        sample.to_vec(),
    )
    .await?;
    match running
        .imports
        .of("reference/sample.json", Duration::from_secs(30))
        .await
    {
        Ok(report) => println!(
            "  MCI reference data     the sample imported: {}",
            report["result"]
        ),
        Err(e) => eprintln!("  MCI reference data     the sample was not imported: {e}"),
    }
    tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Puts a reference data document in the bucket, where the bucket's events pick it up.
async fn put_reference(
    config: &aws_config::SdkConfig,
    names: &Names,
    key: &str,
    bytes: Vec<u8>,
) -> Result<(), String> {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    s3.put_object()
        .bucket(&names.bucket)
        .key(key)
        .content_type("application/json")
        .body(bytes.into())
        .send()
        .await
        .map_err(|e| format!("put {key}: {e:?}"))?;
    Ok(())
}

/// `make import-reference FILE=…`: checks the document here (every error by JSON path), drops
/// it into the running stack's bucket and waits until the import made it current.
async fn import_reference(args: &[String]) -> Result<(), String> {
    use sha2::Digest as _;
    let file = arg(args, "--file").ok_or("--file <reference data JSON> is required")?;
    let bytes = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
    if let Err(errors) = cpor::domain::engagement::ReferenceData::parse(&bytes) {
        let list: Vec<String> = errors
            .0
            .iter()
            .map(|e| format!("  {}: {}", e.field, e.message))
            .collect();
        return Err(format!(
            "{file} is not valid reference data; nothing imported:\n{}",
            list.join("\n")
        ));
    }
    let name = std::path::Path::new(&file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("reference.json")
        .to_owned();
    let key = format!(
        "reference/{}-{name}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S")
    );
    let (endpoint, _) = running_stack()?;
    let config = cpor::aws::emulator_config(&endpoint).await;
    let names = Names::local();
    put_reference(&config, &names, &key, bytes.clone()).await?;
    let want = cpor::domain::values::hex(&sha2::Sha256::digest(&bytes));
    let store =
        cpor::aws::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), &names.table);
    for _ in 0..100 {
        if store
            .current_dataset_id()
            .await
            .map_err(|e| e.to_string())?
            .as_deref()
            == Some(want.as_str())
        {
            println!(
                "imported {file} (s3://{}/{key}); it is the current reference data",
                names.bucket
            );
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "{key} was not imported within 10 s: is `make run` running? Its log says why"
    ))
}

/// The running stack's emulator endpoint and API base URL (`make run`'s defaults).
fn running_stack() -> Result<(String, String), String> {
    let endpoint = std::env::var("CPOR_MOTO_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| {
            format!(
                "http://127.0.0.1:{}",
                env_port("MOTO_PORT", 4566).unwrap_or(4566)
            )
        });
    let base = format!("http://127.0.0.1:{}", env_port("PORT", 9000)?);
    Ok((endpoint, base))
}

async fn sweep(args: &[String]) -> Result<(), String> {
    let at = arg(args, "--at").ok_or("--at <RFC 3339 instant> is required")?;
    let at = chrono::DateTime::parse_from_rfc3339(&at)
        .map_err(|_| format!("--at: not an RFC 3339 instant: {at}"))?
        .with_timezone(&chrono::Utc);
    let (endpoint, base) = running_stack()?;
    let app = cpor_local::sweep_app(&endpoint, &Names::local(), &base).await?;
    let result = cpor_local::sweep(&app, at).await?;
    println!(
        "{}",
        serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Hands an SES report (an EventBridge event, e.g. `events/email-feedback/…`) to
/// `email-feedback` on the running stack, as the rule on the default bus would; `--claim`
/// points the sample at one of your claims.
async fn feedback(args: &[String]) -> Result<(), String> {
    let file = arg(args, "--file").ok_or("--file <SES event JSON> is required")?;
    let mut text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    if let Some(claim) = arg(args, "--claim") {
        text = text.replace(SAMPLE_CLAIM, &claim);
    }
    let event: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{file}: not JSON: {e}"))?;
    let (endpoint, base) = running_stack()?;
    let app = cpor_local::feedback_app(&endpoint, &Names::local(), &base).await?;
    let result = email_feedback::record(&app, &event).await?;
    println!(
        "{}",
        serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// The claim ID the sample events use.
const SAMPLE_CLAIM: &str = "8d3f1c52-6a1e-4b1f-9a7e-2f5c1d0b9e41";

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") | None => serve().await,
        Some("token") => token(&args),
        Some("sweep") => sweep(&args).await,
        Some("feedback") => feedback(&args).await,
        Some("import-reference") => import_reference(&args).await,
        Some(other) => Err(format!(
            "unknown command {other}; use serve, token, sweep, feedback or import-reference"
        )),
    };
    if let Err(e) = result {
        eprintln!("cpor-local: {e}");
        std::process::exit(2);
    }
}
