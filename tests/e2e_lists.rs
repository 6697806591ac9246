//! The claim lists a dashboard needs, end to end on moto: several statuses and the seed's
//! groups at once, due-date order, name prefix / domain / overdue search, cursors across
//! partitions, and the CSV export.

use crate::helpers::stack::*;
use serde_json::{Value, json};

/// An organisation no other test uses, so its lists hold only what this test made.
fn fresh_org() -> String {
    let digits: String = uuid::Uuid::new_v4()
        .as_u128()
        .to_string()
        .chars()
        .take(7)
        .collect();
    format!("8{digits}")
}

fn named(org: &str, name: &str, domain: &str) -> Value {
    let mut body = mws_body(org, &unique_tenant(), &customer_email());
    body["name"] = json!(name);
    body["customer"]["domain"] = json!(domain);
    body
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn list(s: &Stack, token: &str, query: &str, extra: &[(&str, String)]) -> Value {
    let r = s
        .call("GET", &format!("/claims?{query}"), Some(token), None, extra)
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.text());
    r.json()
}

/// Every claim of a list, following its cursor one item at a time.
async fn walk(s: &Stack, token: &str, query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let q = match &cursor {
            Some(c) => format!("{query}&limit=1&cursor={c}"),
            None => format!("{query}&limit=1"),
        };
        let page = list(s, token, &q, &[]).await;
        seen.extend(ids(&page));
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return seen,
        }
    }
    panic!("{query}: the cursor did not end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dashboard_lists_statuses_and_groups_by_due_date_with_search_cursors_and_csv() {
    let s = stack().await;
    let org = fresh_org();
    let t = s.admin(&org);
    let pdf = b"%PDF-1.7 signed statement of work";
    // GIVEN a draft, a submitted claim, one under review and a cancelled draft
    let draft = id_of(
        &s.create(&t, &named(&org, "Alpha rollout", "contoso.com"))
            .await,
    );
    let submitted = id_of(
        &s.create(&t, &named(&org, "Beta migration", "fabrikam.com"))
            .await,
    );
    s.upload_poe(&t, &submitted, pdf).await;
    assert_eq!(s.submit(&t, &submitted).await.status, 200);
    let reviewed = id_of(
        &s.create(&t, &named(&org, "=Gamma (formula)", "contoso.com"))
            .await,
    );
    s.upload_poe(&t, &reviewed, pdf).await;
    assert_eq!(s.submit(&t, &reviewed).await.status, 200);
    let r = s.review(&reviewed, json!({"action": "start"})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let cancelled = id_of(&s.create(&t, &named(&org, "Delta", "contoso.com")).await);
    let r = s
        .call(
            "DELETE",
            &format!("/claims/{cancelled}"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert!(r.status < 300, "{}", r.text());

    // WHEN the partner lists several statuses at once THEN both partitions, newest first
    let both = list(&s, &t, "status=submitted,under_review", &[]).await;
    assert_eq!(ids(&both), [reviewed.clone(), submitted.clone()]);
    // and the seed's groups
    assert_eq!(
        ids(&list(&s, &t, "status=complete", &[]).await),
        std::slice::from_ref(&cancelled)
    );
    let open = ids(&list(&s, &t, "status=open", &[]).await);
    assert_eq!(open, [reviewed.clone(), submitted.clone(), draft.clone()]);
    // by due date: the earliest deadline first, the draft (no deadline) last
    let by_due = list(&s, &t, "status=open&sort=dueAt", &[]).await;
    let due: Vec<&str> = by_due["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["dueAt"].as_str().unwrap_or("~"))
        .collect();
    assert_eq!(
        ids(&by_due),
        [submitted.clone(), reviewed.clone(), draft.clone()],
        "{due:?}"
    );
    let mut sorted = due.clone();
    sorted.sort_unstable();
    assert_eq!(due, sorted);
    // every status by due date, one item a page: each claim once, in the same order
    assert_eq!(
        walk(&s, &t, "sort=dueAt").await,
        [
            submitted.clone(),
            reviewed.clone(),
            draft.clone(),
            cancelled.clone()
        ]
    );
    assert_eq!(
        walk(&s, &t, "status=submitted,under_review,draft").await,
        [reviewed.clone(), submitted.clone(), draft.clone()]
    );

    // search: a name prefix in any case, the customer's domain, overdue deadlines
    assert_eq!(
        ids(&list(&s, &t, "namePrefix=bEtA", &[]).await),
        std::slice::from_ref(&submitted)
    );
    assert_eq!(
        ids(&list(&s, &t, "domain=FABRIKAM.com", &[]).await),
        std::slice::from_ref(&submitted)
    );
    assert!(ids(&list(&s, &t, "overdue=true", &[]).await).is_empty());
    let later = [(
        "x-cpor-now",
        (chrono::Utc::now() + chrono::Duration::days(40)).to_rfc3339(),
    )];
    assert_eq!(
        ids(&list(&s, &t, "overdue=true&sort=dueAt", &later).await),
        [submitted.clone(), reviewed.clone()],
        "the draft has no deadline; the cancelled claim none either"
    );

    // a cursor belongs to its list: other statuses, order or search refuse it
    let first = list(&s, &t, "status=open&limit=1", &[]).await;
    let cursor = first["nextCursor"].as_str().expect("a next page");
    for other in [
        "status=open&sort=dueAt",
        "status=complete",
        "status=open&namePrefix=a",
    ] {
        let r = s
            .call(
                "GET",
                &format!("/claims?{other}&limit=1&cursor={cursor}"),
                Some(&t),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, 400, "{other}");
        assert_eq!(r.json()["errors"][0]["field"], "cursor");
    }

    // a reviewer lists several queues (due first only) or the organisation's statuses
    let rt = s.reviewer();
    let queues = list(&s, &rt, "status=submitted,under_review&limit=100", &[]).await;
    let queued = ids(&queues);
    assert!(queued.contains(&submitted) && queued.contains(&reviewed));
    let r = s
        .call(
            "GET",
            "/claims?status=submitted&sort=-createdAt",
            Some(&rt),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["field"], "sort");
    assert_eq!(
        ids(&list(&s, &rt, &format!("partnerId={org}&status=complete"), &[]).await),
        std::slice::from_ref(&cancelled)
    );

    // bad values name their parameter
    for (query, field) in [
        ("status=submitted,closed", "status"),
        ("sort=name", "sort"),
        ("domain=not%20a%20domain", "domain"),
        ("overdue=maybe", "overdue"),
    ] {
        let r = s
            .call("GET", &format!("/claims?{query}"), Some(&t), None, &[])
            .await;
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(r.json()["errors"][0]["field"], field, "{query}");
    }

    // CSV: the same list, a header row, a typed formula defused, in the reader's language
    let r = s
        .call(
            "GET",
            "/claims?status=open&sort=dueAt",
            Some(&t),
            None,
            &[
                ("accept", "text/csv".to_owned()),
                ("accept-language", "fr".to_owned()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/csv"))
    );
    assert!(r.header("next-cursor").is_none());
    let text = r.text();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("id,name,status,statusLabel"));
    assert!(lines[1].starts_with(&format!("{submitted},Beta migration,submitted,Envoyée,")));
    assert!(
        lines[2].starts_with(&format!("{reviewed},'=Gamma (formula),under_review,")),
        "{}",
        lines[2]
    );
    assert!(lines[3].starts_with(&format!("{draft},Alpha rollout,draft,")));
    // another organisation's export holds none of these
    let other = s
        .call(
            "GET",
            "/claims?status=open",
            Some(&s.admin(&fresh_org())),
            None,
            &[("accept", "text/csv".to_owned())],
        )
        .await;
    assert_eq!(
        other.text().split("\r\n").filter(|l| !l.is_empty()).count(),
        1
    );
}
