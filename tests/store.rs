//! The DynamoDB store against moto: transactions, optimistic concurrency, the
//! one-partner-per-workload locks, pagination, the sparse due index and idempotency records.

use crate::helpers::aws::{act, create, db, partition_items, save};
use chrono::Duration;
use cpor::domain::*;
use cpor::outbox::STREAM_GRACE;
use cpor::ports::*;
use cpor::testing::*;
use cpor::tokens::KeyRing;
use std::collections::BTreeSet;

fn tenant(n: u32) -> String {
    format!("3fa85f64-5717-4562-b3fc-{n:012}")
}

fn mws_for(tenant_id: &str) -> ClaimInput {
    let mut input = mws_input();
    if let Some(c) = input.customer.as_mut() {
        c.tenant_id = Some(tenant_id.to_owned());
    }
    input
}

/// A draft with one PoE, stored, ready to submit.
async fn draft_with_poe(
    store: &cpor::aws::dynamo::DynamoStore,
    actor: &Actor,
    input: &ClaimInput,
) -> Claim {
    let now = monday();
    let claim = create(store, actor, input, now).await;
    act(store, &claim, actor, Command::AddPoe(poe(now)), now)
        .await
        .expect("poe added")
}

async fn lock_holder(db: &crate::helpers::aws::Db, key: &LockKey) -> Option<String> {
    let out = db
        .client
        .get_item()
        .table_name(db.store.table())
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("LOCK#{}", key.storage_key())),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("LOCK".into()),
        )
        .consistent_read(true)
        .send()
        .await
        .expect("get lock");
    out.item()
        .and_then(|i| i.get("claimId"))
        .and_then(|v| v.as_s().ok())
        .cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_committed_claim_reads_back_with_its_history_and_outbox() {
    // GIVEN a stored draft WHEN it gets a PoE and is submitted
    let db = db().await;
    let claim = draft_with_poe(&db.store, &admin(), &mws_input()).await;
    let now = monday();
    let submitted = act(&db.store, &claim, &admin(), submit(&claim), now)
        .await
        .expect("submitted");
    // THEN the claim reads back equal, with every history entry in order
    let read = db
        .store
        .get(claim.id())
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(read, submitted);
    let history = db.store.history(claim.id(), 0, 100).await.expect("history");
    let seqs: Vec<u64> = history.items.iter().map(|h| h.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert_eq!(history.items[2].action, Action::Submit);
    assert!(history.next.is_none());
    // and history pages continue where they stopped
    let first = db.store.history(claim.id(), 0, 2).await.expect("page 1");
    assert_eq!(first.items.len(), 2);
    let rest = db.store.history(claim.id(), 2, 2).await.expect("page 2");
    assert_eq!(
        rest.items.iter().map(|h| h.seq).collect::<Vec<_>>(),
        vec![3]
    );
    // and an unknown claim is None, not an error
    assert!(
        db.store
            .get(ClaimId::generate())
            .await
            .expect("get")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_read_with_its_history_pages_has_the_pages_read_alone() {
    // GIVEN a submitted claim: three history entries, its undelivered outbox entries beside
    // them in the claim's partition
    let db = db().await;
    let claim = draft_with_poe(&db.store, &admin(), &mws_input()).await;
    let submitted = act(&db.store, &claim, &admin(), submit(&claim), monday())
        .await
        .expect("submitted");
    let partition = partition_items(&db, &format!("CLAIM#{}", claim.id())).await;
    let outbox = partition
        .iter()
        .filter(|i| i["sk"].as_s().is_ok_and(|sk| sk.starts_with("O#")))
        .count();
    assert!(outbox > 0, "the partition holds outbox entries");
    // WHEN it is read with each page of its history, from the start and from the middle
    for (after, limit) in [(0, 100), (0, 3), (0, 2), (0, 1), (1, 1), (2, 2), (3, 2)] {
        let (read, page) = db
            .store
            .with_history(claim.id(), after, limit)
            .await
            .expect("read");
        // THEN the claim is the one stored and the page the one `history` reads alone:
        // the same entries, no outbox entry, the same "more"
        assert_eq!(
            read.as_ref(),
            Some(&submitted),
            "after {after}, limit {limit}"
        );
        let alone = db
            .store
            .history(claim.id(), after, limit)
            .await
            .expect("history");
        assert_eq!(page, alone, "after {after}, limit {limit}");
    }
    // and an unknown claim is None with an empty page
    let (none, page) = db
        .store
        .with_history(ClaimId::generate(), 0, 10)
        .await
        .expect("read");
    assert!(none.is_none());
    assert!(page.items.is_empty() && page.next.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_writer_gets_a_typed_conflict_and_writes_nothing() {
    let db = db().await;
    let now = monday();
    let claim = create(&db.store, &admin(), &mws_input(), now).await;
    // GIVEN one writer has moved the claim on
    let first = claim
        .handle(
            &admin(),
            Command::Comment(text("first")),
            now,
            &DeadlinePolicy::default(),
        )
        .expect("ok");
    crate::helpers::aws::save(&db.store, Some(&claim), &first, now)
        .await
        .expect("first writer wins");
    // WHEN a second writer commits a change computed from the same read
    let second = claim
        .handle(&admin(), Command::Cancel, now, &DeadlinePolicy::default())
        .expect("ok");
    let err = save(&db.store, Some(&claim), &second, now)
        .await
        .unwrap_err();
    // THEN it is told the claim is stale, and its change left no trace
    assert!(
        matches!(
            err,
            CommitError::Stale {
                expected: 1,
                found: Some(1)
            }
        ),
        "{err:?}"
    );
    let read = db.store.get(claim.id()).await.unwrap().unwrap();
    assert_eq!(read.status(), Status::Draft);
    assert_eq!(read.history_seq(), 2, "only the first writer's comment");
    // and creating the same claim twice is refused
    let again = Claim::create(claim.id(), &admin(), &mws_input(), now).unwrap();
    let err = save(&db.store, None, &again, now).await.unwrap_err();
    assert!(matches!(err, CommitError::AlreadyExists), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_partners_submitting_the_same_workload_at_once_exactly_one_wins() {
    let db = db().await;
    let a = partner_in("1111111", &[PartnerRole::IncentivesAdmin]);
    let b = partner_in("2222222", &[PartnerRole::IncentivesAdmin]);
    let rounds = 25;
    let mut wins = [0u32; 2];
    for round in 0..rounds {
        // GIVEN two partners' drafts for the same customer workloads
        let input = mws_for(&tenant(round));
        let ca = draft_with_poe(&db.store, &a, &input).await;
        let cb = draft_with_poe(&db.store, &b, &input).await;
        // WHEN both submit at the same instant
        let (ra, rb) = tokio::join!(
            act(&db.store, &ca, &a, submit(&ca), monday()),
            act(&db.store, &cb, &b, submit(&cb), monday()),
        );
        // THEN exactly one holds every workload, and the other was told which are taken
        let (winner, loser_err) = match (ra, rb) {
            (Ok(w), Err(e)) => {
                wins[0] += 1;
                (w, e)
            }
            (Err(e), Ok(w)) => {
                wins[1] += 1;
                (w, e)
            }
            (ra, rb) => panic!("round {round}: expected one winner, got {ra:?} / {rb:?}"),
        };
        let keys = cpor::domain::locks::lock_keys(winner.content());
        match &loser_err {
            CommitError::WorkloadTaken { keys: taken } => {
                assert!(!taken.is_empty());
                assert!(taken.iter().all(|k| keys.contains(k)));
                let msg = loser_err.to_string();
                assert!(
                    msg.contains("already associated with another partner"),
                    "{msg}"
                );
                assert!(
                    !msg.contains("1111111") && !msg.contains("2222222"),
                    "{msg}"
                );
            }
            other => panic!("round {round}: loser got {other:?}"),
        }
        for key in &keys {
            assert_eq!(
                lock_holder(&db, key).await.as_deref(),
                Some(winner.id().to_string().as_str()),
                "round {round}: {key} held by the winner, no orphan"
            );
        }
        let loser = if winner.id() == ca.id() { &cb } else { &ca };
        let stored = db.store.get(loser.id()).await.unwrap().unwrap();
        assert_eq!(
            stored.status(),
            Status::Draft,
            "the loser's submit left no trace"
        );
    }
    assert_eq!(wins[0] + wins[1], rounds);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rejecting_releases_the_hold_in_the_same_transaction() {
    let db = db().await;
    let a = partner_in("1111111", &[PartnerRole::IncentivesAdmin]);
    let b = partner_in("2222222", &[PartnerRole::IncentivesAdmin]);
    let now = monday();
    // GIVEN partner A holds the subscriptions of a Business Applications claim
    let ca = draft_with_poe(&db.store, &a, &ba_input()).await;
    let ca = act(&db.store, &ca, &a, submit(&ca), now).await.unwrap();
    let cb = draft_with_poe(&db.store, &b, &ba_input()).await;
    let err = act(&db.store, &cb, &b, submit(&cb), now).await.unwrap_err();
    match err {
        CommitError::WorkloadTaken { keys } => assert_eq!(keys.len(), 2, "both subscriptions"),
        other => panic!("{other:?}"),
    }
    // WHEN the reviewer rejects A's claim
    let ca = act(
        &db.store,
        &ca,
        &reviewer(),
        Command::Review(ReviewDecision::Start),
        now,
    )
    .await
    .unwrap();
    let ca = act(&db.store, &ca, &reviewer(), reject_cmd(), now)
        .await
        .unwrap();
    assert_eq!(ca.status(), Status::Rejected);
    // THEN the subscriptions are free and B's claim can take them
    for key in cpor::domain::locks::lock_keys(ca.content()) {
        assert_eq!(lock_holder(&db, &key).await, None, "{key} released");
    }
    let cb = db.store.get(cb.id()).await.unwrap().unwrap();
    let cb = act(&db.store, &cb, &b, submit(&cb), now)
        .await
        .expect("now free");
    assert_eq!(cb.status(), Status::Submitted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_organisations_claims_page_newest_first_and_never_show_another_org() {
    let db = db().await;
    let a = partner_in("1111111", &[PartnerRole::IncentivesAdmin]);
    let b = partner_in("2222222", &[PartnerRole::IncentivesAdmin]);
    let mut mine = Vec::new();
    for i in 0..7 {
        let at = monday() + Duration::minutes(i);
        mine.push(
            create(&db.store, &a, &mws_for(&tenant(i as u32)), at)
                .await
                .id(),
        );
    }
    for i in 0..3 {
        create(&db.store, &b, &mws_input(), monday() + Duration::minutes(i)).await;
    }
    // WHEN org A lists with pages of 3
    let query = ClaimQuery::Organisation {
        partner: PartnerId::parse("1111111").unwrap(),
        status: None,
    };
    let filter = ListFilter::default();
    let mut seen = Vec::new();
    let mut from = None;
    let mut pages = 0;
    loop {
        let page = db
            .store
            .list(&query, &filter, 3, from.as_ref())
            .await
            .expect("page");
        pages += 1;
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|l| {
            assert_eq!(l.claim.partner_id().as_str(), "1111111");
            l.claim.id()
        }));
        match page.next {
            Some(next) => from = Some(next),
            None => break,
        }
        assert!(pages < 10, "pagination terminates");
    }
    // THEN every claim once, newest first
    mine.reverse();
    assert_eq!(seen, mine);
    // and a continuation from org A's query cannot be used on org B's partition
    let page = db.store.list(&query, &filter, 3, None).await.unwrap();
    let cont = page.next.expect("more pages");
    let other = ClaimQuery::Organisation {
        partner: PartnerId::parse("2222222").unwrap(),
        status: None,
    };
    assert!(matches!(
        db.store.list(&other, &filter, 3, Some(&cont)).await,
        Err(StoreError::Corrupt { .. })
    ));
    // and once sealed for A's scope, it does not open under B's
    let keys = KeyRing::parse("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap();
    let sealed = keys.seal_cursor(&query.scope(&filter), &cont.0);
    assert!(keys.open_cursor(&other.scope(&filter), &sealed).is_err());
    assert_eq!(
        keys.open_cursor(&query.scope(&filter), &sealed).unwrap(),
        cont.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn status_filters_and_the_reviewer_queue_order_by_due_date() {
    let db = db().await;
    let now = monday();
    // GIVEN three submitted claims, submitted a day apart, and one draft
    let mut submitted = Vec::new();
    for i in 0..3u32 {
        let input = mws_for(&tenant(100 + i));
        let c = draft_with_poe(&db.store, &admin(), &input).await;
        let at = now + Duration::days(i64::from(i));
        let c = act(&db.store, &c, &admin(), submit(&c), at).await.unwrap();
        submitted.push(c);
    }
    create(&db.store, &admin(), &mws_for(&tenant(200)), now).await;
    // WHEN the reviewer opens the submitted queue
    let page = db
        .store
        .list(
            &ClaimQuery::Queue {
                status: Status::Submitted,
            },
            &ListFilter::default(),
            10,
            None,
        )
        .await
        .unwrap();
    // THEN earliest due first, drafts absent
    let ids: Vec<_> = page.items.iter().map(|l| l.claim.id()).collect();
    assert_eq!(ids, submitted.iter().map(Claim::id).collect::<Vec<_>>());
    // and the org's status filter and tenant filter narrow the list
    let org = PartnerId::parse(ORG).unwrap();
    let drafts = db
        .store
        .list(
            &ClaimQuery::Organisation {
                partner: org.clone(),
                status: Some(Status::Draft),
            },
            &ListFilter::default(),
            10,
            None,
        )
        .await
        .unwrap();
    assert_eq!(drafts.items.len(), 1);
    let one_tenant = db
        .store
        .list(
            &ClaimQuery::Organisation {
                partner: org,
                status: None,
            },
            &ListFilter {
                solution_area: Some(SolutionArea::ModernWorkSecurity),
                tenant: Some(TenantId::parse(&tenant(101)).unwrap()),
                awaiting_reviewer: false,
            },
            10,
            None,
        )
        .await
        .unwrap();
    assert_eq!(one_tenant.items.len(), 1);
    assert_eq!(one_tenant.items[0].claim.id(), submitted[1].id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_due_index_returns_only_what_is_due() {
    let db = db().await;
    let now = monday();
    // GIVEN a submitted claim (review must start within 5 business days), a draft (no
    // deadline) and the outbox entries their commits wrote
    let c = draft_with_poe(&db.store, &admin(), &mws_input()).await;
    let c = act(&db.store, &c, &admin(), submit(&c), now).await.unwrap();
    let due_at = c.deadline().unwrap().due_at;
    create(&db.store, &admin(), &mws_for(&tenant(300)), now).await;
    // WHEN the sweep looks right away: entries are leased to their writer, nothing is due
    assert_eq!(db.store.due(now, 100).await.unwrap(), vec![]);
    // WHEN it looks after the writer's lease ran out: the undelivered outbox entries are due
    // (both claims' events; the submitted one's schedule and consent email)
    let later = now + STREAM_GRACE + Duration::seconds(1);
    let due = db.store.due(later, 100).await.unwrap();
    let outbox: Vec<_> = due
        .iter()
        .map(|w| match w {
            DueWork::Outbox(r) => r.entry_id.split('-').next().unwrap_or_default().to_owned(),
            DueWork::Deadline { .. } | DueWork::EngagementDeadline { .. } => {
                panic!("not due yet: {w:?}")
            }
        })
        .collect();
    assert_eq!(outbox.iter().filter(|k| *k == "ev").count(), 4, "{due:?}");
    assert_eq!(outbox.iter().filter(|k| *k == "sc").count(), 1);
    assert_eq!(outbox.iter().filter(|k| *k == "em").count(), 1);
    // WHEN it looks at the deadline: the claim is due too, and nothing else
    let due = db.store.due(due_at, 100).await.unwrap();
    let deadlines: Vec<_> = due
        .iter()
        .filter_map(|w| match w {
            DueWork::Deadline { claim, due_at } => Some((*claim, *due_at)),
            DueWork::Outbox(_) | DueWork::EngagementDeadline { .. } => None,
        })
        .collect();
    assert_eq!(deadlines, vec![(c.id(), due_at)]);
    // and a microsecond earlier it is not
    let before = db
        .store
        .due(due_at - Duration::microseconds(1), 100)
        .await
        .unwrap();
    assert!(before.iter().all(|w| matches!(w, DueWork::Outbox(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotency_key_replays_the_completed_response_and_refuses_another_body() {
    let db = db().await;
    let now = monday();
    let key = IdempotencyKey {
        scope: "org:4812345:POST /claims".into(),
        key: "abc-123".into(),
    };
    // GIVEN a first request began
    assert_eq!(
        db.store.begin(&key, "hash-1", now).await.unwrap(),
        IdempotencyStart::Fresh
    );
    // WHEN a retry arrives while it runs THEN it is told so
    assert_eq!(
        db.store.begin(&key, "hash-1", now).await.unwrap(),
        IdempotencyStart::InProgress
    );
    // and a different body under the same key is a mismatch
    assert_eq!(
        db.store.begin(&key, "hash-2", now).await.unwrap(),
        IdempotencyStart::Mismatch
    );
    // WHEN the first completes in the same transaction as its change
    let outcome = Claim::create(ClaimId::generate(), &admin(), &mws_input(), now).unwrap();
    let completion = IdempotencyCompletion {
        key: key.clone(),
        request_hash: "hash-1".into(),
        response: StoredResponse {
            status: 201,
            body: "{\"id\":1}".into(),
        },
    };
    db.store
        .commit(Commit {
            prior: None,
            outcome: &outcome,
            outbox: &[],
            idempotency: Some(&completion),
        })
        .await
        .unwrap();
    // THEN a retry gets the stored response
    assert_eq!(
        db.store.begin(&key, "hash-1", now).await.unwrap(),
        IdempotencyStart::Completed(completion.response.clone())
    );
    // and a request that died leaves a pending record a later retry may take over
    let dead = IdempotencyKey {
        scope: key.scope.clone(),
        key: "dead".into(),
    };
    assert_eq!(
        db.store.begin(&dead, "h", now).await.unwrap(),
        IdempotencyStart::Fresh
    );
    let later = now + Duration::minutes(5);
    assert_eq!(
        db.store.begin(&dead, "h", later).await.unwrap(),
        IdempotencyStart::Fresh
    );
    // and an abandoned key is free again at once
    db.store.abandon(&dead).await.unwrap();
    assert_eq!(
        db.store.begin(&dead, "other", later).await.unwrap(),
        IdempotencyStart::Fresh
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn editing_products_under_submission_moves_the_holds_atomically() {
    let db = db().await;
    let now = monday();
    let c = draft_with_poe(&db.store, &admin(), &mws_input()).await;
    let c = act(&db.store, &c, &admin(), submit(&c), now).await.unwrap();
    let before = cpor::domain::locks::lock_keys(c.content());
    // WHEN the partner swaps one product while submitted
    let patch: ClaimPatch = serde_json::from_value(serde_json::json!({
        "products": [{"product": "teams"}, {"product": "sharepoint_online"}]
    }))
    .unwrap();
    let c = act(&db.store, &c, &admin(), Command::Edit(Box::new(patch)), now)
        .await
        .unwrap();
    let after = cpor::domain::locks::lock_keys(c.content());
    // THEN the dropped workload is released and the new one held, by this claim
    let dropped: BTreeSet<_> = before.difference(&after).copied().collect();
    let added: BTreeSet<_> = after.difference(&before).copied().collect();
    assert_eq!((dropped.len(), added.len()), (1, 1));
    for k in &dropped {
        assert_eq!(lock_holder(&db, k).await, None);
    }
    for k in &after {
        assert_eq!(lock_holder(&db, k).await, Some(c.id().to_string()));
    }
}
