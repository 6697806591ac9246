//! The engagement side of the DynamoDB store against moto: the cap and the partner's slot hold
//! in the registration's transaction itself (not only in the check before it), a terminal claim
//! frees both, and reference datasets replace each other whole, in the bucket's order.

use crate::helpers::aws::db;
use cpor::domain::engagement::*;
use cpor::domain::*;
use cpor::ports::*;
use cpor::testing::monday;
use serde_json::json;

const TENANT: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

fn data(cap: u32, engagement_name: &str) -> ReferenceData {
    let doc = json!({
        "engagements": [{"id": "mw-usage", "name": engagement_name, "payType": "fixed",
            "identifierTypes": ["tenant_id"], "consentDays": 30, "submissionDays": 60,
            "customerCap": cap, "referrals": {"enabled": false}}],
        "partnerLocations": [
            {"locationId": "1001", "partnerId": "org-a", "mciEnrolled": true, "engagements": ["mw-usage"]},
            {"locationId": "2001", "partnerId": "org-b", "mciEnrolled": true, "engagements": ["mw-usage"]}
        ],
        "customers": [{"identifierType": "tenant_id", "value": TENANT, "eligibility": {"mw-usage": "eligible"}}]
    });
    ReferenceData::parse(doc.to_string().as_bytes()).expect("valid")
}

/// A dataset imported from `reference/<id>.json`, received `seq`-th.
fn info(id: &str, seq: u32) -> DatasetInfo {
    DatasetInfo {
        id: id.to_owned(),
        source: format!("reference/{id}.json"),
        sequencer: format!("{seq:032X}"),
        imported_at: chrono::Utc::now(),
    }
}

fn partner(org: &str, location: &str) -> Actor {
    Actor::Partner(PartnerUser {
        user: UserId::parse("u").expect("ok"),
        org: PartnerId::parse(org).expect("ok"),
        org_name: None,
        locations: [LocationId::parse(location).expect("ok")].into(),
        roles: [PartnerRole::IncentivesAdmin].into(),
    })
}

/// A registration decided as if nobody held a place (the check before the transaction saw
/// none): only the transaction stands between it and the cap.
fn registered(data: &ReferenceData, actor: &Actor, location: &str) -> Vec<EngagementOutcome> {
    let input: RegistrationInput = serde_json::from_value(json!({
        "name": "n", "partnerLocationId": location, "source": "add",
        "customer": {"identifierType": "tenant_id", "value": TENANT},
        "engagementIds": ["mw-usage"],
        "customerContact": {"name": "A", "email": "a@contoso.com"},
        "partnerContact": {"name": "P", "email": "p@fabrikam.com"}
    }))
    .expect("ok");
    let reg = Registration::parse(&input).expect("ok");
    let named = NamedCustomer::resolve(reg.customer.clone(), None).expect("ok");
    let facts = RegistrationFacts {
        engagements: vec![(reg.engagement_ids[0].clone(), data.engagements.first())],
        location: data
            .partner_locations
            .iter()
            .find(|l| l.location_id.as_str() == location),
        customer: &named,
        record: data.customers.first(),
        open_claims: vec![0],
        known: false,
    };
    EngagementClaim::register(actor, &reg, &facts, ClaimId::generate, monday()).expect("eligible")
}

async fn commit(
    store: &cpor::aws::dynamo::DynamoStore,
    prior: Option<Revision>,
    outcomes: &[EngagementOutcome],
) -> Result<(), CommitError> {
    store
        .commit_engagement(EngagementCommit {
            prior,
            outcomes,
            outbox: &[],
            idempotency: None,
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cap_and_the_partners_slot_hold_in_the_transaction_itself() {
    let db = db().await;
    let one = data(1, "Modern Work Usage");
    let (a, b) = (partner("org-a", "1001"), partner("org-b", "2001"));
    let first = registered(&one, &a, "1001");
    commit(&db.store, None, &first)
        .await
        .expect("the first takes the place");
    // B, decided on a stale view, is refused by the transaction: the cap
    let err = commit(&db.store, None, &registered(&one, &b, "2001"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CommitError::CapReached { engagement } if engagement.as_str() == "mw-usage"),
        "{err}"
    );
    // under a cap of two, A's second claim on the same customer is refused: its slot
    let two = data(2, "Modern Work Usage");
    let err = commit(&db.store, None, &registered(&two, &a, "1001"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CommitError::AlreadyRegistered { .. }),
        "{err}"
    );
    // the standing the check before a registration reads
    let tenant = CustomerIdentifier::tenant(TenantId::parse(TENANT).expect("ok"));
    let mw = EngagementId::parse("mw-usage").expect("ok");
    let standing = db
        .store
        .standing(
            &PartnerId::parse("org-a").expect("ok"),
            &tenant,
            std::slice::from_ref(&mw),
        )
        .await
        .expect("ok");
    assert_eq!(standing.open_claims, [1]);
    let pc = standing
        .partner_customer
        .expect("A's record of the customer");
    assert_eq!(pc.open, [(mw.clone(), first[0].claim.id())]);
    assert!(!pc.known);

    // WHEN A cancels THEN the place and the slot are free in the same transaction
    let claim = &first[0].claim;
    let cancelled = claim.cancel(&a, monday()).expect("ok");
    let prior = Revision {
        version: claim.version(),
        history_seq: claim.history_seq(),
    };
    commit(&db.store, Some(prior), std::slice::from_ref(&cancelled))
        .await
        .expect("ok");
    // a second cancel on the old version is stale, not a double release
    let again = commit(&db.store, Some(prior), std::slice::from_ref(&cancelled)).await;
    assert!(matches!(again, Err(CommitError::Stale { .. })), "{again:?}");
    assert_eq!(
        db.store
            .open_counts(&mw, std::slice::from_ref(&tenant))
            .await
            .expect("ok"),
        [0]
    );
    commit(&db.store, None, &registered(&one, &b, "2001"))
        .await
        .expect("B takes the freed place");
    let complete = db
        .store
        .engagement_claims_in(
            &PartnerId::parse("org-a").expect("ok"),
            &mw,
            PageGroup::Complete,
            10,
            None,
        )
        .await
        .expect("ok");
    assert_eq!(complete.items.len(), 1);
    assert_eq!(complete.items[0].status(), EngagementStatus::Cancelled);
}

/// Reads made at the same moment go out as one request and each reader gets its own items; a
/// reader whose batch was abandoned (the reader that opened it dropped before sending it) reads
/// for itself, and nothing is left open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_made_together_each_get_their_own_items_even_when_the_first_is_dropped() {
    use futures_util::FutureExt;
    let db = db().await;
    let one = data(1, "Modern Work Usage");
    db.store
        .import(&one, &info("together", 1))
        .await
        .expect("imported");
    let a = partner("org-a", "1001");
    commit(&db.store, None, &registered(&one, &a, "1001"))
        .await
        .expect("A holds the place");
    let org = PartnerId::parse("org-a").expect("ok");
    let tenant = CustomerIdentifier::tenant(TenantId::parse(TENANT).expect("ok"));
    let mw = [EngagementId::parse("mw-usage").expect("ok")];
    let keys = ReferenceKeys {
        engagements: mw.to_vec(),
        customers: vec![tenant.clone()],
        ..ReferenceKeys::default()
    };
    let check = |view: &ReferenceView, standing: &CustomerStanding| {
        assert_eq!((view.engagements.len(), view.customers.len()), (1, 1));
        assert_eq!(view.customers[0].identifier, tenant);
        assert_eq!(standing.open_claims, [1]);
        assert!(standing.partner_customer.is_some());
    };

    // together
    let (view, standing) = futures_util::future::join(
        db.store.reference(&keys),
        db.store.standing(&org, &tenant, &mw),
    )
    .await;
    check(&view.expect("read"), &standing.expect("read"));

    // the standing's read opens a batch, the reference read joins it, the standing is dropped
    let mut first = Box::pin(db.store.standing(&org, &tenant, &mw));
    let mut second = Box::pin(db.store.reference(&keys));
    assert!(first.as_mut().now_or_never().is_none(), "waiting to send");
    assert!(second.as_mut().now_or_never().is_none(), "joined");
    drop(first);
    let view = tokio::time::timeout(std::time::Duration::from_secs(10), second)
        .await
        .expect("not left waiting on the abandoned batch")
        .expect("read for itself");
    // and a later read opens a batch of its own
    let standing = db.store.standing(&org, &tenant, &mw).await.expect("read");
    check(&view, &standing);
}

/// A reader reads records from the dataset it last found current while it reads the pointer
/// (one round trip); the records it returns still come from the dataset current when it asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_knew_one_dataset_reads_the_next_as_soon_as_it_is_current() {
    let db = db().await;
    let reader = cpor::aws::dynamo::DynamoStore::new(db.client.clone(), db.store.table());
    let wanted = ReferenceKeys {
        engagements: vec![EngagementId::parse("mw-usage").expect("ok")],
        ..ReferenceKeys::default()
    };
    let name = |view: ReferenceView| view.engagements[0].name.as_str().to_owned();
    assert!(reader.catalogue().await.expect("ok").is_empty(), "none yet");
    assert!(
        reader
            .reference(&wanted)
            .await
            .expect("ok")
            .engagements
            .is_empty()
    );

    db.store
        .import(&data(1, "First"), &info("first", 1))
        .await
        .expect("ok");
    assert_eq!(name(reader.reference(&wanted).await.expect("ok")), "First");
    // the dataset it knows is still current: its early read is the answer
    assert_eq!(name(reader.reference(&wanted).await.expect("ok")), "First");
    assert_eq!(
        reader.catalogue().await.expect("ok")[0].name.as_str(),
        "First"
    );

    // another process makes a new dataset current: the next read is of that one, although the
    // old one's records are still there (retired, not deleted)
    db.store
        .import(&data(1, "Second"), &info("second", 2))
        .await
        .expect("ok");
    assert_eq!(name(reader.reference(&wanted).await.expect("ok")), "Second");
    assert_eq!(
        reader.catalogue().await.expect("ok")[0].name.as_str(),
        "Second"
    );
    db.store
        .import(&data(1, "Third"), &info("third", 3))
        .await
        .expect("ok");
    assert_eq!(
        reader.catalogue().await.expect("ok")[0].name.as_str(),
        "Third"
    );
    assert_eq!(name(reader.reference(&wanted).await.expect("ok")), "Third");
}

/// A request that reads the reference data again reads from the dataset it read first, even
/// when an import made another current in between: it sees one dataset, never a mix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_reads_again_from_the_dataset_it_read_first() {
    let db = db().await;
    let wanted = ReferenceKeys {
        engagements: vec![EngagementId::parse("mw-usage").expect("ok")],
        ..ReferenceKeys::default()
    };
    let name = |view: &ReferenceView| view.engagements[0].name.as_str().to_owned();
    db.store
        .import(&data(1, "First"), &info("first", 1))
        .await
        .expect("ok");
    let first = db.store.reference(&wanted).await.expect("ok");
    assert_eq!(first.dataset.as_deref(), Some("first"));
    // another import lands between the request's two reads
    db.store
        .import(&data(1, "Second"), &info("second", 2))
        .await
        .expect("ok");
    let again = db
        .store
        .reference_in(first.dataset.as_deref().expect("read"), &wanted)
        .await
        .expect("ok");
    assert_eq!(name(&again), "First");
    // a new request sees the new dataset
    let next = db.store.reference(&wanted).await.expect("ok");
    assert_eq!(
        (next.dataset.as_deref(), name(&next).as_str()),
        (Some("second"), "Second")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dataset_received_earlier_never_replaces_a_later_one() {
    let db = db().await;
    let (old, new) = (data(1, "Old name"), data(1, "New name"));
    assert_eq!(
        db.store.import(&new, &info("new", 7)).await.expect("ok"),
        ImportResult::Imported
    );
    // the older document's event arrives late: it is not used
    assert_eq!(
        db.store.import(&old, &info("old", 3)).await.expect("ok"),
        ImportResult::Superseded
    );
    // the same event twice
    assert_eq!(
        db.store.import(&new, &info("new", 7)).await.expect("ok"),
        ImportResult::AlreadyCurrent
    );
    let catalogue = db.store.catalogue().await.expect("ok");
    assert_eq!(catalogue[0].name.as_str(), "New name");
    // a later document replaces it; the replaced dataset expires rather than vanishing under
    // a reader that read the old pointer
    assert_eq!(
        db.store.import(&old, &info("later", 9)).await.expect("ok"),
        ImportResult::Imported
    );
    assert_eq!(
        db.store.catalogue().await.expect("ok")[0].name.as_str(),
        "Old name"
    );
    let retired = crate::helpers::aws::partition_items(&db, "REF#new").await;
    assert_eq!(retired.len(), 4, "engagement, two locations, customer");
    assert!(retired.iter().all(|i| i.contains_key("expiresAt")));
    assert_eq!(
        db.store.current_dataset_id().await.expect("ok").as_deref(),
        Some("later")
    );
}
