//! S3, SES v2, Scheduler and EventBridge adapters against moto: what each sends is read back
//! from the emulator (objects, sent mail, stored schedules, events delivered to a queue).

use crate::helpers::aws::config;
use crate::helpers::{http, moto_data, unique};
use base64::Engine as _;
use chrono::{TimeZone, Utc};
use cpor::aws::events::EventBridgePublisher;
use cpor::aws::s3::S3PoeStorage;
use cpor::aws::scheduler::{EventBridgeSchedules, SchedulerSettings};
use cpor::aws::ses::SesMailer;
use cpor::domain::*;
use cpor::mail::{Links, render};
use cpor::outbox::EmailContext;
use cpor::ports::BusEvent;
use cpor::ports::*;
use cpor::testing::*;
use sha2::{Digest, Sha256};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn query_param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    url.split_once('?')?
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

async fn bucket() -> S3PoeStorage {
    let config = config().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let name = unique("poe");
    s3.create_bucket()
        .bucket(&name)
        .send()
        .await
        .expect("bucket");
    // moto reports no stored checksum: the adapter hashes the bytes, as the local stack does
    S3PoeStorage::new(s3, name).hashing_unreported_checksums()
}

/// Bytes of the given length that are not the declared content.
fn other_len_bytes(len: usize) -> Vec<u8> {
    vec![b'x'; len]
}

fn spec_for(bytes: &[u8], content_type: &str) -> UploadSpec {
    let claim = ClaimId::generate();
    let doc = PoeDocument::declare(
        PoeId::generate(),
        &PoeUploadRequest {
            file_name: Some("signed sow.pdf".into()),
            content_type: Some(content_type.into()),
            size_bytes: Some(bytes.len() as u64),
            sha256: Some(hex(&Sha256::digest(bytes))),
        },
        &PoePolicy::default(),
        monday(),
    )
    .expect("valid declaration");
    UploadSpec::for_document(claim, &doc)
}

use cpor::domain::values::hex;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_presigned_upload_binds_key_type_length_and_checksum_and_expires_soon() {
    let storage = bucket().await;
    let bytes = b"%PDF-1.7 proof of execution";
    let spec = spec_for(bytes, "application/pdf");
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    // WHEN an upload URL is presigned
    let req = storage.presign_upload(&spec, now).await.expect("presigned");
    // THEN it is a PUT to the generated key, signing the headers that pin the upload
    assert_eq!(req.method, "PUT");
    assert!(req.url.contains(&spec.key), "{}", req.url);
    assert!(spec.key.starts_with("claims/") && !spec.key.contains("sow"));
    let signed = query_param(&req.url, "X-Amz-SignedHeaders").expect("signed headers");
    let signed: Vec<&str> = signed.split("%3B").collect();
    for h in [
        "content-length",
        "content-type",
        "host",
        "x-amz-checksum-sha256",
    ] {
        assert!(signed.contains(&h), "{h} not signed: {signed:?}");
    }
    assert_eq!(query_param(&req.url, "X-Amz-Expires"), Some("300"));
    assert_eq!(
        query_param(&req.url, "X-Amz-Date"),
        Some("20261123T090000Z")
    );
    assert_eq!(req.expires_at, now + chrono::Duration::minutes(5));
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(
        header("x-amz-tagging").as_deref(),
        Some("cpor-upload=pending")
    );
    assert_eq!(header("content-length"), Some(bytes.len().to_string()));
    assert_eq!(
        header("x-amz-checksum-sha256"),
        Some(b64(&Sha256::digest(bytes)))
    );
    // WHEN the client uploads with exactly those headers
    let (status, _) = http("PUT", &req.url, &req.headers, bytes);
    assert_eq!(status, 200);
    // THEN HeadObject verifies it
    let meta = storage.head(&spec.key).await.expect("head");
    assert_eq!(ObjectMeta::verify(meta.as_ref(), &spec), Ok(()));
    // and a presigned download returns it, as an attachment
    let get = storage
        .presign_download(&spec.key, "signed sow.pdf", now)
        .await
        .expect("download url");
    assert!(get.url.contains("response-content-disposition=attachment"));
    let (status, body) = http("GET", &get.url, &[], b"");
    assert_eq!((status, body.as_slice()), (200, bytes.as_slice()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_object_catches_missing_and_mismatched_uploads() {
    let storage = bucket().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config().await)
            .force_path_style(true)
            .build(),
    );
    let declared = b"declared content";
    // GIVEN nothing uploaded THEN missing
    let spec = spec_for(declared, "application/pdf");
    let meta = storage.head(&spec.key).await.unwrap();
    assert_eq!(
        ObjectMeta::verify(meta.as_ref(), &spec),
        Err(PoeMismatch::Missing)
    );
    // GIVEN a different size (moto does not check the signature, so a rogue upload lands)
    s3.put_object()
        .bucket(storage.bucket())
        .key(&spec.key)
        .content_type("application/pdf")
        .body(b"other".to_vec().into())
        .send()
        .await
        .unwrap();
    let meta = storage.head(&spec.key).await.unwrap();
    assert!(matches!(
        ObjectMeta::verify(meta.as_ref(), &spec),
        Err(PoeMismatch::Size {
            declared: 16,
            stored: 5
        })
    ));
    // GIVEN the right size but another type
    s3.put_object()
        .bucket(storage.bucket())
        .key(&spec.key)
        .content_type("text/html")
        .body(declared.to_vec().into())
        .send()
        .await
        .unwrap();
    let meta = storage.head(&spec.key).await.unwrap();
    assert!(matches!(
        ObjectMeta::verify(meta.as_ref(), &spec),
        Err(PoeMismatch::ContentType { .. })
    ));
    // GIVEN the right size and type but other bytes: S3 verifies the signed checksum header
    // at upload and reports the stored checksum on HeadObject (ChecksumMode=ENABLED); moto
    // 5.2.5 reports none (checked with boto3 too), so the comparison is shown on S3's answer
    let other = b"tampered content";
    let reported = ObjectMeta {
        size_bytes: declared.len() as u64,
        content_type: Some("application/pdf".into()),
        sha256_b64: Some(b64(&Sha256::digest(other))),
    };
    assert_eq!(
        ObjectMeta::verify(Some(&reported), &spec),
        Err(PoeMismatch::Checksum)
    );
    let honest = ObjectMeta {
        sha256_b64: Some(spec.sha256_b64.clone()),
        ..reported.clone()
    };
    assert_eq!(ObjectMeta::verify(Some(&honest), &spec), Ok(()));
    // an object without a checksum did not come through our URL: a mismatch, not a pass
    let unchecked = ObjectMeta {
        sha256_b64: None,
        ..reported
    };
    assert_eq!(
        ObjectMeta::verify(Some(&unchecked), &spec),
        Err(PoeMismatch::Checksum)
    );
    // and on the emulator the adapter hashes what is stored: other bytes are caught
    s3.put_object()
        .bucket(storage.bucket())
        .key(&spec.key)
        .content_type("application/pdf")
        .body(other_len_bytes(declared.len()).into())
        .send()
        .await
        .unwrap();
    let meta = storage.head(&spec.key).await.unwrap();
    assert_eq!(
        ObjectMeta::verify(meta.as_ref(), &spec),
        Err(PoeMismatch::Checksum)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_go_out_through_ses_to_the_right_recipient_with_escaped_content() {
    let config = config().await;
    let ses = aws_sdk_sesv2::Client::new(&config);
    let sender = format!("{}@cpor.example", unique("no-reply"));
    ses.create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .unwrap();
    let set = unique("cpor");
    ses.create_configuration_set()
        .configuration_set_name(&set)
        .send()
        .await
        .unwrap();
    let mailer = SesMailer::new(ses, &sender, Some(set));
    // GIVEN an action-required notification whose claim name and comment carry markup
    let to = format!("{}@fabrikam.example", unique("luis"));
    let n = Notification {
        id: "n-1".into(),
        claim_id: ClaimId::generate(),
        to: cpor::domain::Recipient::Contact(EmailAddress::parse(&to).unwrap()),
        kind: NotificationKind::PartnerActionRequired {
            reasons: vec![Reason::MissingOrOldDates],
            comment: text("<script>steal()</script>"),
            respond_by: monday(),
        },
    };
    let ctx = EmailContext {
        claim_name: "<b>Contoso</b>".into(),
        partner_id: ORG.into(),
        partner_name: "Fabrikam Ltd".into(),
        partner_contact_name: "Luis".into(),
        partner_contact_email: to.clone(),
        customer_tenant: TENANT.into(),
        customer_domain: None,
        customer_contact_name: "Ana".into(),
        products: vec![cpor::outbox::ProductLine {
            name: "Microsoft Teams".into(),
            subscription_id: None,
        }],
        customer_language: None,
        partner_language: None,
        status: Status::PartnerActionRequired,
        submitted_at: Some(monday()),
    };
    let email = render(
        &n,
        &to,
        &ctx,
        &Links {
            consent_url: None,
            claim_url: "https://portal.example/c/1".into(),
        },
        &cpor::domain::DeadlinePolicy::default(),
        cpor::domain::Language::En,
    );
    // WHEN it is sent
    let id = mailer.send(&email).await.expect("sent");
    assert!(!id.is_empty());
    // THEN moto holds it, from our sender to that recipient, with the markup escaped
    let data = moto_data();
    let sent: Vec<&serde_json::Value> = data["ses"]["Message"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["destinations"]["ToAddresses"][0] == to.as_str())
        .collect();
    assert_eq!(sent.len(), 1);
    let m = sent[0];
    assert_eq!(m["source"], sender.as_str());
    assert_eq!(m["subject"], "Action required: <b>Contoso</b>");
    let body = m["body"].as_str().unwrap();
    assert!(
        body.contains("&lt;script&gt;steal()&lt;/script&gt;"),
        "{body}"
    );
    assert!(!body.contains("<script>") && !body.contains("<b>Contoso"));
    assert!(body.contains("https://portal.example/c/1"));
}

fn scheduler_settings(group: &str) -> SchedulerSettings {
    SchedulerSettings {
        group: group.into(),
        target_arn: "arn:aws:lambda:us-east-1:123456789012:function:deadline-sweep".into(),
        role_arn: "arn:aws:iam::123456789012:role/cpor-scheduler".into(),
        dead_letter_arn: Some("arn:aws:sqs:us-east-1:123456789012:cpor-scheduler-dlq".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_schedules_are_created_and_deleted_idempotently_with_their_payload() {
    let config = config().await;
    let client = aws_sdk_scheduler::Client::new(&config);
    let group = unique("cpor");
    client
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .unwrap();
    let schedules = EventBridgeSchedules::new(client.clone(), scheduler_settings(&group));
    // GIVEN the schedule a submitted claim needs
    let (claim, _) = claim_in(Status::Submitted);
    let spec = claim.pending_schedule().expect("review-start deadline");
    // WHEN it is created twice (a retried delivery)
    schedules.create(&spec).await.expect("created");
    schedules.create(&spec).await.expect("conflict is success");
    // THEN one schedule exists, named for (claim, status, generation), firing at the deadline
    // with the payload the sweep expects
    let got = client
        .get_schedule()
        .name(&spec.name)
        .group_name(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(got.name(), Some(spec.name.as_str()));
    assert_eq!(
        spec.name,
        format!(
            "cpor-{}-sub-{}",
            claim.id().as_uuid().simple(),
            claim.version()
        )
    );
    assert_eq!(
        got.schedule_expression(),
        Some(cpor::aws::scheduler::at_expression(spec.due_at).as_str())
    );
    let target = got.target().expect("target");
    assert!(target.arn().ends_with("function:deadline-sweep"));
    let payload: serde_json::Value = serde_json::from_str(target.input().unwrap()).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({
            "claimId": claim.id().to_string(),
            "status": "submitted",
            "version": claim.version(),
            "time": "<aws.scheduler.scheduled-time>"
        })
    );
    let listed = client
        .list_schedules()
        .group_name(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.schedules().len(), 1);
    // WHEN it is deleted twice THEN it is gone and the second delete is success
    schedules.delete(&spec.name).await.expect("deleted");
    schedules
        .delete(&spec.name)
        .await
        .expect("not found is success");
    assert!(
        client
            .get_schedule()
            .name(&spec.name)
            .group_name(&group)
            .send()
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_a_queue_through_a_bus_rule_with_id_and_sequence() {
    let config = config().await;
    let eb = aws_sdk_eventbridge::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    // GIVEN a bus with a rule sending cpor events to a queue
    let bus = unique("cpor-bus");
    eb.create_event_bus().name(&bus).send().await.unwrap();
    let queue = sqs
        .create_queue()
        .queue_name(unique("events"))
        .send()
        .await
        .unwrap();
    let queue_url = queue.queue_url().unwrap().to_owned();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let queue_arn = attrs
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
        .unwrap()
        .clone();
    eb.put_rule()
        .name("all-claims")
        .event_bus_name(&bus)
        .event_pattern(r#"{"source":["cpor.claims"]}"#)
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule("all-claims")
        .event_bus_name(&bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("q")
                .arn(&queue_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // WHEN a claim's create and submit events are published
    let now = monday();
    let created = Claim::create(ClaimId::generate(), &admin(), &mws_input(), now).unwrap();
    let with_poe = outcome_of(&created.claim, &admin(), Command::AddPoe(poe(now)), now);
    let submitted = outcome_of(&with_poe.claim, &admin(), submit(&with_poe.claim), now);
    let events: Vec<DomainEvent> = [&created, &with_poe, &submitted]
        .iter()
        .flat_map(|o| o.events.clone())
        .collect();
    let bus_events: Vec<BusEvent> = events
        .iter()
        .map(|e| BusEvent::claim(e).expect("encoded"))
        .collect();
    EventBridgePublisher::new(eb, &bus)
        .publish(&bus_events)
        .await
        .expect("published");
    // THEN the queue receives each, with its stable ID and consecutive sequence numbers
    let mut received = Vec::new();
    for _ in 0..10 {
        let out = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        for m in out.messages() {
            let envelope: serde_json::Value = serde_json::from_str(m.body().unwrap()).unwrap();
            assert_eq!(envelope["source"], "cpor.claims");
            received.push((
                envelope["detail"]["id"].as_str().unwrap().to_owned(),
                envelope["detail"]["sequence"].as_u64().unwrap(),
                envelope["detail-type"].as_str().unwrap().to_owned(),
            ));
        }
        if received.len() >= 3 {
            break;
        }
    }
    received.sort_by_key(|r| r.1);
    let expected: Vec<_> = events
        .iter()
        .map(|e| (e.id.clone(), e.sequence, e.detail_type.clone()))
        .collect();
    assert_eq!(received, expected);
    assert_eq!(
        received.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(received[2].2, "ClaimSubmitted");
}

/// S3 answers HeadObject on a missing key with 404 only to callers that may list the bucket
/// (the template grants it on `claims/*`); without it the answer is 403. 404 means "not
/// uploaded"; 403 is a real failure (a missing permission), never read as "missing".
#[tokio::test]
async fn head_object_reads_404_as_not_uploaded_and_403_as_a_failure() {
    use aws_sdk_s3::operation::head_object::HeadObjectError;
    use aws_sdk_s3::types::error::NotFound;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use aws_smithy_types::body::SdkBody;
    use cpor::ports::PoeStorage;
    let missing = mock!(aws_sdk_s3::Client::head_object)
        .then_error(|| HeadObjectError::NotFound(NotFound::builder().build()));
    let s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&missing]);
    let storage = cpor::aws::s3::S3PoeStorage::new(s3, "poe");
    assert_eq!(
        storage.head("claims/x/poe/y").await.expect("answered"),
        None
    );
    let forbidden = mock!(aws_sdk_s3::Client::head_object).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(403).expect("status"),
            SdkBody::empty(),
        )
    });
    let s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&forbidden]);
    let storage = cpor::aws::s3::S3PoeStorage::new(s3, "poe");
    let err = storage
        .head("claims/x/poe/y")
        .await
        .expect_err("403 is not 'missing'");
    assert!(err.to_string().contains("head object"), "{err}");
}
