//! Every sample event in `events/` runs through its function and gets the status its name
//! says; each names a route of that function; every function has samples.

use crate::helpers::stack;
use cpor::routes::{self, ROUTES};
use std::path::PathBuf;

fn samples() -> Vec<(String, String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("events");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("events/") {
        let dir = dir.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        let function = dir
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        for file in std::fs::read_dir(&dir).expect("function dir") {
            let file = file.expect("file").path();
            let name = file
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&file).expect("readable");
            out.push((function.clone(), name, text));
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_sample_event_gets_the_status_its_name_says() {
    let s = stack().await;
    let all = samples();
    for f in routes::functions() {
        assert!(
            all.iter().any(|(d, _, _)| d == f),
            "{f} has no sample events"
        );
    }
    let mut checked = 0;
    for (function, name, text) in &all {
        assert!(
            routes::functions().contains(&function.as_str()),
            "events/{function}: no such function"
        );
        let expected: u16 = name[..3]
            .parse()
            .unwrap_or_else(|_| panic!("{function}/{name}: name must start with a status"));
        // Event functions: 200 means handled, anything else an error (retried, then the DLQ).
        let value: serde_json::Value = serde_json::from_str(text).expect("json");
        let handled = match function.as_str() {
            "email-feedback" => Some(
                email_feedback::record(&s.run.feedback_app, &value)
                    .await
                    .map(|_| ()),
            ),
            "deadline-sweep" => Some(
                deadline_sweep::sweep(&s.run.sweep_app, &value)
                    .await
                    .map(|_| ()),
            ),
            "import-reference-data" => Some(
                import_reference_data::import(&s.run.import_app, &value)
                    .await
                    .map(|_| ()),
            ),
            // Read as the runtime reads it; handled means no record for Lambda to retry.
            "deliver-outbox" => Some(
                match serde_json::from_value::<aws_lambda_events::event::dynamodb::Event>(
                    value.clone(),
                ) {
                    Ok(event) => {
                        let (response, _) =
                            deliver_outbox::deliver(&s.run.deliver_app, &event, chrono::Utc::now())
                                .await;
                        match response.batch_item_failures.as_slice() {
                            [] => Ok(()),
                            failed => Err(format!("{} records to retry", failed.len())),
                        }
                    }
                    Err(e) => Err(e.to_string()),
                },
            ),
            _ => None,
        };
        if let Some(result) = handled {
            assert_eq!(
                result.is_ok(),
                expected == 200,
                "{function}/{name}: {result:?}"
            );
            checked += 1;
            continue;
        }
        let route_key = value["routeKey"].as_str().expect("routeKey");
        assert!(
            ROUTES
                .iter()
                .any(|r| format!("{} {}", r.method, r.path) == route_key && r.function == function),
            "{function}/{name}: {route_key} is not a route of {function}"
        );
        let req = lambda_http::request::from_str(text)
            .unwrap_or_else(|e| panic!("{function}/{name}: {e}"));
        let resp = cpor_local::gateway::dispatch(&s.run.gateway, function, req).await;
        assert_eq!(resp.status().as_u16(), expected, "{function}/{name}");
        checked += 1;
    }
    println!("sample events checked: {checked}");
    assert!(checked >= 25);
}
