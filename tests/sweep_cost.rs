//! Sweep cost (`make bench` runs it; ignored by `make test`, it loads 111,000 items): tables of
//! 1k, 10k and 100k claims of which 1,000 are due; the sweep's due query is counted on the
//! wire (requests, items returned). It must grow with the due claims, not the table. Writes
//! `bench/sweep.json`, which the benchmark report includes.

use crate::helpers::aws::{RoundTrips, config};
use crate::helpers::unique;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{Duration, TimeZone, Utc};
use cpor::aws::dynamo::{DynamoStore, keys};
use cpor::domain::ClaimId;
use cpor::ports::{DueWork, OutboxStore};
use serde_json::json;
use std::collections::HashMap;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "loads 111,000 items into moto; run by make bench"]
async fn the_sweep_reads_what_is_due_not_the_table() {
    let config = config().await;
    let counter = RoundTrips::default();
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&config)
            .interceptor(counter.clone())
            .build(),
    );
    let now = Utc
        .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .single()
        .expect("time");
    let due_count = 1_000;
    let mut results = serde_json::Map::new();
    for size in [1_000usize, 10_000, 100_000] {
        let store = DynamoStore::new(client.clone(), unique("sweep"));
        store.create_table().await.expect("table");
        // `size` claims; the first `due_count` have a deadline in the past, the rest none or
        // one in the future (half each), as a live table would.
        let mut batch = Vec::new();
        for i in 0..size {
            let id = ClaimId::generate();
            let mut item: HashMap<String, AttributeValue> = HashMap::from([
                ("pk".into(), s(keys::claim_pk(id))),
                ("sk".into(), s(keys::CLAIM_SK)),
                ("doc".into(), s("{}")),
            ]);
            let due = if i < due_count {
                Some(now - Duration::minutes(i as i64 + 1))
            } else if i % 2 == 0 {
                Some(now + Duration::days(3))
            } else {
                None
            };
            if let Some(at) = due {
                item.insert("duePk".into(), s(keys::due_pk(keys::due_shard(id))));
                item.insert(
                    "dueSk".into(),
                    s(format!("{}#C#{id}", at.format("%Y-%m-%dT%H:%M:%S%.9fZ"))),
                );
            }
            batch.push(
                WriteRequest::builder()
                    .put_request(
                        PutRequest::builder()
                            .set_item(Some(item))
                            .build()
                            .expect("put"),
                    )
                    .build(),
            );
            if batch.len() == 25 || i + 1 == size {
                client
                    .batch_write_item()
                    .request_items(store.table(), std::mem::take(&mut batch))
                    .send()
                    .await
                    .expect("batch write");
            }
        }
        counter.take();
        let work = store.due(now, 2_000).await.expect("due");
        let requests = counter.take();
        let due_found = work
            .iter()
            .filter(|w| matches!(w, DueWork::Deadline { .. }))
            .count();
        assert_eq!(due_found, due_count, "exactly the due claims");
        assert!(requests.iter().all(|r| r == "Query"), "{requests:?}");
        println!(
            "sweep cost | table {size:>6} | due {due_count} | items read {due_found} | requests {}",
            requests.len()
        );
        results.insert(
            size.to_string(),
            json!({"table_items": size, "due": due_count, "items_read": due_found, "requests": requests.len(), "scans": 0}),
        );
    }
    let sizes: Vec<u64> = results
        .values()
        .filter_map(|v| v["items_read"].as_u64())
        .collect();
    assert!(
        sizes.windows(2).all(|w| w[0] == w[1]),
        "items read do not grow with the table"
    );
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench/sweep.json");
    std::fs::create_dir_all(out.parent().expect("dir")).expect("bench/");
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json!({"by_table_size": results})).expect("json"),
    )
    .expect("write");
}
