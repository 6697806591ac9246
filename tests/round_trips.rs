//! What each domain operation costs in DynamoDB round trips, counted on the wire: reads are one
//! request, a state change is one read and one transaction, lists are one query per page and
//! the sweep's due query is one query per index partition — never a Scan. A change that adds a
//! round trip fails here.

use crate::aws_env::counted_db;
use cpor::aws::dynamo::DUE_SHARDS;
use cpor::domain::*;
use cpor::outbox::entries_for;
use cpor::ports::*;
use cpor::testing::*;

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

    for (name, ops) in &table {
        println!(
            "round trips | {name:<50} | {} | {}",
            ops.len(),
            ops.join(" + ")
        );
    }
    let ops = |name: &str| {
        table
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, o)| o.clone())
            .unwrap()
    };
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
