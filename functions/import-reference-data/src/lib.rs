//! Imports an MCI reference data document (SPEC §9: engagements, partner locations, customer
//! eligibility) dropped into the bucket under `reference/`. The bucket sends S3 "Object
//! Created" events to EventBridge; a rule on the default bus invokes this function
//! asynchronously (retries, then the dead-letter queue).
//!
//! A document is checked whole: a bad one is rejected with its reasons logged (by JSON path,
//! never the values) and nothing of it is used; it is not retried, since it will not get
//! better. A good one is written whole under its own ID (its SHA-256) and then made current,
//! unless a document the bucket received later already is (the event's `sequencer` orders
//! them): events arrive at least once and in any order, and each import is idempotent.

use chrono::Utc;
use cpor::app::{App, ReferenceImport, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::s3::S3PoeStorage;
use cpor::aws::wiring::Wire;
use cpor::ports::Unwired;
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;
use serde_json::Value;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, S3PoeStorage, Unwired, Unwired, Unwired>;

/// Where reference documents are dropped.
pub const PREFIX: &str = "reference/";

/// The object an event names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub key: String,
    pub sequencer: String,
}

/// Reads the EventBridge event. `Err` for an event that is not an S3 "Object Created" event
/// at all (a wiring mistake, worth the retries and the dead-letter queue).
pub fn parse(event: &Value) -> Result<Upload, String> {
    if event["source"] != "aws.s3" || event["detail-type"] != "Object Created" {
        return Err("expected an S3 Object Created event (source aws.s3)".into());
    }
    let object = &event["detail"]["object"];
    let key = object["key"]
        .as_str()
        .filter(|k| !k.is_empty())
        .ok_or("detail.object.key: expected the object's key")?;
    let sequencer = object["sequencer"]
        .as_str()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or("detail.object.sequencer: expected S3's hexadecimal sequencer")?;
    Ok(Upload {
        key: key.to_owned(),
        sequencer: sequencer.to_ascii_uppercase(),
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub key: String,
    pub result: ReferenceImport,
}

/// Imports the document an event names. `Err` only when it could not be done now (retry).
pub async fn import<W: Wiring>(app: &App<W>, event: &Value) -> Result<ImportReport, String> {
    let upload = parse(event)?;
    if !upload.key.starts_with(PREFIX) {
        // The rule filters on the prefix; anything else is not ours to read.
        return Ok(ImportReport {
            key: upload.key,
            result: ReferenceImport::NotReferenceData,
        });
    }
    match app
        .import_reference_object(&upload.key, &upload.sequencer, Utc::now())
        .await
    {
        Ok(result) => {
            match &result {
                ReferenceImport::Rejected { reasons } => tracing::warn!(
                    function = NAME,
                    key = %upload.key,
                    reasons = %reasons.join("; "),
                    "reference data rejected; nothing imported"
                ),
                other => {
                    tracing::info!(function = NAME, key = %upload.key, result = ?other, "reference data")
                }
            }
            Ok(ImportReport {
                key: upload.key,
                result,
            })
        }
        Err(e) => Err(e.chain()),
    }
}

pub async fn handle<W: Wiring>(
    app: &App<W>,
    event: LambdaEvent<Value>,
) -> Result<ImportReport, Error> {
    import(app, &event.payload).await.map_err(|e| {
        tracing::error!(function = NAME, error = %e, "reference data not imported");
        Error::from(e)
    })
}
