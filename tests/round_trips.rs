//! What each domain operation costs in DynamoDB round trips, counted on the wire: reads are one
//! request, a state change is one read and one transaction, lists are one query per page and
//! the sweep's due query is one query per index partition — never a Scan. A change that adds a
//! round trip fails here.

use crate::helpers::aws::counted_db;
use cpor::aws::dynamo::DUE_SHARDS;
use cpor::delivery::Delivery;
use cpor::domain::listing::{ClaimList, ListOrder, Search};
use cpor::domain::*;
use cpor::outbox::{OutboxRef, STREAM_GRACE, entries_for};
use cpor::ports::*;
use cpor::testing::*;

/// Prints what each operation sent (the test output shows the figures).
fn print_table(label: &str, table: &[(&str, Vec<String>)]) {
    for (name, ops) in table {
        println!("{label} | {name:<50} | {} | {}", ops.len(), ops.join(" + "));
    }
}

const TX: &str = "dynamodb.TransactWriteItems";
const GET: &str = "dynamodb.GetItem";
const BATCH: &str = "dynamodb.BatchGetItem";
const EVENT: &str = "events.PutEvents";

/// Operations as the table lists them: sorted (side effects go out concurrently).
fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

/// The stream's delivery of entries with these side effects: each entry taken, its side
/// effect, each marked delivered.
fn delivered(effects: &[&'static str]) -> Vec<&'static str> {
    let mut out = effects.to_vec();
    for _ in effects {
        out.extend(["dynamodb.UpdateItem", "dynamodb.UpdateItem"]);
    }
    out
}

/// The row name of what the stream delivers after the operation `name`.
fn stream_of(name: &str) -> &'static str {
    match name {
        "review: start" => "  its outbox, from the stream (start)",
        "review: approve" => "  its outbox, from the stream (approve)",
        _ => "  its outbox, from the stream (activation)",
    }
}

/// What the operation called `name` sent.
fn ops_of(table: &[(&str, Vec<String>)], name: &str) -> Vec<String> {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, o)| o.clone())
        .unwrap_or_else(|| panic!("no operation {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_operation_costs_the_documented_round_trips() {
    let (db, trips) = counted_db().await;
    let store = &db.store;
    let now = monday();
    let mut table = Vec::new();

    // create: one transaction, no read
    let created = Claim::create(ClaimId::generate(), &admin(), &mws_input(), now).unwrap();
    let entries = entries_for(&created, now, "l");
    store
        .commit(Commit {
            prior: None,
            outcome: &created,
            outbox: &entries,
            idempotency: None,
        })
        .await
        .unwrap();
    table.push(("create claim", trips.take()));

    // a command: read, decide, one conditional transaction
    let mut claim = created.claim;
    for (name, cmd) in [
        ("add PoE", Command::AddPoe(poe(now))),
        ("comment", Command::Comment(text("hello"))),
    ] {
        let read = store.get(claim.id()).await.unwrap().unwrap();
        let outcome = read
            .handle(&admin(), cmd, now, &DeadlinePolicy::default())
            .unwrap();
        let entries = entries_for(&outcome, now, "l");
        store
            .commit(Commit {
                prior: Some(Revision::of(&read)),
                outcome: &outcome,
                outbox: &entries,
                idempotency: None,
            })
            .await
            .unwrap();
        claim = outcome.claim;
        table.push((name, trips.take()));
    }
    let read = store.get(claim.id()).await.unwrap().unwrap();
    let outcome = read
        .handle(&admin(), submit(&read), now, &DeadlinePolicy::default())
        .unwrap();
    let entries = entries_for(&outcome, now, "l");
    store
        .commit(Commit {
            prior: Some(Revision::of(&read)),
            outcome: &outcome,
            outbox: &entries,
            idempotency: None,
        })
        .await
        .unwrap();
    table.push((
        "submit (locks + outbox in the same transaction)",
        trips.take(),
    ));

    store.get(claim.id()).await.unwrap();
    table.push(("get claim", trips.take()));
    store.history(claim.id(), 0, 50).await.unwrap();
    table.push(("history page", trips.take()));
    let org = ClaimQuery::Organisation {
        partner: PartnerId::parse(ORG).unwrap(),
        status: None,
    };
    store
        .list(&org, &ListFilter::default(), 20, None)
        .await
        .unwrap();
    table.push(("list page", trips.take()));
    store.due(now, 100).await.unwrap();
    table.push(("sweep: find due work", trips.take()));

    print_table("round trips", &table);
    let ops = |name: &str| ops_of(&table, name);
    assert_eq!(ops("create claim"), ["TransactWriteItems"]);
    assert_eq!(ops("add PoE"), ["GetItem", "TransactWriteItems"]);
    assert_eq!(ops("comment"), ["GetItem", "TransactWriteItems"]);
    assert_eq!(
        ops("submit (locks + outbox in the same transaction)"),
        ["GetItem", "TransactWriteItems"]
    );
    assert_eq!(ops("get claim"), ["GetItem"]);
    assert_eq!(ops("history page"), ["Query"]);
    assert_eq!(ops("list page"), ["Query"]);
    assert_eq!(
        ops("sweep: find due work"),
        vec!["Query"; usize::from(DUE_SHARDS)]
    );
    assert!(table.iter().all(|(_, o)| !o.iter().any(|op| op == "Scan")));
}

/// An HTTP client that records the operation of every request any SDK client sends through
/// it (all services), then sends it on.
#[derive(Debug, Clone)]
struct Wire {
    inner: aws_smithy_runtime_api::client::http::SharedHttpClient,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    times: Times,
    pointers: Pointers,
}

type Pointers = std::sync::Arc<std::sync::atomic::AtomicUsize>;

type Times = std::sync::Arc<std::sync::Mutex<Vec<(std::time::Instant, std::time::Instant)>>>;

#[derive(Debug)]
struct WireConnector {
    inner: aws_smithy_runtime_api::client::http::SharedHttpConnector,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    times: Times,
    pointers: Pointers,
}

impl Wire {
    /// How many times the reference pointer was asked for since the last call, whatever the
    /// request (its key in a request's body).
    fn pointer_reads(&self) -> usize {
        self.pointers.swap(0, std::sync::atomic::Ordering::SeqCst)
    }

    /// What was sent since the last call, sorted (side effects go out concurrently).
    fn take(&self) -> Vec<String> {
        self.take_with_rounds().0
    }

    /// The same, with how many rounds of it ran one after another.
    fn take_with_rounds(&self) -> (Vec<String>, usize) {
        let mut ops = std::mem::take(&mut *self.log.lock().expect("not poisoned"));
        ops.sort();
        let times = std::mem::take(&mut *self.times.lock().expect("not poisoned"));
        (ops, sequential_rounds(times))
    }
}

impl aws_smithy_runtime_api::client::http::HttpClient for Wire {
    fn http_connector(
        &self,
        settings: &aws_smithy_runtime_api::client::http::HttpConnectorSettings,
        components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
    ) -> aws_smithy_runtime_api::client::http::SharedHttpConnector {
        aws_smithy_runtime_api::client::http::SharedHttpConnector::new(WireConnector {
            inner: self.inner.http_connector(settings, components),
            log: self.log.clone(),
            times: self.times.clone(),
            pointers: self.pointers.clone(),
        })
    }
}

impl aws_smithy_runtime_api::client::http::HttpConnector for WireConnector {
    fn call(
        &self,
        request: aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    ) -> aws_smithy_runtime_api::client::http::HttpConnectorFuture {
        let path = request
            .uri()
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
            .unwrap_or_default();
        let op = cpor::aws::operation_name(
            request.method(),
            &path,
            request.headers().get("x-amz-target"),
        );
        self.log.lock().expect("not poisoned").push(op);
        let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default());
        let pointer = format!(
            r#""{}":{{"S":"{}"}}"#,
            cpor::aws::dynamo::names::SK,
            cpor::aws::dynamo::keys::REFERENCE_CURRENT_SK
        );
        self.pointers.fetch_add(
            body.matches(&pointer).count(),
            std::sync::atomic::Ordering::SeqCst,
        );
        let (sent, times) = (std::time::Instant::now(), self.times.clone());
        let answer = self.inner.call(request);
        aws_smithy_runtime_api::client::http::HttpConnectorFuture::new(async move {
            let answer = answer.await;
            let answered = std::time::Instant::now();
            times.lock().expect("not poisoned").push((sent, answered));
            answer
        })
    }
}

type CountedApp = cpor::app::App<cpor::aws::wiring::Everything>;

/// The app with every adapter, on a freshly provisioned stack on moto, each request it sends
/// logged by the wire (and the stack's names and a plain config for what is not the app's).
async fn counted_app() -> (
    CountedApp,
    Wire,
    cpor_local::provision::Names,
    aws_config::SdkConfig,
) {
    let endpoint = crate::helpers::moto().endpoint.clone();
    let plain = crate::helpers::aws::config().await;
    let names = cpor_local::provision::Names::unique();
    cpor_local::provision::provision(&plain, &names)
        .await
        .expect("provisioned");
    let wire = Wire {
        inner: cpor::aws::http_client(),
        log: Default::default(),
        times: Default::default(),
        pointers: Default::default(),
    };
    let counted = cpor::aws::emulator_config_with(
        &endpoint,
        aws_smithy_runtime_api::client::http::SharedHttpClient::new(wire.clone()),
    )
    .await;
    let map = cpor_local::settings(&names, "http://127.0.0.1:9");
    let settings = cpor::settings::Settings(move |k: &str| map.get(k).cloned());
    let app: CountedApp = cpor::aws::wiring::everything(&counted, &settings).expect("wired");
    // the token keys are read from their secret at cold start, before any operation
    app.refresh_keys().await;
    assert!(
        wire.take()
            .contains(&"secretsmanager.GetSecretValue".to_owned()),
        "the keys come from Secrets Manager"
    );
    (app, wire, names, plain)
}

/// What deliver-outbox sends for the entries an operation committed: the stream announces
/// each as born, which is what the due index shows before the stream's grace runs out.
async fn delivered_by_stream(
    app: &CountedApp,
    wire: &Wire,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    let announced: Vec<OutboxRef> = app
        .store
        .due(at + STREAM_GRACE + chrono::Duration::seconds(1), 100)
        .await
        .expect("due entries")
        .into_iter()
        .filter_map(|w| match w {
            DueWork::Outbox(r) => Some(r),
            DueWork::Deadline { .. } | DueWork::EngagementDeadline { .. } => None,
        })
        .collect();
    wire.take();
    let outcomes = app.deliver_announced(&announced, at).await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Ok(Delivery::Delivered))),
        "{outcomes:?}"
    );
    wire.take()
}

/// Every AWS request each operation of the app sends — the state change and its side effects
/// together, all services counted on the wire — through a claim's life on moto: reads are one
/// request; a state change is one read and one transaction, then one request per side effect
/// and one write recording them all delivered (a single entry: an UpdateItem; several: one
/// TransactWriteItems); never a Scan. Adding a request to any of them fails here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_operation_sends_exactly_its_documented_aws_requests() {
    use cpor::ports::DeadlinePayload;

    let (app, wire, names, plain) = &counted_app().await;
    let now = chrono::Utc::now();
    let mut table: Vec<(&str, Vec<String>)> = Vec::new();
    let stream = |at: chrono::DateTime<chrono::Utc>| delivered_by_stream(app, wire, at);

    let created = app.create(&admin(), &mws_input(), None, now).await.unwrap();
    let id = created.claim.id();
    table.push(("create claim", wire.take()));
    table.push(("  its outbox, from the stream", stream(now).await));

    let request = PoeUploadRequest {
        file_name: Some("SoW signed.pdf".into()),
        content_type: Some("application/pdf".into()),
        size_bytes: Some(1024),
        // the SHA-256 of the 1024 bytes uploaded below
        sha256: Some("671d5459c6094abbf58b419bd79f3cb8598a1da697aa025ff82a98b4da8deb8b".into()),
    };
    let doc = app.declare_poe(&request, now).unwrap();
    app.presign_poe(id, &doc, now).await.unwrap();
    let add = doc.clone();
    app.execute(&admin(), id, None, None, None, now, move |_| {
        Ok(Command::AddPoe(add.clone()))
    })
    .await
    .unwrap();
    table.push(("presign PoE upload", wire.take()));
    table.push(("  its outbox, from the stream ", stream(now).await));

    // The partner's upload (through the presigned URL in production) is not the app's.
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(plain)
            .force_path_style(true)
            .build(),
    )
    .put_object()
    .bucket(&names.bucket)
    .key(UploadSpec::for_document(id, &doc).key)
    .content_type("application/pdf")
    .body(vec![b'%'; 1024].into())
    .send()
    .await
    .unwrap();

    app.submit(&admin(), id, acks(), None, None, now)
        .await
        .unwrap();
    table.push(("submit", wire.take()));
    table.push(("  its outbox, from the stream  ", stream(now).await));

    app.read(&admin(), id).await.unwrap();
    table.push(("get claim", wire.take()));
    app.history(&admin(), id, 0, 50).await.unwrap();
    table.push(("history page", wire.take()));
    let org = ClaimList {
        queries: vec![ClaimQuery::Organisation {
            partner: PartnerId::parse(ORG).unwrap(),
            status: None,
        }],
        order: ListOrder::Newest,
    };
    app.list(
        &org,
        &ListFilter::default(),
        &Search::default(),
        20,
        None,
        now,
    )
    .await
    .unwrap();
    table.push(("list page", wire.take()));

    for (name, cmd) in [
        ("review: start", Command::Review(ReviewDecision::Start)),
        ("review: approve", approve_cmd()),
    ] {
        // as review-decision runs it: an approval checks the PoE with S3 first
        if cmd.relies_on_poe() {
            app.execute_on_poe(&reviewer(), id, None, None, now, cmd)
                .await
                .unwrap();
        } else {
            app.execute(&reviewer(), id, None, None, None, now, move |_| {
                Ok(cmd.clone())
            })
            .await
            .unwrap();
        }
        table.push((name, wire.take()));
        table.push((stream_of(name), stream(now).await));
    }

    let claim = app.read(&admin(), id).await.unwrap();
    wire.take();
    let deadline = claim.deadline().cloned().expect("opt-out window");
    let payload = DeadlinePayload {
        claim_id: id,
        status: claim.status(),
        version: claim.version(),
    };
    let report = app.sweep_one(&payload, deadline.due_at).await;
    assert_eq!(report.deadlines_applied, 1, "{report:?}");
    table.push(("deadline: opt-out window ends (activation)", wire.take()));
    table.push((stream_of("activation"), stream(deadline.due_at).await));
    app.sweep_one(&payload, deadline.due_at).await;
    table.push(("the same deadline firing again", wire.take()));
    app.sweep_due(deadline.due_at, 100).await;
    table.push(("periodic sweep, nothing due", wire.take()));

    print_table("requests", &table);
    let ops = |name: &str| ops_of(&table, name);
    // An API operation reads and commits, nothing more: its side effects follow the answer.
    let expected: Vec<(&str, Vec<&str>)> = vec![
        ("create claim", vec![TX]),
        ("  its outbox, from the stream", delivered(&[EVENT])),
        ("presign PoE upload", vec![GET, TX]),
        ("  its outbox, from the stream ", delivered(&[EVENT])),
        // the GetObject hashes the upload: moto reports no checksum (locally only)
        ("submit", vec![GET, "s3.HeadObject", "s3.GetObject", TX]),
        (
            "  its outbox, from the stream  ",
            delivered(&[
                "s3.PutObjectTagging",
                "ses.SendEmail",
                EVENT,
                "scheduler.CreateSchedule",
            ]),
        ),
        ("get claim", vec![GET]),
        ("history page", vec!["dynamodb.Query"]),
        ("list page", vec!["dynamodb.Query"]),
        ("review: start", vec![GET, TX]),
        (
            stream_of("review: start"),
            delivered(&[
                EVENT,
                "scheduler.CreateSchedule",
                "scheduler.DeleteSchedule",
            ]),
        ),
        // the approval stands on the PoE: each object checked, then kept (tagged attached)
        (
            "review: approve",
            vec![GET, "s3.HeadObject", "s3.GetObject", TX],
        ),
        (
            stream_of("review: approve"),
            delivered(&[
                "s3.PutObjectTagging",
                EVENT,
                "scheduler.CreateSchedule",
                "scheduler.DeleteSchedule",
                "ses.SendEmail",
                "ses.SendEmail",
            ]),
        ),
        ("deadline: opt-out window ends (activation)", vec![GET, TX]),
        (
            stream_of("activation"),
            delivered(&[EVENT, "scheduler.DeleteSchedule", "ses.SendEmail"]),
        ),
        ("the same deadline firing again", vec![GET]),
        (
            "periodic sweep, nothing due",
            vec!["dynamodb.Query"; usize::from(DUE_SHARDS)],
        ),
    ];
    for (name, want) in &expected {
        assert_eq!(ops(name), sorted(want), "{name}");
    }
    assert!(
        table
            .iter()
            .all(|(_, o)| !o.iter().any(|op| op.ends_with(".Scan"))),
        "a Scan"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_start_opens_the_tables_connection_with_the_reference_pointers_get_item() {
    let (db, trips) = counted_db().await;
    trips.take();
    // WHEN a function warms its connection during init
    db.store.open_connection().await;
    // THEN it sent one GetItem (the reference pointer, absent here) and changed nothing
    assert_eq!(trips.take(), ["GetItem"]);
    let scan = db
        .client
        .scan()
        .table_name(db.store.table())
        .send()
        .await
        .expect("scan");
    assert_eq!(scan.count(), 0, "the table is still empty");

    // GIVEN a current reference dataset
    let data =
        cpor::domain::engagement::ReferenceData::parse(&crate::helpers::mci::dataset(vec![]))
            .expect("valid");
    let info = DatasetInfo {
        id: "d1".into(),
        source: "reference/d1.json".into(),
        sequencer: format!("{:032X}", 1),
        imported_at: chrono::Utc::now(),
    };
    db.store.import(&data, &info).await.expect("imported");
    let wanted = ReferenceKeys {
        engagements: vec![cpor::domain::engagement::EngagementId::parse("mw-usage").expect("id")],
        ..ReferenceKeys::default()
    };
    // WHEN a new process warms up, THEN its first reference read is one request: the
    // warm-up learnt the dataset, whose records are read with the pointer
    let warmed = cpor::aws::dynamo::DynamoStore::new(db.client.clone(), db.store.table());
    warmed.open_connection().await;
    trips.take();
    trips.take_rounds();
    assert_eq!(
        warmed
            .reference(&wanted)
            .await
            .expect("read")
            .engagements
            .len(),
        1
    );
    assert_eq!(trips.take(), ["BatchGetItem"]);
    assert_eq!(trips.take_rounds(), 1);
    // a process that did not (the pointer, then the records)
    let cold = cpor::aws::dynamo::DynamoStore::new(db.client.clone(), db.store.table());
    assert_eq!(
        cold.reference(&wanted)
            .await
            .expect("read")
            .engagements
            .len(),
        1
    );
    assert_eq!(trips.take(), ["GetItem", "GetItem"], "one key each");
    assert_eq!(trips.take_rounds(), 2);
}

/// What every request shares — the catalogue, engagements and partner locations — a warm
/// process reads once per dataset: later reads ask for the pointer and the customers' records
/// only (one BatchGetItem). A record the dataset lacks is known to be absent; a new dataset is read anew.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_process_reads_what_every_request_shares_once_per_dataset() {
    use crate::helpers::mci::{TENANT, dataset};
    use crate::helpers::stack::ORG_A;
    use cpor::domain::engagement::{
        CustomerIdentifier, EngagementId, IdentifierType, ReferenceData,
    };
    let (db, trips) = counted_db().await;
    let import = |id: &'static str, seq: u32, name: &'static str| {
        let db = &db;
        async move {
            let doc = String::from_utf8(dataset(vec![]))
                .expect("utf-8")
                .replace("Modern Work Usage", name);
            let data = ReferenceData::parse(doc.as_bytes()).expect("valid");
            let info = DatasetInfo {
                id: id.into(),
                source: format!("reference/{id}.json"),
                sequencer: format!("{seq:032X}"),
                imported_at: chrono::Utc::now(),
            };
            db.store.import(&data, &info).await.expect("imported");
        }
    };
    import("d1", 1, "First").await;
    let reader = cpor::aws::dynamo::DynamoStore::new(db.client.clone(), db.store.table());
    reader.open_connection().await;
    let customer = CustomerIdentifier::parse(IdentifierType::TenantId, TENANT).expect("id");
    let mw = EngagementId::parse("mw-usage").expect("id");
    let everything = ReferenceKeys {
        engagements: vec![mw.clone()],
        locations: vec![LocationId::parse(&format!("{ORG_A}001")).expect("id")],
        customers: vec![customer.clone()],
        catalogue: false,
    };
    let shared_only = ReferenceKeys {
        customers: vec![],
        ..everything.clone()
    };
    let missing_location = ReferenceKeys {
        locations: vec![LocationId::parse("9999999").expect("id")],
        ..ReferenceKeys::default()
    };
    let reader = &reader;
    let read = |keys| async move { reader.reference(keys).await.expect("read") };
    trips.take();

    // first reads: the pointer with the records / beside the catalogue
    let view = read(&everything).await;
    assert_eq!(
        (
            view.engagements.len(),
            view.locations.len(),
            view.customers.len()
        ),
        (1, 1, 1)
    );
    assert_eq!(trips.take(), ["BatchGetItem"]);
    assert_eq!(reader.catalogue().await.expect("read").len(), 2);
    assert_eq!(sorted_ops(trips.take()), ["GetItem", "Query"]);
    assert!(read(&missing_location).await.locations.is_empty());
    assert_eq!(trips.take(), ["BatchGetItem"]);

    // again: the shared records are known, found or not; the customer's is read
    let again = read(&everything).await;
    assert_eq!(again.engagements[0].name.as_str(), "First");
    assert_eq!(again.locations.len(), 1);
    assert_eq!(again.customers.len(), 1);
    assert_eq!(trips.take(), ["BatchGetItem"]);
    let shared = read(&shared_only).await;
    assert_eq!((shared.engagements.len(), shared.locations.len()), (1, 1));
    assert_eq!(trips.take(), ["GetItem"], "the pointer only");
    assert!(read(&missing_location).await.locations.is_empty());
    assert_eq!(
        trips.take(),
        ["GetItem"],
        "an absent record is known absent"
    );
    let catalogue = reader.catalogue().await.expect("read");
    assert_eq!(catalogue.len(), 2);
    assert_eq!(trips.take(), ["GetItem"], "the pointer only");

    // another process makes a new dataset current: nothing kept of the old one is used
    import("d2", 2, "Second").await;
    trips.take();
    let view = read(&shared_only).await;
    assert_eq!(view.engagements[0].name.as_str(), "Second");
    assert_eq!(
        sorted_ops(trips.take()),
        ["BatchGetItem", "GetItem"],
        "the pointer, then the new dataset's records"
    );
    let catalogue = reader.catalogue().await.expect("read");
    assert!(catalogue.iter().any(|e| e.name.as_str() == "Second"));
    assert_eq!(sorted_ops(trips.take()), ["GetItem", "Query"]);
    assert_eq!(
        read(&shared_only).await.engagements[0].name.as_str(),
        "Second"
    );
    assert_eq!(trips.take(), ["GetItem"]);

    // once the catalogue is read, every engagement is known, found or not
    import("d3", 3, "Third").await;
    reader.catalogue().await.expect("read");
    trips.take();
    let engagements = |ids: &[&str]| ReferenceKeys {
        engagements: ids
            .iter()
            .map(|id| EngagementId::parse(id).expect("id"))
            .collect(),
        ..ReferenceKeys::default()
    };
    let view = read(&engagements(&["mw-usage", "not-in-the-catalogue"])).await;
    assert_eq!(view.engagements.len(), 1);
    assert_eq!(view.engagements[0].name.as_str(), "Third");
    assert_eq!(trips.take(), ["GetItem"], "the pointer only");
}

fn sorted_ops(mut ops: Vec<String>) -> Vec<String> {
    ops.sort();
    ops
}

const REFERENCE_KEY: &str = "reference/round-trips.json";

/// The test dataset, for `ORG`'s locations, put where the importer reads it.
async fn put_reference(names: &cpor_local::provision::Names, plain: &aws_config::SdkConfig) {
    use crate::helpers::mci::dataset;
    use crate::helpers::stack::ORG_A;
    let document = String::from_utf8(dataset(vec![]))
        .expect("utf-8")
        .replace(ORG_A, ORG);
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(plain)
            .force_path_style(true)
            .build(),
    )
    .put_object()
    .bucket(&names.bucket)
    .key(REFERENCE_KEY)
    .body(document.into_bytes().into())
    .send()
    .await
    .expect("the reference document put");
}

/// An engagement request reads the reference pointer once, whatever it reads of the dataset
/// and in however many rounds: eligibility by domain (the domain's record, then its
/// tenant's), the catalogue, registration by domain. Eligibility by tenant on a warm process
/// is one round, its standing read on the kept catalogue — and read again when an import
/// brought another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engagement_request_reads_the_reference_pointer_once() {
    use crate::helpers::mci::{TENANT, registration};
    use cpor::app::EligibilityQuestion;
    use cpor::domain::engagement::{
        CustomerIdentifier, IdentifierType, IneligibleReason, RegistrationInput,
    };
    let (app, wire, names, plain) = &counted_app().await;
    let now = chrono::Utc::now();
    put_reference(names, plain).await;
    app.import_reference_object(REFERENCE_KEY, "0001", now)
        .await
        .unwrap();
    let question = EligibilityQuestion {
        customer: CustomerIdentifier::parse(IdentifierType::Domain, "contoso.com").unwrap(),
        location: LocationId::parse(LOCATION).unwrap(),
        customer_email: None,
    };
    for _ in 0..2 {
        wire.take_with_rounds();
        wire.pointer_reads();
        let answer = app.check_eligibility(&admin(), &question).await.unwrap();
        assert_eq!(
            answer.resolved_tenant_id.map(|t| t.to_string()).as_deref(),
            Some(TENANT)
        );
        assert_eq!(answer.engagements.len(), 2, "the catalogue's two");
        let (ops, rounds) = wire.take_with_rounds();
        assert_eq!(wire.pointer_reads(), 1, "eligibility: {ops:?}");
        assert_eq!(
            rounds, 2,
            "eligibility: the domain, then its tenant and standing"
        );
        let batches: Vec<&String> = ops.iter().filter(|op| *op != "dynamodb.Query").collect();
        assert_eq!(
            batches,
            [BATCH, BATCH],
            "each round's reads in one request (and the catalogue's Query, the first time)"
        );
    }
    // the customer named by its tenant: its standing on the kept catalogue beside the records
    let by_tenant = EligibilityQuestion {
        customer: CustomerIdentifier::parse(IdentifierType::TenantId, TENANT).unwrap(),
        ..question.clone()
    };
    let ask = |question: &EligibilityQuestion| {
        let question = question.clone();
        async move {
            wire.take_with_rounds();
            wire.pointer_reads();
            let answer = app.check_eligibility(&admin(), &question).await.unwrap();
            let (ops, rounds) = wire.take_with_rounds();
            assert_eq!(wire.pointer_reads(), 1, "eligibility: {ops:?}");
            (answer, ops, rounds)
        }
    };
    let by_domain = ask(&question).await.0;
    let (answer, ops, rounds) = ask(&by_tenant).await;
    assert_eq!(
        (ops, rounds),
        (vec![BATCH.to_owned()], 1),
        "eligibility by tenant"
    );
    assert_eq!(answer.engagements, by_domain.engagements);
    for _ in 0..2 {
        wire.take();
        assert_eq!(app.engagement_catalogue(&admin()).await.unwrap().len(), 2);
        wire.take();
        assert_eq!(wire.pointer_reads(), 1, "the catalogue");
    }
    assert_eq!(wire.take(), Vec::<String>::new());
    app.engagement_catalogue(&admin()).await.unwrap();
    assert_eq!(wire.take(), [GET], "a warm catalogue is the pointer only");
    wire.pointer_reads();
    let mut body = registration(ORG, "domain", "contoso.com", &["mw-usage"]);
    body["partnerLocationId"] = serde_json::json!(LOCATION);
    let input: RegistrationInput = serde_json::from_value(body).unwrap();
    let claims = app.register(&admin(), &input, None, now).await.unwrap();
    assert_eq!(claims[0].customer_key().value, TENANT);
    let (ops, rounds) = wire.take_with_rounds();
    assert_eq!(wire.pointer_reads(), 1, "registration: {ops:?}");
    assert_eq!(
        rounds, 3,
        "registration by domain: the domain, its tenant, the commit"
    );

    // the standing read beside the records counts the claim just registered
    let (answer, _, rounds) = ask(&by_tenant).await;
    assert_eq!(rounds, 1);
    let reasons = |answer: &cpor::app::EligibilityAnswer, id: &str| {
        let e = answer
            .engagements
            .iter()
            .find(|e| e.engagement_id.as_str() == id);
        e.map(|e| e.reasons.clone()).expect("assessed")
    };
    assert_eq!(reasons(&answer, "mw-usage"), [IneligibleReason::CapReached]);
    // another process makes a dataset with another catalogue current: the standing this one
    // reads on the catalogue it keeps is not used; the new catalogue's is read next
    let document = String::from_utf8(crate::helpers::mci::dataset(vec![]))
        .expect("utf-8")
        .replace(crate::helpers::stack::ORG_A, ORG)
        .replace("azure-migrate", "azure-migrate-2");
    let other = cpor::aws::dynamo::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(plain),
        names.table.clone(),
    );
    let info = DatasetInfo {
        id: "renamed".into(),
        source: "reference/renamed.json".into(),
        sequencer: format!("{:032X}", 2),
        imported_at: now,
    };
    let data = cpor::domain::engagement::ReferenceData::parse(document.as_bytes()).expect("valid");
    other.import(&data, &info).await.expect("imported");
    let (answer, _, rounds) = ask(&by_tenant).await;
    assert_eq!(
        rounds, 3,
        "the pointer beside the kept dataset's reads, the new dataset's, the standing on its catalogue"
    );
    let ids: Vec<&str> = answer
        .engagements
        .iter()
        .map(|e| e.engagement_id.as_str())
        .collect();
    assert_eq!(ids, ["azure-migrate-2", "mw-usage"]);
    assert_eq!(reasons(&answer, "mw-usage"), [IneligibleReason::CapReached]);
    let (again, _, rounds) = ask(&by_tenant).await;
    assert_eq!((again.engagements, rounds), (answer.engagements, 1));
}

/// The same for an MCI engagement claim's life: registering reads the reference data and the
/// customer's standing at once and commits once; every later change reads the claim and
/// commits once; the customer's acceptance also reads the customer's reference record (for
/// co-sell); what is due fires on one read and one commit, and a repeat reads only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_engagement_operation_sends_exactly_its_documented_aws_requests() {
    use crate::helpers::mci::{TENANT, registration};
    use cpor::domain::engagement::{ConsentRequestInput, RegistrationInput, ReviewInput};
    let (app, wire, names, plain) = &counted_app().await;
    let now = chrono::Utc::now();
    let mut table: Vec<(&str, Vec<String>)> = Vec::new();
    let stream = |at: chrono::DateTime<chrono::Utc>| delivered_by_stream(app, wire, at);

    // the reference data, dropped into the bucket as the importer's event says
    put_reference(names, plain).await;
    wire.take();
    app.import_reference_object(REFERENCE_KEY, "0001", now)
        .await
        .unwrap();
    table.push(("import reference data", wire.take()));

    // ORG's first location registers the tenant for mw-usage
    let mut body = registration(ORG, "tenant_id", TENANT, &["mw-usage"]);
    body["partnerLocationId"] = serde_json::json!(LOCATION);
    let input: RegistrationInput = serde_json::from_value(body).unwrap();
    let claims = app.register(&admin(), &input, None, now).await.unwrap();
    let id = claims[0].id();
    let (ops, rounds) = wire.take_with_rounds();
    table.push(("register", ops));
    // the records, the pointer and the standing in one request, then the transaction
    assert_eq!(rounds, 2, "register's sequential round trips");
    table.push(("  its outbox, from the stream", stream(now).await));

    app.read_engagement_claim(&admin(), id).await.unwrap();
    table.push(("get engagement claim", wire.take()));
    app.engagement_history(&admin(), id, 0, 50).await.unwrap();
    table.push(("engagement history page", wire.take()));

    let ask: ConsentRequestInput = serde_json::from_value(
        serde_json::json!({"estimatedDealSizeUsd": 20000, "disclaimerAccepted": true}),
    )
    .unwrap();
    let ask = ask.parse().unwrap();
    app.change_engagement_claim(&admin(), id, None, None, now, |c| {
        c.request_consent(&admin(), &ask, now)
    })
    .await
    .unwrap();
    table.push(("request consent", wire.take()));
    table.push(("  its outbox, from the stream ", stream(now).await));

    let keys = app.keys().expect("consent keys");
    let token = keys.consent_token_for(
        cpor::tokens::ConsentKind::Engagement,
        id,
        "ana@contoso.com",
        now + chrono::Duration::days(30),
    );
    app.engagement_consent_decide(&token, true, now)
        .await
        .unwrap();
    let (ops, rounds) = wire.take_with_rounds();
    table.push(("customer accepts", ops));
    assert_eq!(
        rounds, 3,
        "the claim, the record beside the pointer, the transaction"
    );
    table.push(("  its outbox, from the stream  ", stream(now).await));

    app.change_engagement_claim(&admin(), id, None, None, now, |c| {
        c.submit(&admin(), None, now)
    })
    .await
    .unwrap();
    table.push(("submit", wire.take()));
    table.push(("  its outbox, from the stream   ", stream(now).await));

    let approve = ReviewInput::Approve {
        comment: cpor::domain::values::LongText::parse("Evidence checked").unwrap(),
    };
    app.change_engagement_claim(&reviewer(), id, None, None, now, |c| {
        c.review(&reviewer(), &approve, now)
    })
    .await
    .unwrap();
    table.push(("review", wire.take()));
    table.push(("  its outbox, from the stream    ", stream(now).await));

    // a second claim left to its deadline: the schedule's firing, then the same again
    let late = app.register(&admin(), &input, None, now).await.unwrap()[0].clone();
    stream(now).await;
    let due = late.consent_due_at();
    assert_eq!(
        app.sweep_engagement(late.id(), due).await.deadlines_applied,
        1
    );
    table.push(("consent deadline fires", wire.take()));
    table.push(("  its outbox, from the stream     ", stream(due).await));
    assert_eq!(
        app.sweep_engagement(late.id(), due).await.deadlines_applied,
        0
    );
    table.push(("the same firing again", wire.take()));

    print_table("engagement requests", &table);
    let ops = |name: &str| ops_of(&table, name);
    const MAIL: &str = "ses.SendEmail";
    const CREATE: &str = "scheduler.CreateSchedule";
    const DELETE: &str = "scheduler.DeleteSchedule";
    let expected: Vec<(&str, Vec<&str>)> = vec![
        // the document, its items written in batches, the current pointer read and replaced
        (
            "import reference data",
            vec![
                "s3.GetObject",
                "dynamodb.BatchWriteItem",
                GET,
                "dynamodb.PutItem",
            ],
        ),
        // the current dataset's pointer and its records with the customer's standing (cap,
        // slot, partner's customer record) in one request; one transaction for every claim
        ("register", vec![BATCH, TX]),
        (
            "  its outbox, from the stream",
            delivered(&[EVENT, MAIL, CREATE]),
        ),
        ("get engagement claim", vec![GET]),
        // the claim sorts just before its history: one Query reads both
        ("engagement history page", vec!["dynamodb.Query"]),
        ("request consent", vec![GET, TX]),
        // the move's event, the referral's, the customer's email
        (
            "  its outbox, from the stream ",
            delivered(&[EVENT, EVENT, MAIL]),
        ),
        // the claim (read once, for the link and the decision) and the customer's reference
        // record (co-sell): the dataset's pointer and the record in one request
        ("customer accepts", vec![GET, BATCH, TX]),
        (
            "  its outbox, from the stream  ",
            delivered(&[EVENT, EVENT, MAIL, DELETE, CREATE]),
        ),
        ("submit", vec![GET, TX]),
        (
            "  its outbox, from the stream   ",
            delivered(&[EVENT, DELETE]),
        ),
        ("review", vec![GET, TX]),
        (
            "  its outbox, from the stream    ",
            delivered(&[EVENT, MAIL]),
        ),
        ("consent deadline fires", vec![GET, TX]),
        (
            "  its outbox, from the stream     ",
            delivered(&[EVENT, MAIL, DELETE]),
        ),
        ("the same firing again", vec![GET]),
    ];
    for (name, want) in &expected {
        assert_eq!(ops(name), sorted(want), "{name}");
    }
    assert!(
        table
            .iter()
            .all(|(_, o)| !o.iter().any(|op| op.ends_with(".Scan"))),
        "a Scan"
    );
}
