//! The outbox end to end on moto: entries written with the change, delivered from the stream
//! (duplicate, late and reordered records harmless), retried by the sweep after a failure or a
//! crash, never delivered twice; and the faults moto cannot make (SES throttling, DynamoDB
//! transaction conflicts, partial PutEvents failures) injected with aws-smithy-mocks.

use crate::helpers::aws::{Db, act, create, db, delivery, keys, links, save};
use crate::helpers::emails_to;
use crate::helpers::unique;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use chrono::Duration;
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::events::EventBridgePublisher;
use cpor::aws::ses::SesMailer;
use cpor::delivery::{Deliverer, DeliveryReport};
use cpor::domain::*;
use cpor::outbox::{OutboxEntry, OutboxRef, STREAM_GRACE};
use cpor::ports::*;
use cpor::testing::*;
use std::collections::BTreeSet;

/// A draft for a customer contact of its own (so this test's emails can be counted), with a
/// PoE, then submitted: returns the claim and the outbox entries of the submit only.
async fn submitted(db: &Db) -> (Claim, Vec<OutboxEntry>, String) {
    let customer = format!("{}@contoso.example", unique("ana"));
    let mut input = mws_input();
    if let Some(c) = input.customer_contact.as_mut() {
        c.email = Some(customer.clone());
    }
    if let Some(c) = input.customer.as_mut() {
        c.tenant_id = Some(uuid::Uuid::new_v4().to_string());
    }
    let now = monday();
    let draft = create(&db.store, &admin(), &input, now).await;
    let draft = act(&db.store, &draft, &admin(), Command::AddPoe(poe(now)), now)
        .await
        .expect("poe");
    let outcome = outcome_of(&draft, &admin(), submit(&draft), now);
    let entries = save(&db.store, Some(&draft), &outcome, now)
        .await
        .expect("submitted");
    (outcome.claim, entries, customer)
}

/// What the stream announces for `entries` (each as born), delivered as `deliver-outbox` does.
async fn from_stream<O, P, M, S, E>(
    deliverer: &Deliverer<O, P, M, S, E>,
    entries: &[OutboxEntry],
    lease: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> DeliveryReport
where
    O: OutboxStore,
    P: PoeStorage,
    M: Mailer,
    S: Schedules,
    E: EventPublisher,
{
    let announced: Vec<OutboxRef> = entries.iter().map(OutboxEntry::reference).collect();
    deliverer
        .deliver_announced(&announced, lease, now)
        .await
        .into_iter()
        .map(|outcome| outcome.expect("bookkeeping"))
        .collect()
}

/// The due outbox entries among `entries` at `at`.
async fn due_among(
    store: &DynamoStore,
    entries: &[OutboxEntry],
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<OutboxRef> {
    let ids: BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    store
        .due(at, 1000)
        .await
        .expect("due")
        .into_iter()
        .filter_map(|w| match w {
            DueWork::Outbox(r) if ids.contains(r.entry_id.as_str()) => Some(r),
            _ => None,
        })
        .collect()
}

fn throttled_ses() -> aws_sdk_sesv2::Client {
    use aws_sdk_sesv2::operation::send_email::SendEmailError;
    use aws_sdk_sesv2::types::error::TooManyRequestsException;
    let rule = mock!(aws_sdk_sesv2::Client::send_email).then_error(|| {
        SendEmailError::TooManyRequestsException(
            TooManyRequestsException::builder()
                .message("slow down")
                .build(),
        )
    });
    mock_client!(aws_sdk_sesv2, RuleMode::MatchAny, [&rule])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_commit_is_delivered_from_the_stream_once_whatever_its_records_do() {
    let db = db().await;
    let d = delivery(&db.config).await;
    let (claim, entries, customer) = submitted(&db).await;
    let deliverer = d.deliverer(&db.store);
    // WHEN the stream announces what was committed
    let report = from_stream(&deliverer, &entries, "stream-1", monday()).await;
    // THEN all three went out and none is left for the sweep
    assert_eq!(
        report,
        DeliveryReport {
            delivered: 4,
            failed: 0,
            skipped: 0,
            handed_off: 0
        }
    );
    let later = monday() + STREAM_GRACE + Duration::days(30);
    assert_eq!(due_among(&db.store, &entries, later).await, vec![]);
    // AND the records come again — duplicated, reversed, late, two invocations at once
    let mut again: Vec<OutboxEntry> = entries.iter().chain(&entries).cloned().collect();
    again.reverse();
    let (a, b) = tokio::join!(
        from_stream(&deliverer, &again, "stream-2", later),
        from_stream(&deliverer, &entries, "stream-3", later)
    );
    // THEN nothing more happens
    assert_eq!(a.delivered + b.delivered, 0);
    assert_eq!(a.skipped + b.skipped, 3 * entries.len() as u32);
    println!(
        "hardening | duplicate, reordered and late stream records | {} records for {} entries | 0 lost | 0 sent twice",
        3 * entries.len() + entries.len(),
        entries.len()
    );
    // the customer got one consent email whose link is a token for this claim
    let mails = emails_to(&customer);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let body = &mails[0].1;
    let link_start = body
        .find("https://api.cpor.example/consent/")
        .expect("consent link");
    let token: String = body[link_start + "https://api.cpor.example/consent/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let grant = keys()
        .verify_consent(&token, monday())
        .expect("valid token");
    assert_eq!(grant.claim, claim.id());
    // the review deadline is scheduled and the event is on the bus
    let spec = claim.pending_schedule().expect("deadline");
    d.scheduler
        .get_schedule()
        .name(&spec.name)
        .group_name(&d.group)
        .send()
        .await
        .expect("schedule exists");
    assert_eq!(
        d.drain_events().await,
        vec![format!("{}-v{}", claim.id(), claim.version())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_email_is_retried_by_the_sweep_and_sent_once() {
    let db = db().await;
    let d = delivery(&db.config).await;
    let (_, entries, customer) = submitted(&db).await;
    let now = monday();
    // GIVEN SES throttles the stream's delivery
    let failing = Deliverer {
        store: db.store.clone(),
        poe: d.poe(),
        mailer: SesMailer::new(throttled_ses(), &d.sender, None),
        schedules: d.schedules(),
        events: d.events(),
        keys: Some(cpor::tokens::LiveKeys::fixed(keys())),
        links: Some(links()),
        policy: Default::default(),
        language: Default::default(),
        reviewers_email: None,
    };
    let report = from_stream(&failing, &entries, "stream-1", now).await;
    assert_eq!(
        report,
        DeliveryReport {
            delivered: 3,
            failed: 1,
            skipped: 0,
            handed_off: 0
        }
    );
    assert!(emails_to(&customer).is_empty());
    // THEN the email is due again after its backoff (30 s), not at the end of the lease
    assert_eq!(
        due_among(&db.store, &entries, now + Duration::seconds(29)).await,
        vec![]
    );
    let retry_at = now + Duration::seconds(31);
    let due = due_among(&db.store, &entries, retry_at).await;
    assert_eq!(due.len(), 1);
    assert!(due[0].entry_id.starts_with("em-"));
    // WHEN the sweep runs with SES healthy, twice
    let sweep = d.deliverer(&db.store);
    let first = sweep
        .deliver_all_due(&due, "sweep-1", retry_at)
        .await
        .unwrap();
    assert_eq!(first.delivered, 1);
    let again = due_among(&db.store, &entries, retry_at + Duration::hours(1)).await;
    assert_eq!(again, vec![], "delivered entries leave the due index");
    // a sweep holding a stale reference does nothing
    let stale = sweep
        .deliver_all_due(&due, "sweep-2", retry_at)
        .await
        .unwrap();
    assert_eq!(
        stale,
        DeliveryReport {
            delivered: 0,
            failed: 0,
            skipped: 1,
            handed_off: 0
        }
    );
    // THEN exactly one email went out
    assert_eq!(emails_to(&customer).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_crash_two_sweeps_at_once_deliver_each_entry_exactly_once() {
    let db = db().await;
    let d = delivery(&db.config).await;
    // GIVEN the stream's delivery never came (its retries ran out): nothing delivered
    let (claim, entries, customer) = submitted(&db).await;
    let t = monday() + STREAM_GRACE + Duration::seconds(1);
    let due = due_among(&db.store, &entries, t).await;
    assert_eq!(due.len(), entries.len());
    let sweeper = || d.deliverer(&db.store);
    let (a, b) = (sweeper(), sweeper());
    // WHEN two sweeps run at the same moment over the same due entries
    let (ra, rb) = tokio::join!(
        a.deliver_all_due(&due, "sweep-a", t),
        b.deliver_all_due(&due, "sweep-b", t)
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    // THEN each entry was delivered by exactly one of them
    assert_eq!(ra.delivered + rb.delivered, entries.len() as u32);
    assert_eq!(ra.skipped + rb.skipped, entries.len() as u32);
    assert_eq!(ra.failed + rb.failed, 0);
    assert_eq!(emails_to(&customer).len(), 1);
    assert_eq!(
        d.drain_events().await,
        vec![format!("{}-v{}", claim.id(), claim.version())]
    );
    let listed = d
        .scheduler
        .list_schedules()
        .group_name(&d.group)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.schedules().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_entry_that_keeps_failing_is_parked_out_of_the_sweeps_way() {
    let db = db().await;
    let (_, entries, _) = submitted(&db).await;
    let entry = &entries[0];
    let t = monday() + STREAM_GRACE + Duration::seconds(1);
    let due = due_among(&db.store, std::slice::from_ref(entry), t).await;
    assert_eq!(due.len(), 1);
    let leased = db
        .store
        .lease(&due[0], "sweep", t + Duration::minutes(2))
        .await
        .unwrap();
    assert!(leased.is_some());
    // a second lease on the same sighting fails: the due time moved
    assert!(
        db.store
            .lease(&due[0], "other", t + Duration::minutes(2))
            .await
            .unwrap()
            .is_none()
    );
    // WHEN the entry is given up on
    let parked = db
        .store
        .retry_at(&due[0], "sweep", None, "gave up")
        .await
        .unwrap();
    assert!(parked);
    // THEN the sweep never sees it again
    assert_eq!(
        due_among(
            &db.store,
            std::slice::from_ref(entry),
            t + Duration::days(365)
        )
        .await,
        vec![]
    );
    // and someone without the lease cannot touch it
    assert!(!db.store.delivered(&due[0], "intruder", t).await.unwrap());
}

fn conflict() -> aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError {
    use aws_sdk_dynamodb::types::CancellationReason;
    use aws_sdk_dynamodb::types::error::TransactionCanceledException;
    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(
        TransactionCanceledException::builder()
            .message("Transaction cancelled")
            .cancellation_reasons(CancellationReason::builder().code("TransactionConflict").build())
            .cancellation_reasons(CancellationReason::builder().code("None").build())
            .build(),
    )
}

#[tokio::test]
async fn transaction_conflicts_are_retried_with_backoff_then_reported() {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput;
    let outcome = Claim::create(ClaimId::generate(), &admin(), &mws_input(), monday()).unwrap();
    let commit = Commit {
        prior: None,
        outcome: &outcome,
        outbox: &[],
        idempotency: None,
    };
    // GIVEN two conflicts, then success
    let tokens = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let seen = tokens.clone();
    let flaky = mock!(aws_sdk_dynamodb::Client::transact_write_items)
        .match_requests(move |r| {
            let token = r.client_request_token().unwrap_or_default().to_owned();
            seen.lock().unwrap().insert(token);
            true
        })
        .sequence()
        .error(conflict)
        .times(2)
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    let store = DynamoStore::new(
        mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&flaky]),
        "claims",
    );
    store
        .commit(commit)
        .await
        .expect("succeeds on the third try");
    assert_eq!(flaky.num_calls(), 3);
    // GIVEN conflicts that never stop
    let stuck = mock!(aws_sdk_dynamodb::Client::transact_write_items)
        .sequence()
        .error(conflict)
        .times(5)
        .build();
    let store = DynamoStore::new(
        mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&stuck]),
        "claims",
    );
    let err = store.commit(commit).await.unwrap_err();
    assert!(matches!(err, CommitError::Contention), "{err:?}");
    assert_eq!(stuck.num_calls(), 5);
}

#[tokio::test]
async fn throttled_transactions_are_retried() {
    use aws_sdk_dynamodb::operation::transact_write_items::{
        TransactWriteItemsError, TransactWriteItemsOutput,
    };
    use aws_sdk_dynamodb::types::error::ProvisionedThroughputExceededException;
    let outcome = Claim::create(ClaimId::generate(), &admin(), &mws_input(), monday()).unwrap();
    let throttled = mock!(aws_sdk_dynamodb::Client::transact_write_items)
        .sequence()
        .error(|| {
            TransactWriteItemsError::ProvisionedThroughputExceededException(
                ProvisionedThroughputExceededException::builder()
                    .message("slow")
                    .build(),
            )
        })
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    let store = DynamoStore::new(
        mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&throttled]),
        "claims",
    );
    store
        .commit(Commit {
            prior: None,
            outcome: &outcome,
            outbox: &[],
            idempotency: None,
        })
        .await
        .expect("retried");
    assert!(throttled.num_calls() >= 2);
}

#[tokio::test]
async fn a_partial_put_events_failure_resends_only_the_failed_entry() {
    use aws_sdk_eventbridge::operation::put_events::PutEventsOutput;
    use aws_sdk_eventbridge::types::PutEventsResultEntry;
    let now = monday();
    let created = Claim::create(ClaimId::generate(), &admin(), &mws_input(), now).unwrap();
    let commented = outcome_of(&created.claim, &admin(), Command::AddPoe(poe(now)), now);
    let domain_events: Vec<DomainEvent> = [created.events, commented.events].concat();
    let second_id = domain_events[1].id.clone();
    let events: Vec<cpor::ports::BusEvent> = domain_events
        .iter()
        .map(|e| cpor::ports::BusEvent::claim(e).expect("encoded"))
        .collect();
    // GIVEN PutEvents accepts the first entry and fails the second
    let partial = mock!(aws_sdk_eventbridge::Client::put_events)
        .match_requests(|r| r.entries().len() == 2)
        .then_output(|| {
            PutEventsOutput::builder()
                .failed_entry_count(1)
                .entries(PutEventsResultEntry::builder().event_id("ok-1").build())
                .entries(
                    PutEventsResultEntry::builder()
                        .error_code("InternalFailure")
                        .error_message("try again")
                        .build(),
                )
                .build()
        });
    let retry = mock!(aws_sdk_eventbridge::Client::put_events)
        .match_requests(move |r| {
            r.entries().len() == 1
                && r.entries()[0]
                    .detail()
                    .is_some_and(|d| d.contains(&second_id))
        })
        .then_output(|| {
            PutEventsOutput::builder()
                .failed_entry_count(0)
                .entries(PutEventsResultEntry::builder().event_id("ok-2").build())
                .build()
        });
    let client = mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&partial, &retry]);
    // WHEN both are published
    EventBridgePublisher::new(client, "bus")
        .publish(&events)
        .await
        .expect("published after one retry");
    // THEN the retry carried only the failed entry
    assert_eq!((partial.num_calls(), retry.num_calls()), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ses_scheduler_and_eventbridge_all_failing_after_the_change_deliver_once_later() {
    use aws_sdk_eventbridge::operation::put_events::PutEventsError;
    use aws_sdk_eventbridge::types::error::InternalException;
    use aws_sdk_scheduler::operation::create_schedule::CreateScheduleError;
    use aws_sdk_scheduler::types::error::ThrottlingException;
    let db = db().await;
    let d = delivery(&db.config).await;
    let (claim, entries, customer) = submitted(&db).await;
    let now = monday();
    // GIVEN every delivery service fails right after the state change
    let bus_down = mock!(aws_sdk_eventbridge::Client::put_events).then_error(|| {
        PutEventsError::InternalException(InternalException::builder().message("down").build())
    });
    let scheduler_down = mock!(aws_sdk_scheduler::Client::create_schedule).then_error(|| {
        CreateScheduleError::ThrottlingException(
            ThrottlingException::builder()
                .message("slow")
                .build()
                .expect("exception"),
        )
    });
    let failing = Deliverer {
        store: db.store.clone(),
        poe: d.poe(),
        mailer: SesMailer::new(throttled_ses(), &d.sender, None),
        schedules: cpor::aws::scheduler::EventBridgeSchedules::new(
            mock_client!(aws_sdk_scheduler, RuleMode::MatchAny, [&scheduler_down]),
            cpor::aws::scheduler::SchedulerSettings {
                group: d.group.clone(),
                target_arn: "arn:aws:lambda:us-east-1:123456789012:function:deadline-sweep".into(),
                role_arn: "arn:aws:iam::123456789012:role/r".into(),
                dead_letter_arn: None,
            },
        ),
        events: EventBridgePublisher::new(
            mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&bus_down]),
            &d.bus,
        ),
        keys: Some(cpor::tokens::LiveKeys::fixed(keys())),
        links: Some(links()),
        policy: Default::default(),
        language: Default::default(),
        reviewers_email: None,
    };
    let report = from_stream(&failing, &entries, "stream-1", now).await;
    assert_eq!(report.failed, 3, "{report:?}");
    // THEN the claim is as committed
    let stored = db.store.get(claim.id()).await.unwrap().unwrap();
    assert_eq!(stored, claim);
    // WHEN the sweep runs after the backoff, twice
    let later = now + Duration::seconds(31);
    let due = due_among(&db.store, &entries, later).await;
    assert_eq!(due.len(), 3);
    let sweep = d.deliverer(&db.store);
    let first = sweep.deliver_all_due(&due, "sweep-1", later).await.unwrap();
    assert_eq!(first.delivered, 3);
    let again = due_among(&db.store, &entries, later + Duration::hours(2)).await;
    assert!(again.is_empty());
    // THEN each side effect happened exactly once
    assert_eq!(emails_to(&customer).len(), 1);
    assert_eq!(
        d.drain_events().await,
        vec![format!("{}-v{}", claim.id(), claim.version())]
    );
    let listed = d
        .scheduler
        .list_schedules()
        .group_name(&d.group)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.schedules().len(), 1);
    println!("hardening | faults after the change | 3 services failed | 0 lost | 0 sent twice");
}

#[tokio::test]
async fn a_record_whose_entry_cannot_be_taken_is_handed_back_to_lambda_to_retry() {
    use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
    use aws_sdk_dynamodb::types::error::ResourceNotFoundException;
    use cpor::app::App;
    use cpor::aws::wiring::Wire;
    // GIVEN the table refuses the take (here: it is gone)
    let gone = mock!(aws_sdk_dynamodb::Client::update_item).then_error(|| {
        UpdateItemError::ResourceNotFoundException(
            ResourceNotFoundException::builder()
                .message("no such table")
                .build(),
        )
    });
    let store = DynamoStore::new(
        mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&gone]),
        "claims",
    );
    let app: App<Wire<DynamoStore, Unwired, Unwired, Unwired, Unwired>> = App {
        store: store.clone(),
        poe: Unwired,
        deliverer: Deliverer {
            store,
            poe: Unwired,
            mailer: Unwired,
            schedules: Unwired,
            events: Unwired,
            keys: None,
            links: None,
            policy: Default::default(),
            language: Default::default(),
            reviewers_email: None,
        },
        policy: Default::default(),
        poe_policy: PoePolicy::default(),
        language: Default::default(),
    };
    // WHEN deliver-outbox gets the sample record of a new entry
    let sample =
        std::fs::read_to_string("events/deliver-outbox/200-new-outbox-entry.json").expect("sample");
    let event: aws_lambda_events::event::dynamodb::Event =
        serde_json::from_str(&sample).expect("a stream event");
    let (response, report) = deliver_outbox::deliver(&app, &event, monday()).await;
    // THEN the record is named for Lambda to retry, nothing was sent, nothing was lost (the
    // entry stays due for the sweep)
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(failed, vec![Some("1100000000017454423101".to_owned())]);
    assert_eq!(report.retried, 1);
    assert_eq!(report.delivered + report.failed + report.skipped, 0);
}
