use super::customers::{self, PartnerCustomer, RowAction, Tab};
use super::*;
use crate::domain::access::{PartnerRole, PartnerUser};
use chrono::TimeZone;

/// The issue's sample document, plus a few records the tests need.
pub(crate) const SAMPLE: &str = r#"{
  "engagements": [
    {"id": "mw-usage", "name": "Modern Work Usage", "payType": "fixed",
     "identifierTypes": ["domain", "tenant_id", "tpid", "azure_subscription_id"],
     "consentDays": 30, "submissionDays": 60, "customerCap": 1,
     "referrals": {"enabled": true, "minDealSizeUsd": 10000}},
    {"id": "azure-migrate", "name": "Azure Migration Assessment", "payType": "variable",
     "identifierTypes": ["msx_opportunity_id"], "consentDays": 14, "submissionDays": 90,
     "customerCap": 1, "referrals": {"enabled": false},
     "payment": {"hourlyRateUsd": 150, "maxShareOfOpportunity": 0.1, "maxPaymentUsd": 50000}},
    {"id": "security-ws", "name": "Security Workshop", "payType": "fixed",
     "identifierTypes": ["tenant_id"], "consentDays": 20, "submissionDays": 30,
     "customerCap": 2, "referrals": {"enabled": false}}
  ],
  "partnerLocations": [
    {"locationId": "4812345001", "partnerId": "4812345", "mciEnrolled": true,
     "engagements": ["mw-usage", "azure-migrate"]},
    {"locationId": "4812345002", "partnerId": "4812345", "mciEnrolled": false,
     "engagements": ["mw-usage"]}
  ],
  "customers": [
    {"identifierType": "domain", "value": "contoso.com", "tenantId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
    {"identifierType": "tenant_id", "value": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
     "emailDomains": ["contoso.com"], "coSellEligible": true,
     "eligibility": {"mw-usage": "eligible", "security-ws": "eligible"}},
    {"identifierType": "tpid", "value": "1234567", "eligibility": {"mw-usage": "criteria_not_met"}},
    {"identifierType": "msx_opportunity_id", "value": "7-3KX9Q2ZP1", "valueUsd": 400000,
     "eligibility": {"azure-migrate": "eligible"}}
  ]
}"#;

fn data() -> ReferenceData {
    ReferenceData::parse(SAMPLE.as_bytes()).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn partner(roles: &[PartnerRole]) -> Actor {
    Actor::Partner(PartnerUser {
        user: UserId::parse("u-1").unwrap(),
        org: PartnerId::parse("4812345").unwrap(),
        org_name: None,
        locations: [
            LocationId::parse("4812345001").unwrap(),
            LocationId::parse("4812345002").unwrap(),
        ]
        .into(),
        roles: roles.iter().copied().collect(),
    })
}

fn admin() -> Actor {
    partner(&[PartnerRole::IncentivesAdmin])
}

fn eid(s: &str) -> EngagementId {
    EngagementId::parse(s).unwrap()
}

fn ident(kind: IdentifierType, v: &str) -> CustomerIdentifier {
    CustomerIdentifier::parse(kind, v).unwrap()
}

const TENANT: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

fn input(kind: &str, value: &str, engagements: &[&str]) -> RegistrationInput {
    serde_json::from_value(serde_json::json!({
        "name": "Contoso rollout",
        "partnerLocationId": "4812345001",
        "source": "add",
        "customer": {"identifierType": kind, "value": value},
        "engagementIds": engagements,
        "customerContact": {"name": "Ana", "email": "ana@contoso.com", "language": "es-MX"},
        "partnerContact": {"name": "Pat", "email": "pat@fabrikam.com"}
    }))
    .unwrap()
}

/// Registers with the facts the reference data and `open` give.
fn register_with(
    actor: &Actor,
    input: &RegistrationInput,
    open: Vec<usize>,
    known: bool,
) -> Result<Vec<EngagementOutcome>, EngagementError> {
    let data = data();
    let reg = Registration::parse(input).map_err(EngagementError::from)?;
    let named = NamedCustomer::resolve(reg.customer.clone(), data.customer(&reg.customer))?;
    let facts = RegistrationFacts::in_dataset(&data, &reg, &named, open, known);
    EngagementClaim::register(actor, &reg, &facts, ClaimId::generate, now())
}

fn register(input: &RegistrationInput) -> Result<Vec<EngagementOutcome>, EngagementError> {
    register_with(&admin(), input, vec![], false)
}

fn fields(e: EngagementError) -> Vec<String> {
    match e {
        EngagementError::Invalid(v) => v.fields().map(str::to_owned).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn reasons_of(e: EngagementError) -> Vec<(String, Vec<IneligibleReason>)> {
    match e {
        EngagementError::NotEligible(a) => a
            .into_iter()
            .map(|a| (a.engagement_id.to_string(), a.reasons))
            .collect(),
        other => panic!("expected not eligible, got {other:?}"),
    }
}

// ---- reference data ----

#[test]
fn the_issues_document_parses_with_every_number_it_gives() {
    let d = data();
    assert_eq!(d.engagements.len(), 3);
    let migrate = &d.engagements[1];
    assert_eq!(migrate.pay_type, PayType::Variable);
    assert_eq!(migrate.consent_days, 14);
    let rule = migrate.payment.as_ref().unwrap();
    assert_eq!(rule.hourly_rate_usd, Usd::from_cents(15_000));
    assert_eq!(
        d.engagements[0].referrals.min_deal_size_usd,
        Some(Usd::from_cents(1_000_000))
    );
    assert_eq!(d.customers[3].value_usd, Some(Usd::from_cents(40_000_000)));
    assert!(d.customers[1].co_sell_eligible);
}

#[test]
fn a_bad_document_is_refused_whole_naming_every_problem_by_path() {
    let bad = r#"{
      "engagements": [
        {"id": "v", "name": "V", "payType": "variable", "identifierTypes": ["domain"],
         "consentDays": 0, "submissionDays": 10, "customerCap": 0, "referrals": {"enabled": true}},
        {"id": "v", "name": "V2", "payType": "fixed", "identifierTypes": ["tpid", "tpid"],
         "consentDays": 1, "submissionDays": 1, "customerCap": 1, "referrals": {"enabled": false}}
      ],
      "partnerLocations": [
        {"locationId": "1", "partnerId": "p", "mciEnrolled": true, "engagements": ["nope"]}
      ],
      "customers": [
        {"identifierType": "domain", "value": "contoso.com"},
        {"identifierType": "tpid", "value": "12a"},
        {"identifierType": "msx_opportunity_id", "value": "7-1"},
        {"identifierType": "tenant_id", "value": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
         "eligibility": {"ghost": "eligible"}}
      ]
    }"#;
    let errs = ReferenceData::parse(bad.as_bytes()).unwrap_err();
    let f: Vec<&str> = errs.fields().collect();
    for expected in [
        "engagements[0].consentDays",
        "engagements[0].customerCap",
        "engagements[0].identifierTypes",
        "engagements[0].payment",
        "engagements[0].referrals.minDealSizeUsd",
        "engagements[1].identifierTypes",
        "partnerLocations[0].engagements[0]",
        "customers[0].tenantId",
        "customers[1].value",
        "customers[2].valueUsd",
        "customers[3].eligibility.ghost",
    ] {
        assert!(f.contains(&expected), "{expected} missing from {f:?}");
    }
    // The duplicate ID is reported only once the first engagement parses; not JSON at all is
    // one error on the whole document; unknown fields are refused.
    assert_eq!(
        ReferenceData::parse(b"[]")
            .unwrap_err()
            .fields()
            .collect::<Vec<_>>(),
        [""]
    );
    let extra = SAMPLE.replacen("\"customerCap\": 2", "\"customerCap\": 2, \"cap\": 3", 1);
    assert!(ReferenceData::parse(extra.as_bytes()).is_err());
}

#[test]
fn identifiers_have_one_spelling() {
    assert_eq!(
        ident(IdentifierType::Domain, " Contoso.COM. ").value,
        "contoso.com"
    );
    assert_eq!(
        ident(
            IdentifierType::TenantId,
            "{3FA85F64-5717-4562-B3FC-2C963F66AFA6}"
        )
        .value,
        TENANT
    );
    assert_eq!(
        ident(IdentifierType::MsxOpportunityId, "7-3kx9q2zp1").value,
        "7-3KX9Q2ZP1"
    );
    assert!(CustomerIdentifier::parse(IdentifierType::Tpid, "12 34").is_err());
    assert!(CustomerIdentifier::parse(IdentifierType::MsxOpportunityId, "7/3").is_err());
    assert!(CustomerIdentifier::parse(IdentifierType::AzureSubscriptionId, "x").is_err());
}

#[test]
fn the_proposed_payment_is_the_least_of_hours_share_and_maximum_in_cents() {
    let rule = data().engagements[1].payment.clone().unwrap();
    let hours = |h| PlannedHours::new(h).unwrap();
    let value = Usd::from_cents(40_000_000); // 400 000 USD → share 40 000
    assert_eq!(rule.proposed(hours(100), value), Usd::from_cents(1_500_000)); // hours
    assert_eq!(rule.proposed(hours(300), value), Usd::from_cents(4_000_000)); // share
    assert_eq!(
        rule.proposed(hours(1000), Usd::from_cents(90_000_000)),
        Usd::from_cents(5_000_000)
    ); // max
    // A share that is not whole cents is rounded.
    assert_eq!(
        rule.proposed(hours(1000), Usd::from_cents(12_345)),
        Usd::from_cents(1_235)
    );
    assert!(PlannedHours::new(0).is_err());
    assert!(Usd::from_dollars(-1.0).is_err() && Usd::from_dollars(f64::NAN).is_err());
}

// ---- eligibility ----

fn assess_one(
    engagement: &str,
    kind: IdentifierType,
    value: &str,
    location: &str,
    open: usize,
) -> Assessment {
    let d = data();
    let given = ident(kind, value);
    let find = |id: &CustomerIdentifier| d.customers.iter().find(|c| &c.identifier == id);
    let named = NamedCustomer::resolve(given.clone(), find(&given)).unwrap();
    eligibility::assess(Facts {
        engagement: d
            .engagements
            .iter()
            .find(|e| e.id == eid(engagement))
            .unwrap(),
        partner: &PartnerId::parse("4812345").unwrap(),
        location: d
            .partner_locations
            .iter()
            .find(|l| l.location_id.as_str() == location),
        customer: &named,
        record: find(&named.checked),
        open_claims: open,
    })
}

#[test]
fn a_domain_is_checked_as_its_tenant_and_nothing_cascades_to_other_identifiers() {
    use IdentifierType as T;
    use IneligibleReason as R;
    assert!(assess_one("mw-usage", T::Domain, "contoso.com", "4812345001", 0).eligible);
    assert!(assess_one("mw-usage", T::TenantId, TENANT, "4812345001", 0).eligible);
    // The same customer's TPID has its own verdict.
    assert_eq!(
        assess_one("mw-usage", T::Tpid, "1234567", "4812345001", 0).reasons,
        [R::CriteriaNotMet]
    );
    // An identifier the data does not know, or an engagement its record does not mention.
    assert_eq!(
        assess_one("mw-usage", T::Tpid, "999", "4812345001", 0).reasons,
        [R::UnknownIdentifier]
    );
    assert_eq!(
        assess_one(
            "azure-migrate",
            T::MsxOpportunityId,
            "7-3KX9Q2ZP1",
            "4812345001",
            0
        )
        .reasons,
        Vec::<R>::new()
    );
    // A domain nobody knows cannot be resolved (422, not "unknown identifier").
    let d = data();
    let unknown = ident(T::Domain, "fabrikam.com");
    assert!(NamedCustomer::resolve(unknown.clone(), None).is_err());
    assert!(
        NamedCustomer::resolve(unknown, Some(&d.customers[0])).is_err(),
        "another domain's record"
    );
}

#[test]
fn the_location_must_be_enrolled_eligible_and_the_callers_and_the_type_accepted_and_the_cap_free() {
    use IdentifierType as T;
    use IneligibleReason as R;
    assert_eq!(
        assess_one("mw-usage", T::TenantId, TENANT, "4812345002", 0).reasons,
        [R::PartnerLocationNotEnrolled]
    );
    assert_eq!(
        assess_one("mw-usage", T::TenantId, TENANT, "999", 0).reasons,
        [R::PartnerLocationNotEnrolled],
        "a location the data does not know"
    );
    assert_eq!(
        assess_one("security-ws", T::TenantId, TENANT, "4812345001", 0).reasons,
        [R::PartnerLocationNotEligible]
    );
    assert_eq!(
        assess_one("azure-migrate", T::TenantId, TENANT, "4812345001", 0).reasons,
        [R::IdentifierTypeNotAllowed]
    );
    assert_eq!(
        assess_one("mw-usage", T::TenantId, TENANT, "4812345001", 1).reasons,
        [R::CapReached]
    );
    // Another organisation's location is not enrolled for this partner.
    let d = data();
    let named = NamedCustomer::resolve(ident(T::TenantId, TENANT), None).unwrap();
    let a = eligibility::assess(Facts {
        engagement: &d.engagements[0],
        partner: &PartnerId::parse("other").unwrap(),
        location: Some(&d.partner_locations[0]),
        customer: &named,
        record: Some(&d.customers[1]),
        open_claims: 0,
    });
    assert_eq!(a.reasons, [R::PartnerLocationNotEnrolled]);
}

#[test]
fn a_tenant_unrelated_to_the_contacts_email_domain_needs_a_reason() {
    let mut i = input("tenant_id", TENANT, &["mw-usage"]);
    i.customer_contact.as_mut().unwrap().email = Some("ana@northwind.example".into());
    assert_eq!(fields(register(&i).unwrap_err()), ["tenantMismatchReason"]);
    i.tenant_mismatch_reason = Some("Contoso's subsidiary Northwind runs on this tenant".into());
    let out = register(&i).unwrap();
    assert!(out[0].claim.tenant_mismatch_reason.is_some());
    // A subdomain of the tenant's domain matches; a reason is then refused.
    let mut i = input("tenant_id", TENANT, &["mw-usage"]);
    i.customer_contact.as_mut().unwrap().email = Some("ana@eu.contoso.com".into());
    register(&i).unwrap();
    i.tenant_mismatch_reason = Some("why".into());
    assert_eq!(fields(register(&i).unwrap_err()), ["tenantMismatchReason"]);
    // A domain is not compared (it resolves to the tenant it names).
    let mut i = input("domain", "contoso.com", &["mw-usage"]);
    i.customer_contact.as_mut().unwrap().email = Some("ana@northwind.example".into());
    register(&i).unwrap();
}

// ---- registration ----

#[test]
fn registering_makes_one_registered_claim_per_engagement_due_for_consent_in_its_days() {
    let out = register(&input("domain", "contoso.com", &["mw-usage"])).unwrap();
    assert_eq!(out.len(), 1);
    let c = &out[0].claim;
    assert_eq!(c.status(), EngagementStatus::Registered);
    assert_eq!(c.consent_due_at(), now() + chrono::Days::new(30));
    assert_eq!(c.customer(), &ident(IdentifierType::Domain, "contoso.com"));
    assert_eq!(c.customer_key(), &ident(IdentifierType::TenantId, TENANT));
    assert_eq!(
        c.resolved_tenant_id.map(|t| t.to_string()).as_deref(),
        Some(TENANT)
    );
    assert_eq!(out[0].place, Place::Take { cap: 1 });
    assert!(out[0].confirm_registration);
    assert_eq!(out[0].history.action, EngagementAction::Register);
    assert_eq!((c.version(), c.history_seq()), (1, 1));
}

#[test]
fn variable_pay_is_one_engagement_with_planned_hours_and_a_proposed_payment() {
    let mut i = input("msx_opportunity_id", "7-3kx9q2zp1", &["azure-migrate"]);
    assert_eq!(fields(register(&i).unwrap_err()), ["plannedHours"]);
    i.planned_hours = Some(120);
    let out = register(&i).unwrap();
    assert_eq!(
        out[0].claim.proposed_payment_usd(),
        Some(Usd::from_cents(1_800_000))
    );
    assert_eq!(out[0].claim.consent_due_at(), now() + chrono::Days::new(14));
    // Not together with another engagement; hours only for variable pay.
    let mut both = i.clone();
    both.engagement_ids = Some(vec!["azure-migrate".into(), "mw-usage".into()]);
    assert!(fields(register(&both).unwrap_err()).contains(&"engagementIds".to_owned()));
    let mut fixed = input("domain", "contoso.com", &["mw-usage"]);
    fixed.planned_hours = Some(10);
    assert_eq!(fields(register(&fixed).unwrap_err()), ["plannedHours"]);
    i.planned_hours = Some(0);
    assert_eq!(fields(register(&i).unwrap_err()), ["plannedHours"]);
}

#[test]
fn only_engagements_where_both_are_eligible_can_be_chosen_each_refusal_named() {
    let i = input("tenant_id", TENANT, &["mw-usage", "security-ws"]);
    let refused = reasons_of(register(&i).unwrap_err());
    assert_eq!(
        refused,
        [(
            "security-ws".to_owned(),
            vec![IneligibleReason::PartnerLocationNotEligible]
        )]
    );
    let capped = register_with(
        &admin(),
        &input("tenant_id", TENANT, &["mw-usage"]),
        vec![1],
        false,
    );
    assert_eq!(
        reasons_of(capped.unwrap_err()),
        [("mw-usage".to_owned(), vec![IneligibleReason::CapReached])]
    );
    let unknown = input("tenant_id", TENANT, &["ghost"]);
    assert_eq!(
        reasons_of(register(&unknown).unwrap_err()),
        [(
            "ghost".to_owned(),
            vec![IneligibleReason::UnknownIdentifier]
        )]
    );
    let unresolvable = input("domain", "fabrikam.com", &["mw-usage"]);
    assert!(matches!(
        register(&unresolvable),
        Err(EngagementError::Unresolvable(_))
    ));
}

#[test]
fn claiming_needs_a_known_customer_and_the_incentives_roles_and_the_callers_location() {
    let mut i = input("tenant_id", TENANT, &["mw-usage"]);
    i.source = Some(Source::Claim);
    assert_eq!(register(&i).unwrap_err(), EngagementError::CustomerNotKnown);
    assert_eq!(
        register_with(&admin(), &i, vec![], true).unwrap()[0]
            .claim
            .source,
        Source::Claim
    );
    for role in [PartnerRole::GlobalAdmin, PartnerRole::BillingAdmin] {
        let e = register_with(&partner(&[role]), &i, vec![], true).unwrap_err();
        assert!(
            matches!(e, EngagementError::Access(AccessError::Forbidden(_))),
            "{role:?}"
        );
    }
    let user = register_with(&partner(&[PartnerRole::IncentivesUser]), &i, vec![], true);
    assert!(user.is_ok());
    let reviewer = Actor::Reviewer {
        user: UserId::parse("r").unwrap(),
    };
    assert!(register_with(&reviewer, &i, vec![], true).is_err());
    i.partner_location_id = Some("777".into());
    assert_eq!(
        fields(register_with(&admin(), &i, vec![], true).unwrap_err()),
        ["partnerLocationId"]
    );
}

#[test]
fn a_registration_reports_every_bad_field_at_once() {
    let i: RegistrationInput = serde_json::from_value(serde_json::json!({
        "customer": {"identifierType": "tpid", "value": "abc"},
        "engagementIds": ["ok", "ok", "bad id"],
        "customerContact": {"email": "nope"},
        "partnerContact": {"name": "P", "email": "p@fabrikam.com", "title": "CEO"}
    }))
    .unwrap();
    let f = fields(
        Registration::parse(&i)
            .map_err(EngagementError::from)
            .unwrap_err(),
    );
    for expected in [
        "name",
        "partnerLocationId",
        "source",
        "customer.value",
        "engagementIds[1]",
        "engagementIds[2]",
        "customerContact.name",
        "customerContact.email",
        "partnerContact.title",
    ] {
        assert!(
            f.iter().any(|x| x == expected),
            "{expected} missing from {f:?}"
        );
    }
}

// ---- after registration ----

fn registered() -> EngagementClaim {
    register(&input("domain", "contoso.com", &["mw-usage"]))
        .unwrap()
        .remove(0)
        .claim
}

#[test]
fn contacts_change_only_before_consent_is_requested_and_cancelling_frees_the_place() {
    let c = registered();
    let patch: ContactsPatch = serde_json::from_value(serde_json::json!({
        "customerContact": {"name": "Ana B", "email": "ana.b@contoso.com"}
    }))
    .unwrap();
    let later = now() + chrono::Duration::hours(1);
    let change = patch.parse().unwrap();
    let out = c.update_contacts(&admin(), &change, later).unwrap();
    assert_eq!(out.history.changed_fields, ["customerContact"]);
    assert_eq!(
        out.claim.customer_contact().email.as_str(),
        "ana.b@contoso.com"
    );
    assert_eq!((out.claim.version(), out.place), (2, Place::Keep));
    let bad: ContactsPatch =
        serde_json::from_value(serde_json::json!({"partnerContact": {"name": "P"}})).unwrap();
    assert_eq!(
        bad.parse().unwrap_err().fields().collect::<Vec<_>>(),
        ["partnerContact.email"]
    );

    let cancelled = c.cancel(&admin(), later).unwrap();
    assert_eq!(cancelled.claim.status(), EngagementStatus::Cancelled);
    assert_eq!(cancelled.place, Place::Release);
    assert!(matches!(
        cancelled.claim.cancel(&admin(), later),
        Err(EngagementError::NotAllowed { .. })
    ));
    assert!(matches!(
        cancelled.claim.update_contacts(&admin(), &change, later),
        Err(EngagementError::NotAllowed { .. })
    ));
    // Another organisation learns nothing; a reviewer may read but not cancel.
    let stranger = Actor::Partner(PartnerUser {
        org: PartnerId::parse("other").unwrap(),
        ..match admin() {
            Actor::Partner(p) => p,
            _ => unreachable!(),
        }
    });
    assert_eq!(
        c.cancel(&stranger, later).unwrap_err(),
        AccessError::NotFound.into()
    );
    assert_eq!(c.authorize_read(&stranger), Err(AccessError::NotFound));
    let reviewer = Actor::Reviewer {
        user: UserId::parse("r").unwrap(),
    };
    assert!(c.authorize_read(&reviewer).is_ok());
    assert!(c.cancel(&reviewer, later).is_err());
}

#[test]
fn statuses_fall_into_the_pages_groups() {
    use EngagementStatus as S;
    use strum::VariantArray;
    for s in S::VARIANTS {
        let expected = match s {
            S::Registered | S::ConsentRequested | S::Consented | S::Submitted => PageGroup::Open,
            S::Declined | S::ConsentExpired => PageGroup::Dropped,
            _ => PageGroup::Complete,
        };
        assert_eq!(s.group(), expected, "{s:?}");
        assert_eq!(
            serde_json::to_value(s).unwrap(),
            serde_json::json!(s.code())
        );
    }
}

// ---- the Customers page ----

#[test]
fn the_customers_page_shows_known_and_registered_customers_on_the_tabs_the_seed_names() {
    let d = data();
    let mw = &d.engagements[0];
    let tenant = ident(IdentifierType::TenantId, TENANT);
    let tenant_record = d.customers.iter().find(|c| c.identifier == tenant);
    let claim = registered();
    let row = |tab, pc: &PartnerCustomer, record, open, claims: &[&EngagementClaim]| {
        customers::customer_row(tab, mw, pc, record, open, claims)
    };

    // Registered, not known: on "eligible" with its claim and the claim's actions.
    let pc = PartnerCustomer {
        customer: tenant.clone(),
        known: false,
        open: vec![(mw.id.clone(), claim.id())],
    };
    let r = row(Tab::Eligible, &pc, tenant_record, 1, &[&claim]).unwrap();
    assert_eq!(
        r.claims[0].actions,
        [
            RowAction::SendConsentEmail,
            RowAction::EditContacts,
            RowAction::Cancel
        ]
    );
    assert!(row(Tab::NotEligible, &pc, tenant_record, 1, &[&claim]).is_none());

    // Known, eligible, no open claim: "claim customer".
    let known = PartnerCustomer {
        customer: tenant.clone(),
        known: true,
        open: vec![],
    };
    assert_eq!(
        row(Tab::Eligible, &known, tenant_record, 0, &[])
            .unwrap()
            .actions,
        [RowAction::ClaimCustomer]
    );
    // Known but the cap is reached by someone else: "not eligible", cap_reached.
    assert!(row(Tab::Eligible, &known, tenant_record, 1, &[]).is_none());
    assert_eq!(
        row(Tab::NotEligible, &known, tenant_record, 1, &[])
            .unwrap()
            .reasons,
        [IneligibleReason::CapReached]
    );
    // Known by TPID, criteria not met.
    let tpid = PartnerCustomer {
        customer: ident(IdentifierType::Tpid, "1234567"),
        known: true,
        open: vec![],
    };
    let tpid_record = d.customers.iter().find(|c| c.identifier == tpid.customer);
    assert_eq!(
        row(Tab::NotEligible, &tpid, tpid_record, 0, &[])
            .unwrap()
            .reasons,
        [IneligibleReason::CriteriaNotMet]
    );
    // Neither known nor registered here: on no tab (a declined or expired customer drops off).
    let stranger = PartnerCustomer {
        customer: tenant.clone(),
        known: false,
        open: vec![],
    };
    for tab in [Tab::Eligible, Tab::NotEligible] {
        assert!(row(tab, &stranger, tenant_record, 0, &[]).is_none());
    }
    // An engagement that only takes MSX opportunity IDs has no "not eligible" rows.
    let migrate = &d.engagements[1];
    assert!(
        customers::customer_row(Tab::NotEligible, migrate, &known, tenant_record, 0, &[]).is_none()
    );
    assert!(!IneligibleReason::PartnerLocationNotEnrolled.is_about_customer());
}

// ---- consent, deadlines, submission, review (MCI engagements II) ----

fn consent_request(deal: f64) -> ConsentRequest {
    let input: ConsentRequestInput = serde_json::from_value(serde_json::json!({
        "estimatedDealSizeUsd": deal, "disclaimerAccepted": true
    }))
    .unwrap();
    input.parse().unwrap()
}

fn customer() -> Actor {
    Actor::Customer
}

fn cal() -> crate::domain::calendar::BusinessCalendar {
    crate::domain::calendar::BusinessCalendar::default()
}

fn requested(deal: f64) -> EngagementClaim {
    registered()
        .request_consent(&admin(), &consent_request(deal), now())
        .unwrap()
        .claim
}

#[test]
fn a_consent_request_needs_the_disclaimer_and_a_positive_deal_size_and_fixes_it() {
    let bad: ConsentRequestInput = serde_json::from_value(serde_json::json!({
        "estimatedDealSizeUsd": 0, "disclaimerAccepted": false,
        "customerContact": {"name": "A", "email": "nope"}
    }))
    .unwrap();
    let errs = bad.parse().unwrap_err();
    let f: Vec<&str> = errs.fields().collect();
    assert_eq!(
        f,
        [
            "estimatedDealSizeUsd",
            "disclaimerAccepted",
            "customerContact.email"
        ]
    );
    let missing: ConsentRequestInput = serde_json::from_value(serde_json::json!({})).unwrap();
    assert_eq!(missing.parse().unwrap_err().0.len(), 2);

    let out = registered()
        .request_consent(&admin(), &consent_request(25_000.0), now())
        .unwrap();
    assert_eq!(out.claim.status(), EngagementStatus::ConsentRequested);
    assert_eq!(
        out.notices,
        [Notice::CustomerConsentRequest { resend: false }]
    );
    assert_eq!(
        out.claim.estimated_deal_size_usd(),
        Some(Usd::from_cents(2_500_000))
    );
    // fixed from then on: a second request is refused (a resend is its own command)
    let again = out
        .claim
        .request_consent(&admin(), &consent_request(1.0), now());
    assert!(matches!(again, Err(EngagementError::NotAllowed { .. })));
}

#[test]
fn a_referral_is_created_at_the_minimum_deal_size_and_becomes_co_sell_on_consent() {
    // mw-usage: referrals on from 10 000 USD
    assert!(requested(9_999.99).referral().is_none());
    let c = requested(10_000.0);
    assert_eq!(c.referral().map(|r| r.kind), Some(ReferralKind::PartnerLed));
    let later = now() + chrono::Duration::days(1);
    let plain = c
        .decide_consent(&customer(), true, false, &cal(), later)
        .unwrap()
        .claim;
    assert_eq!(
        plain.referral().map(|r| r.kind),
        Some(ReferralKind::PartnerLed)
    );
    let co_sell = c
        .decide_consent(&customer(), true, true, &cal(), later)
        .unwrap()
        .claim;
    assert_eq!(
        co_sell.referral().map(|r| r.kind),
        Some(ReferralKind::CoSell)
    );
    assert_eq!(co_sell.referral().and_then(|r| r.co_sell_at), Some(later));
}

#[test]
fn every_move_announces_itself_and_the_referral_has_its_own_two_events() {
    let types = |o: &EngagementOutcome| -> Vec<String> {
        o.events().into_iter().map(|e| e.detail_type).collect()
    };
    let reg = register(&input("domain", "contoso.com", &["mw-usage"])).unwrap();
    assert_eq!(types(&reg[0]), ["EngagementClaimRegistered"]);
    let first = &reg[0].events()[0];
    assert_eq!(
        (first.sequence, first.from, first.to),
        (1, None, EngagementStatus::Registered)
    );
    // below the minimum: no referral, one event
    let small = registered()
        .request_consent(&admin(), &consent_request(9_000.0), now())
        .unwrap();
    assert_eq!(types(&small), ["EngagementConsentRequested"]);
    // at the minimum: the referral is created beside the move, with its own stable ID
    let asked = registered()
        .request_consent(&admin(), &consent_request(10_000.0), now())
        .unwrap();
    assert_eq!(
        types(&asked),
        ["EngagementConsentRequested", "ReferralCreated"]
    );
    let [moved, created] = <[_; 2]>::try_from(asked.events()).unwrap();
    assert_eq!(created.id, format!("{}-referral", moved.id));
    assert_eq!(moved.sequence, created.sequence);
    let r = created.referral.unwrap();
    assert_eq!((r.kind, r.id), (ReferralKind::PartnerLed, asked.claim.id()));
    assert_eq!(r.estimated_deal_size_usd, Usd::from_cents(1_000_000));
    // consent from a co-sell eligible customer upgrades it; from another, only the move
    let later = now() + chrono::Duration::days(1);
    let co_sell = asked
        .claim
        .decide_consent(&customer(), true, true, &cal(), later)
        .unwrap();
    assert_eq!(
        types(&co_sell),
        ["EngagementConsentGiven", "ReferralUpgradedToCoSell"]
    );
    assert_eq!(
        co_sell.events()[1]
            .referral
            .as_ref()
            .and_then(|r| r.co_sell_at),
        Some(later)
    );
    let plain = asked
        .claim
        .decide_consent(&customer(), true, false, &cal(), later)
        .unwrap();
    assert_eq!(types(&plain), ["EngagementConsentGiven"]);
    // what an event says: IDs and codes, never a contact or a comment
    let json = serde_json::to_string(&co_sell.events()).unwrap();
    for personal in ["@", "contact", "comment", "name"] {
        assert!(!json.contains(personal), "{personal} in {json}");
    }
}

#[test]
fn the_customer_accepts_or_declines_once_before_the_consent_deadline() {
    let c = requested(1.0);
    let later = now() + chrono::Duration::days(3);
    let accepted = c
        .decide_consent(&customer(), true, false, &cal(), later)
        .unwrap();
    assert_eq!(accepted.claim.status(), EngagementStatus::Consented);
    assert_eq!(
        accepted.claim.submission_due_at(),
        Some(later + chrono::Days::new(60))
    );
    assert!(accepted.customer_known);
    assert_eq!(accepted.place, Place::Keep);
    assert_eq!(accepted.notices, [Notice::PartnerConsentGiven]);
    let declined = c
        .decide_consent(&customer(), false, false, &cal(), later)
        .unwrap();
    assert_eq!(declined.claim.status(), EngagementStatus::Declined);
    assert_eq!(
        declined.place,
        Place::Release,
        "a decline frees the cap place"
    );
    assert!(!declined.customer_known);
    // once decided, the link decides nothing more
    assert!(
        accepted
            .claim
            .decide_consent(&customer(), false, false, &cal(), later)
            .is_err()
    );
    // only the customer decides; not after the deadline
    assert!(
        c.decide_consent(&admin(), true, false, &cal(), later)
            .is_err()
    );
    let late = now() + chrono::Duration::days(30);
    assert!(matches!(
        c.decide_consent(&customer(), true, false, &cal(), late),
        Err(EngagementError::DeadlinePassed { .. })
    ));
}

#[test]
fn resending_is_a_reminder_within_the_limits_while_consent_is_pending() {
    let c = requested(1.0);
    let limits = crate::domain::deadlines::SendLimits::default();
    let soon = now() + chrono::Duration::minutes(5);
    assert!(matches!(
        c.resend_consent(&admin(), &limits, soon),
        Err(EngagementError::TooSoon { .. })
    ));
    let later = now() + chrono::Duration::minutes(20);
    let out = c.resend_consent(&admin(), &limits, later).unwrap();
    assert_eq!(
        out.notices,
        [Notice::CustomerConsentRequest { resend: true }]
    );
    assert_eq!(out.claim.status(), EngagementStatus::ConsentRequested);
    assert!(
        registered()
            .resend_consent(&admin(), &limits, later)
            .is_err()
    );
}

#[test]
fn deadlines_expire_consent_from_registration_and_submission_from_consent_and_late_firings_do_nothing()
 {
    // consent: 30 calendar days from registration, whether or not the email was sent
    let due = now() + chrono::Days::new(30);
    assert!(
        registered()
            .on_due(due - chrono::Duration::seconds(1))
            .is_none()
    );
    let expired = registered().on_due(due).unwrap();
    assert_eq!(expired.claim.status(), EngagementStatus::ConsentExpired);
    assert_eq!(expired.place, Place::Release);
    assert_eq!(expired.notices, [Notice::PartnerConsentExpired]);
    assert!(
        expired
            .claim
            .on_due(due + chrono::Duration::days(9))
            .is_none(),
        "twice"
    );
    assert_eq!(
        requested(1.0).on_due(due).unwrap().claim.status(),
        EngagementStatus::ConsentExpired
    );
    // submission: 60 days from consent
    let consented_at = now() + chrono::Duration::days(2);
    let consented = requested(1.0)
        .decide_consent(&customer(), true, false, &cal(), consented_at)
        .unwrap()
        .claim;
    assert!(
        consented.on_due(due).is_none(),
        "the consent deadline no longer applies"
    );
    let sub_due = consented_at + chrono::Days::new(60);
    let expired = consented.on_due(sub_due).unwrap();
    assert_eq!(expired.claim.status(), EngagementStatus::SubmissionExpired);
    assert_eq!(expired.place, Place::Release);
    // submitting: only while consented and before the deadline
    assert!(matches!(
        consented.submit(&admin(), None, sub_due),
        Err(EngagementError::DeadlinePassed { .. })
    ));
    let submitted = consented
        .submit(
            &admin(),
            Some(LongText::parse("Done").unwrap()),
            sub_due - chrono::Duration::hours(1),
        )
        .unwrap()
        .claim;
    assert_eq!(submitted.status(), EngagementStatus::Submitted);
    assert!(
        submitted
            .on_due(sub_due + chrono::Duration::days(1))
            .is_none()
    );
    assert!(registered().submit(&admin(), None, now()).is_err());
}

#[test]
fn the_partner_is_reminded_two_business_days_before_the_submission_deadline_once() {
    // consent on Monday 2026-03-02 09:00; 60 days later is Friday 2026-05-01 09:00, so the
    // reminder is Wednesday 2026-04-29 09:00 (a holiday on the Thursday: Tuesday)
    let monday = now();
    let c = requested(1.0);
    let consented = c
        .decide_consent(&customer(), true, false, &cal(), monday)
        .unwrap()
        .claim;
    let due = consented.submission_due_at().unwrap();
    assert_eq!(due.to_rfc3339(), "2026-05-01T09:00:00+00:00");
    let remind = consented.submission_reminder_at().unwrap();
    assert_eq!(remind.to_rfc3339(), "2026-04-29T09:00:00+00:00");
    let holiday = crate::domain::calendar::BusinessCalendar::new(
        chrono_tz::UTC,
        [chrono::NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()],
    );
    let with_holiday = c
        .decide_consent(&customer(), true, false, &holiday, monday)
        .unwrap()
        .claim;
    assert_eq!(
        with_holiday.submission_reminder_at().unwrap().to_rfc3339(),
        "2026-04-28T09:00:00+00:00"
    );
    // the sweep looks at the claim at the reminder first, then at the deadline
    assert_eq!(consented.due_at(), Some(remind));
    assert!(
        consented
            .on_due(remind - chrono::Duration::seconds(1))
            .is_none()
    );
    let reminded = consented.on_due(remind).unwrap();
    assert_eq!(reminded.notices, [Notice::PartnerSubmissionReminder]);
    assert_eq!(reminded.history.action, EngagementAction::RemindSubmission);
    assert_eq!(reminded.claim.status(), EngagementStatus::Consented);
    assert_eq!(reminded.place, Place::Keep);
    assert_eq!(reminded.claim.due_at(), Some(due));
    assert!(
        reminded
            .claim
            .on_due(remind + chrono::Duration::hours(1))
            .is_none(),
        "a repeated firing reminds nobody twice"
    );
    // a sweep that only runs after the deadline expires the claim without a reminder
    let late = consented.on_due(due).unwrap();
    assert_eq!(late.notices, [Notice::PartnerSubmissionExpired]);
    // submitted before the reminder: nothing more is due
    let submitted = consented.submit(&admin(), None, monday).unwrap();
    assert_eq!(submitted.claim.due_at(), None);
    assert!(submitted.claim.on_due(remind).is_none());
}

#[test]
fn each_change_moves_the_claims_one_time_schedule_to_what_is_due_next() {
    let reg = register(&input("domain", "contoso.com", &["mw-usage"])).unwrap();
    let claim = &reg[0].claim;
    let hex = claim.id().as_uuid().simple().to_string();
    let first = reg[0].schedule.create.clone().unwrap();
    assert_eq!(first.schedule, format!("mci-{hex}-consent"));
    assert_eq!(first.at, claim.consent_due_at());
    assert!(first.schedule.len() <= 64);
    assert_eq!(reg[0].schedule.delete, None);
    // asking for consent keeps the same deadline: the schedule stays
    let asked = claim
        .request_consent(&admin(), &consent_request(1.0), now())
        .unwrap();
    assert_eq!(asked.schedule, DueChange::default());
    // consent moves it to the reminder, the reminder to the deadline, submitting removes it
    let accepted = asked
        .claim
        .decide_consent(&customer(), true, false, &cal(), now())
        .unwrap();
    assert_eq!(
        accepted.schedule.delete.as_deref(),
        Some(first.schedule.as_str())
    );
    let remind = accepted.schedule.create.clone().unwrap();
    assert_eq!(remind.schedule, format!("mci-{hex}-remind"));
    let reminded = accepted.claim.on_due(remind.at).unwrap();
    assert_eq!(
        reminded.schedule.create.map(|d| d.schedule),
        Some(format!("mci-{hex}-submit"))
    );
    let submitted = reminded.claim.submit(&admin(), None, remind.at).unwrap();
    assert_eq!(
        submitted.schedule,
        DueChange {
            delete: Some(format!("mci-{hex}-submit")),
            create: None
        }
    );
    // a decline ends the claim: the consent schedule goes
    let declined = asked
        .claim
        .decide_consent(&customer(), false, false, &cal(), now())
        .unwrap();
    assert_eq!(
        declined.schedule,
        DueChange {
            delete: Some(first.schedule),
            create: None
        }
    );
}

#[test]
fn a_reviewer_completes_or_rejects_a_submitted_claim_for_good() {
    let consented = requested(1.0)
        .decide_consent(&customer(), true, false, &cal(), now())
        .unwrap()
        .claim;
    let submitted = consented.submit(&admin(), None, now()).unwrap().claim;
    let reviewer = Actor::Reviewer {
        user: UserId::parse("r").unwrap(),
    };
    let comment = LongText::parse("Evidence checked").unwrap();
    let approve = ReviewInput::Approve {
        comment: comment.clone(),
    };
    assert!(
        submitted.review(&admin(), &approve, now()).is_err(),
        "partners do not review"
    );
    assert!(
        consented.review(&reviewer, &approve, now()).is_err(),
        "only submitted claims"
    );
    let done = submitted.review(&reviewer, &approve, now()).unwrap();
    assert_eq!(done.claim.status(), EngagementStatus::Completed);
    assert_eq!(
        done.place,
        Place::Release,
        "a completed claim frees its place"
    );
    assert_eq!(done.notices, [Notice::PartnerReviewed { approved: true }]);
    let rejected = submitted
        .review(
            &reviewer,
            &ReviewInput::Reject {
                reasons: vec!["insufficient_evidence".into()],
                comment,
            },
            now(),
        )
        .unwrap();
    assert_eq!(rejected.claim.status(), EngagementStatus::RejectedFinal);
    assert_eq!(rejected.history.action, EngagementAction::Reject);
}
