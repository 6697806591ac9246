//! The reference portal (`portal/`) as people use it, in headless Chromium against the local
//! stack: the forms, the file input, the buttons; the customer's link from the email moto
//! captured; the sweep. Every screen is checked by axe-core (WCAG 2.2 A/AA, 0 violations) and
//! saved as `target/screenshots/portal-*.png`.
//!
//! Screens and where they are covered:
//! - sign-in (development) — every journey; axe in each language
//! - partner dashboard: tabs, filters, due dates, overdue badges — `a_claim_goes_…`, `…_languages`
//! - the claim wizard (area, role, details, products, contacts, review) — `a_claim_goes_…`
//! - the claim page: draft (PoE upload, submit), submitted, approved, active — `a_claim_goes_…`
//! - reviewer queues and the reviewer's claim page (start, approve) — `a_claim_goes_…`
//! - the API's field errors shown on the wizard's step — `the_wizard_shows_…`

use crate::helpers::browser::Driver;
use crate::helpers::browser::Session;
use crate::helpers::mci::dataset;
use crate::helpers::{ORG_A, PARTNER_NAME, Stack, customer_email, request, stack, unique_tenant};
use serde_json::json;

/// Runs axe on the page now and saves its screenshot: the violations, each named by screen.
fn check(page: &Session<'_>, screen: &str, found: &mut Vec<String>) {
    page.screenshot(&format!("portal-{screen}"));
    for v in page.axe_violations() {
        found.push(format!("{screen}: {v}"));
    }
}

/// Opens a portal route (`#/claims…`) and waits until the page shows it whole.
fn show(page: &Session<'_>, base: &str, route: &str) {
    page.open(&format!("{base}/portal/{route}"));
    shown(page);
}

/// Waits until the route in the address bar is rendered (`main[data-shown]`).
fn shown(page: &Session<'_>) {
    page.wait_until("document.getElementById('main').dataset.shown === location.hash");
}

/// Signs in on the development page as `role` of `org` (partner roles) and waits for the list.
fn sign_in(page: &Session<'_>, base: &str, role: &str, org: &str) {
    show(page, base, "#/sign-in");
    page.run(&format!(
        "const s = document.querySelector('select[name=role]'); s.value = '{role}'; s.dispatchEvent(new Event('change'));"
    ));
    if role != "reviewer" {
        page.type_into("input[name=partnerId]", org);
        page.type_into("input[name=partnerName]", PARTNER_NAME);
    }
    page.click("form button[type=submit]");
    page.wait_until("location.hash.startsWith('#/claims')");
    shown(page);
}

/// Clicks the submit button of the action form `name` (`data-action`) on a claim page and
/// waits for the page to come back with its notice.
fn act(page: &Session<'_>, name: &str) {
    page.run("delete document.getElementById('main').dataset.shown;");
    page.click(&format!("[data-action={name}] button[type=submit]"));
    page.wait_until(
        "(document.getElementById('main').dataset.shown === location.hash && document.querySelector('.notice')) || document.querySelector('.errors')",
    );
    let errors =
        page.run("const e = document.querySelector('.errors'); return e ? e.innerText : ''");
    assert_eq!(errors, json!(""), "{name} failed");
}

/// Walks the wizard (seed 000's steps) for a Modern Work claim; on its claim page at the end.
fn create_claim(
    page: &Session<'_>,
    base: &str,
    tenant: &str,
    customer: &str,
    found: &mut Vec<String>,
) {
    show(page, base, "#/claims/new");
    check(page, "wizard-1-area", found);
    page.click("input[value=modern_work_security]");
    page.click("button[data-go=next]");
    page.wait_until("document.querySelector('input[value=use_or_consume]')");
    check(page, "wizard-2-role", found);
    page.click("input[value=use_or_consume]");
    page.click("button[data-go=next]");
    page.type_into("input[name=name]", "Contoso Teams rollout");
    page.type_into("input[name='customer.tenantId']", tenant);
    page.type_into("input[name='customer.domain']", "contoso.com");
    check(page, "wizard-3-details", found);
    page.click("button[data-go=next]");
    page.click("input[name='product:teams']");
    page.click("input[name='product:exchange_online']");
    check(page, "wizard-4-products", found);
    page.click("button[data-go=next]");
    page.type_into("input[name='customerContact.name']", "Ana Pérez");
    page.type_into("input[name='customerContact.title']", "CIO");
    page.type_into("input[name='customerContact.email']", customer);
    page.type_into("input[name='partnerContact.name']", "Luis Gómez");
    page.type_into(
        "input[name='partnerContact.email']",
        "luis@fabrikam.example",
    );
    check(page, "wizard-5-contacts", found);
    page.click("button[data-go=next]");
    page.wait_until("document.body.innerText.includes('Microsoft Teams, Exchange Online')");
    check(page, "wizard-6-review", found);
    page.click("form button[type=submit]");
    page.wait_until("/^#\\/claims\\/[0-9a-f-]+$/.test(location.hash)");
    shown(page);
}

fn status_text(page: &Session<'_>) -> String {
    page.run("return document.getElementById('claim-status').textContent")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Issue 17's journey: a partner creates a claim through the forms, uploads a PDF through the
/// file input and submits; a reviewer starts the review and approves; the customer keeps the
/// association through the emailed link; the sweep activates it; the partner's dashboard shows
/// it active.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_goes_from_the_wizard_to_active_through_the_portal() {
    let s = stack().await;
    let base = s.run.base_url.clone();
    let tenant = unique_tenant();
    let customer = customer_email();
    let pdf = std::env::temp_dir().join(format!("sow-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&pdf, b"%PDF-1.4\n% signed statement of work\n%%EOF\n").expect("pdf");

    let (id, mut found) = {
        let (base, tenant, customer, pdf) =
            (base.clone(), tenant.clone(), customer.clone(), pdf.clone());
        tokio::task::spawn_blocking(move || {
            let d = Driver::start();
            let page = d.session("en");
            let mut found = Vec::new();
            sign_in(&page, &base, "incentives_admin", ORG_A);
            check(&page, "partner-dashboard", &mut found);
            create_claim(&page, &base, &tenant, &customer, &mut found);
            assert_eq!(status_text(&page), "Editing", "a draft (seed 000 step 14)");
            check(&page, "claim-draft", &mut found);
            // edited through the same steps (PATCH with the version it showed)
            let id = page.run("return location.hash.split('/')[2]");
            let id = id.as_str().unwrap_or_default().to_owned();
            show(&page, &base, &format!("#/claims/{id}/edit"));
            page.click("button[data-go=next]");
            page.click("button[data-go=next]");
            page.type_into("input[name=name]", "Contoso Teams rollout (EMEA)");
            check(&page, "claim-edit", &mut found);
            for _ in 0..3 {
                page.click("button[data-go=next]");
            }
            page.click("form button[type=submit]");
            page.wait_until(&format!("location.hash === '#/claims/{id}'"));
            shown(&page);
            assert_eq!(
                page.run("return document.querySelector('h1').textContent"),
                "Contoso Teams rollout (EMEA)"
            );
            page.type_into(
                "[data-action=add_poe] input[type=file]",
                &pdf.display().to_string(),
            );
            act(&page, "add_poe");
            page.wait_until(&format!(
                "document.body.innerText.includes('{}')",
                pdf.file_name().unwrap_or_default().to_string_lossy()
            ));
            let removable = "document.querySelectorAll('table button.danger').length";
            assert_eq!(
                page.run(&format!("return {removable}")),
                json!(1),
                "a draft's PoE may go"
            );
            page.click("input[name=informationAccurate]");
            page.click("input[name=customerAuthorized]");
            act(&page, "submit");
            assert_eq!(status_text(&page), "Submitted");
            assert_eq!(
                page.run(&format!("return {removable}")),
                json!(0),
                "what the submission stands on stays"
            );
            check(&page, "claim-submitted", &mut found);
            let id = page.run("return location.hash.split('/')[2]");
            // the reviewer
            page.click("#who button");
            sign_in(&page, &base, "reviewer", "");
            assert!(
                page.run("return document.querySelector('tbody').innerText")
                    .as_str()
                    .unwrap_or_default()
                    .contains("Contoso Teams rollout"),
                "the submitted claim is in the reviewer's queue"
            );
            check(&page, "reviewer-queue", &mut found);
            show(
                &page,
                &base,
                &format!("#/claims/{}", id.as_str().unwrap_or_default()),
            );
            check(&page, "reviewer-claim", &mut found);
            act(&page, "start_review");
            assert_eq!(status_text(&page), "Under review");
            act(&page, "approve");
            assert_eq!(status_text(&page), "Approved");
            check(&page, "reviewer-claim-approved", &mut found);
            (id.as_str().unwrap_or_default().to_owned(), found)
        })
        .await
        .expect("browser")
    };
    let _ = std::fs::remove_file(&pdf);

    // the customer's link, from the email moto captured, opened and kept in the browser
    let link = format!("{base}{}", s.consent_path(&customer).await);
    let after = {
        let link = link.clone();
        tokio::task::spawn_blocking(move || {
            let d = Driver::start();
            let page = d.session("en");
            page.open(&link);
            assert!(
                page.source().contains(PARTNER_NAME),
                "the customer sees who asks"
            );
            page.click("button[value=keep]");
            page.wait_until("document.querySelector('[role=status]')");
            page.source()
        })
        .await
        .expect("browser")
    };
    assert!(after.contains("Kept"), "{after}");
    let claim = s.get(&s.admin(ORG_A), &id).await.json();
    assert_eq!(claim["consent"], "keep");

    // the opt-out window passes: the sweep activates the claim
    let due = chrono::DateTime::parse_from_rfc3339(claim["dueAt"].as_str().expect("dueAt"))
        .expect("date")
        .with_timezone(&chrono::Utc);
    s.sweep(due + chrono::Duration::minutes(1)).await;
    assert_eq!(s.get(&s.admin(ORG_A), &id).await.json()["status"], "active");

    // the partner's email about it opens the claim's page in the portal
    let mails = s.emails_about("luis@fabrikam.example", &id).await;
    let route = format!("/portal/#/claims/{id}");
    let link = mails
        .iter()
        .find_map(|(_, body)| {
            let end = body.find(&route)? + route.len();
            let start = body[..end].rfind("http")?;
            Some(body[start..end].to_owned())
        })
        .unwrap_or_else(|| panic!("a link to {route} in {mails:?}"));
    let dashboard = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("en");
        sign_in(&page, &base, "incentives_admin", ORG_A);
        page.open(&link);
        shown(&page);
        assert_eq!(status_text(&page), "Active", "{link} opens the claim");
        show(&page, &base, "#/claims?status=active");
        page.wait_until(&format!(
            "document.querySelector('a[href=\"#/claims/{id}\"]')"
        ));
        check(&page, "partner-dashboard-active", &mut found);
        let rows = page.run("return document.querySelector('tbody').innerText");
        // found by its tenant through the search form
        page.type_into("input[name=tenantId]", &tenant);
        page.click("form[role=search] button[type=submit]");
        page.wait_until("location.hash.includes('tenantId=')");
        shown(&page);
        let by_tenant = page.run("return document.querySelectorAll('tbody tr').length");
        assert_eq!(by_tenant, json!(1), "one claim for that tenant");
        // the partner ends the association
        show(&page, &base, &format!("#/claims/{id}"));
        page.type_into("[data-action=disassociate] textarea", "Contract ended");
        act(&page, "disassociate");
        assert_eq!(status_text(&page), "Ended");
        (rows, found)
    })
    .await
    .expect("browser");
    let (rows, found) = dashboard;
    assert!(
        rows.as_str().unwrap_or_default().contains("Active"),
        "{rows}"
    );
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
}

/// The API's field errors land on the step that holds the field, named and linked from the
/// error summary; nothing is created.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_wizard_shows_the_apis_field_errors_on_their_step() {
    let s = stack().await;
    let base = s.run.base_url.clone();
    let (field_error, summary, step, found) = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("en");
        let mut found = Vec::new();
        sign_in(&page, &base, "incentives_admin", ORG_A);
        show(&page, &base, "#/claims/new");
        page.click("button[data-go=next]");
        page.click("input[value=use_or_consume]");
        page.click("button[data-go=next]");
        page.type_into("input[name=name]", "Bad tenant");
        page.type_into("input[name='customer.tenantId']", "not-a-guid");
        for _ in 0..3 {
            page.click("button[data-go=next]");
        }
        page.click("form button[type=submit]");
        page.wait_until("document.querySelector('.errors')");
        check(&page, "wizard-errors", &mut found);
        (
            page.run("const e = document.querySelector('[data-field=\"customer.tenantId\"] ~ .field-error, #' + document.querySelector('[data-field=\"customer.tenantId\"]').id + '-err'); return e ? e.textContent : ''"),
            page.run("return document.querySelector('.errors').innerText"),
            page.run("return document.querySelector('ol.steps [aria-current=step]').textContent"),
            found,
        )
    })
    .await
    .expect("browser");
    assert!(
        field_error.as_str().unwrap_or_default().contains("GUID"),
        "{field_error} / {summary}"
    );
    assert_eq!(step, "Details", "the step holding the tenant ID is shown");
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
    let list = s
        .call("GET", "/claims", Some(&s.admin(ORG_A)), None, &[])
        .await
        .json();
    assert_eq!(list["items"], json!([]), "nothing was created");
}

/// The portal in Spanish, French and Japanese: the page's language, its own words and the
/// API's labels follow the choice, and every screen passes axe in each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_portal_reads_in_every_language_and_passes_axe_in_each() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let submitted = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let id = submitted["id"].as_str().expect("id").to_owned();
    let imported = s.import_reference(&dataset(Vec::new())).await;
    assert_eq!(imported["outcome"], "imported", "{imported}");
    let base = s.run.base_url.clone();
    let seen = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("en");
        let mut found = Vec::new();
        let mut seen = Vec::new();
        sign_in(&page, &base, "incentives_admin", ORG_A);
        for lang in ["es", "fr", "ja"] {
            page.run(&format!(
                "const s = document.getElementById('language'); s.value = '{lang}'; s.dispatchEvent(new Event('change'));"
            ));
            page.wait_until(&format!("document.documentElement.lang === '{lang}'"));
            show(&page, &base, "#/claims");
            check(&page, &format!("partner-dashboard-{lang}"), &mut found);
            let dashboard = page.run("return document.querySelector('h1').textContent + '|' + document.querySelector('tbody').innerText");
            show(&page, &base, &format!("#/claims/{id}"));
            check(&page, &format!("claim-submitted-{lang}"), &mut found);
            show(&page, &base, "#/claims/new");
            check(&page, &format!("wizard-{lang}"), &mut found);
            let area = page.run("return document.querySelector('fieldset').innerText");
            show(&page, &base, "#/engagements");
            check(&page, &format!("mci-catalogue-{lang}"), &mut found);
            show(&page, &base, "#/engagements/mw-usage/add");
            check(&page, &format!("mci-add-{lang}"), &mut found);
            seen.push((lang, dashboard, status_text_of(&page, &base, &id), area));
        }
        page.click("#who button");
        page.wait_until("document.querySelector('select[name=role]')");
        check(&page, "sign-in-ja", &mut found);
        (seen, found)
    })
    .await
    .expect("browser");
    let (seen, found) = seen;
    let expect = [
        (
            "es",
            "Asociaciones de clientes",
            "Enviado",
            "Trabajo moderno y seguridad",
        ),
        (
            "fr",
            "Associations de clients",
            "Envoyée",
            "Travail moderne et sécurité",
        ),
        (
            "ja",
            "顧客の関連付け",
            "送信済み",
            "最新の作業とセキュリティ",
        ),
    ];
    for ((lang, dashboard, status, area), (l, heading, label, area_label)) in
        seen.iter().zip(expect)
    {
        assert_eq!(*lang, l);
        let dashboard = dashboard.as_str().unwrap_or_default();
        assert!(dashboard.starts_with(heading), "{lang}: {dashboard}");
        assert!(
            dashboard.contains(label),
            "{lang}: the API's label: {dashboard}"
        );
        assert_eq!(status, label, "{lang}");
        assert!(
            area.as_str().unwrap_or_default().contains(area_label),
            "{lang}: {area}"
        );
    }
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
    drop(t);
}

fn status_text_of(page: &Session<'_>, base: &str, id: &str) -> String {
    show(page, base, &format!("#/claims/{id}"));
    status_text(page)
}

/// The portal's files are served with the deployment's security headers, and nothing outside
/// `portal/` is reachable through its path (not API routes: no contract to check them against).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_portal_is_served_with_a_strict_policy_and_nothing_else() {
    let s: Stack = stack().await;
    let base = s.run.base_url.clone();
    let (page, refused, dev) = tokio::task::spawn_blocking(move || {
        let get = |path: &str| request("GET", &format!("{base}{path}"), &[], b"");
        let refused: Vec<(String, u16)> = [
            "/portal/../Cargo.toml",
            "/portal/%2e%2e/Cargo.toml",
            "/portal/.gitignore",
            "/portal/..%2fCargo.toml",
            "/portal/lib/../../Cargo.toml",
            "/portal/screens",
        ]
        .iter()
        .map(|p| ((*p).to_owned(), get(p).status))
        .collect();
        let dev = request(
            "POST",
            &format!("{base}/portal/dev-token"),
            &[],
            br#"{"role":"incentives_admin"}"#,
        );
        (get("/portal/"), refused, dev.status)
    })
    .await
    .expect("requests");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    for (path, status) in refused {
        assert_eq!(status, 404, "{path}");
    }
    assert_eq!(dev, 400, "a partner role needs an organisation");
}

fn portal_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("portal")
}

/// Every JavaScript file of the portal, with its text.
fn scripts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![portal_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("portal dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "js") {
                let text = std::fs::read_to_string(&path).expect("script");
                out.push((path.display().to_string(), text));
            }
        }
    }
    assert!(out.len() >= 8, "the portal's scripts: {}", out.len());
    out
}

fn locale(lang: &str) -> serde_json::Map<String, serde_json::Value> {
    let text =
        std::fs::read_to_string(portal_dir().join(format!("locales/{lang}.json"))).expect("locale");
    serde_json::from_str(&text).expect("locale JSON")
}

/// The portal's own words exist in all four languages, for every key its code names and every
/// code the catalogue lists (history actions, deadline kinds).
#[test]
fn the_portal_has_every_word_in_every_language() {
    let en = locale("en");
    for lang in ["es", "fr", "ja"] {
        let other = locale(lang);
        let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{lang}: missing {missing:?}, not in English {extra:?}"
        );
        let untranslated: Vec<_> = en
            .iter()
            .filter(|(k, v)| other[*k] == **v && v.as_str().is_some_and(|s| s.len() > 12))
            .map(|(k, _)| k)
            .collect();
        assert!(
            untranslated.is_empty(),
            "{lang}: same as English: {untranslated:?}"
        );
    }
    let catalogue = cpor::portal::catalogue();
    let codes = |list: &str, prefix: &str| -> Vec<String> {
        catalogue[list]
            .as_array()
            .expect(list)
            .iter()
            .map(|c| format!("{prefix}.{}", c.as_str().unwrap_or_default()))
            .collect()
    };
    for key in codes("actions", "history")
        .into_iter()
        .chain(codes("deadlineKinds", "deadline"))
        .chain(codes("engagementActions", "engagementHistory"))
        .chain(codes("identifierTypes", "identifier"))
        .chain(codes("ineligibleReasons", "ineligible"))
    {
        assert!(en.contains_key(&key), "locales/en.json lacks {key}");
    }
    // every literal key the code asks for
    let mut asked = 0;
    for (file, text) in scripts() {
        for key in literal_keys(&text) {
            assert!(en.contains_key(key), "{file}: t('{key}') has no words");
            asked += 1;
        }
    }
    assert!(asked > 100, "the scan found the keys: {asked}");
}

/// The keys of `t('…')` calls with a literal key.
fn literal_keys(text: &str) -> Vec<&str> {
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("t('") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + 3..];
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            if let Some(end) = after.find('\'') {
                let key = &after[..end];
                if key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
                {
                    keys.push(key);
                }
            }
        }
        rest = after;
    }
    keys
}

/// The portal builds pages from text nodes and attributes only: no API answer, claim name or
/// customer's word is ever parsed as HTML or code.
#[test]
fn the_portal_never_parses_data_as_html_or_code() {
    for (file, text) in scripts() {
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "setTimeout('",
        ] {
            assert!(!text.contains(sink), "{file} uses {sink}");
        }
    }
}

/// Seed 004 in the portal: a partner adds a customer to an engagement through the wizard
/// (eligibility checked at the identifier step), sends the consent request with the deal size
/// and the disclaimer; the customer accepts through the emailed link; the partner submits; a
/// reviewer finds it in the engagement queue and approves; it moves to the Complete tab.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_engagement_goes_from_add_customer_to_completed_through_the_portal() {
    let s = stack().await;
    let tenant = unique_tenant();
    let records = vec![json!({"identifierType": "tenant_id", "value": tenant,
        "emailDomains": ["contoso.com"], "eligibility": {"mw-usage": "eligible"}})];
    let imported = s.import_reference(&dataset(records)).await;
    assert_eq!(imported["outcome"], "imported", "{imported}");
    let customer = format!("{}@contoso.com", &unique_tenant()[..8]);
    let base = s.run.base_url.clone();

    let (id, mut found) = {
        let (base, tenant, customer) = (base.clone(), tenant.clone(), customer.clone());
        tokio::task::spawn_blocking(move || {
            let d = Driver::start();
            let page = d.session("en");
            let mut found = Vec::new();
            sign_in(&page, &base, "incentives_admin", ORG_A);
            show(&page, &base, "#/engagements");
            check(&page, "mci-catalogue", &mut found);
            show(&page, &base, "#/engagements/mw-usage");
            check(&page, "mci-customers-eligible", &mut found);
            show(&page, &base, "#/engagements/mw-usage/add");
            page.type_into("input[name=name]", "Contoso Modern Work");
            page.run("document.querySelector('select[name=\"customer.identifierType\"]').value = 'tenant_id';");
            page.type_into("input[name='customer.value']", &tenant);
            page.type_into("input[name='customerContact.email']", &customer);
            check(&page, "mci-add-1-customer", &mut found);
            page.click("button[data-go=next]");
            page.wait_until("document.querySelector('input[name=engagementIds][value=mw-usage]:checked')");
            check(&page, "mci-add-2-engagements", &mut found);
            page.click("button[data-go=next]");
            page.type_into("input[name='customerContact.name']", "Ana Pérez");
            page.type_into("input[name='partnerContact.name']", "Luis Gómez");
            page.type_into("input[name='partnerContact.email']", "luis@fabrikam.example");
            check(&page, "mci-add-3-contacts", &mut found);
            page.click("button[data-go=next]");
            page.wait_until("!document.querySelector('form button[type=submit]').hidden");
            check(&page, "mci-add-4-review", &mut found);
            page.click("form button[type=submit]");
            page.wait_until("location.hash.startsWith('#/engagement-claims/')");
            shown(&page);
            assert_eq!(status_text(&page), "Registered");
            check(&page, "mci-claim-registered", &mut found);
            page.type_into("input[name=estimatedDealSizeUsd]", "50000");
            page.click("input[name=disclaimerAccepted]");
            act(&page, "send_consent_email");
            assert_eq!(status_text(&page), "Consent requested");
            let id = page.run("return location.hash.split('/')[2]");
            (id.as_str().unwrap_or_default().to_owned(), found)
        })
        .await
        .expect("browser")
    };

    // the customer accepts through the link in the email moto captured
    let link = format!("{base}{}", s.consent_path(&customer).await);
    tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("en");
        page.open(&link);
        page.click("button[value=accept]");
        page.wait_until("document.querySelector('[role=status]')");
    })
    .await
    .expect("browser");

    let (completed, found) = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("en");
        sign_in(&page, &base, "incentives_admin", ORG_A);
        show(&page, &base, &format!("#/engagement-claims/{id}"));
        assert_eq!(status_text(&page), "Consented");
        check(&page, "mci-claim-consented", &mut found);
        act(&page, "submit");
        assert_eq!(status_text(&page), "Submitted");
        page.click("#who button");
        sign_in(&page, &base, "reviewer", "");
        show(&page, &base, "#/engagement-reviews");
        page.wait_until(&format!(
            "document.querySelector('a[href=\"#/engagement-claims/{id}\"]')"
        ));
        check(&page, "reviewer-mci-queue", &mut found);
        show(&page, &base, &format!("#/engagement-claims/{id}"));
        check(&page, "reviewer-mci-claim", &mut found);
        page.type_into(
            "[data-action=approve] textarea[name=comment]",
            "Workshop evidence checked",
        );
        act(&page, "approve");
        assert_eq!(status_text(&page), "Completed");
        page.click("#who button");
        sign_in(&page, &base, "incentives_admin", ORG_A);
        show(&page, &base, "#/engagements/mw-usage?tab=complete");
        check(&page, "mci-customers-complete", &mut found);
        (
            page.run("return document.querySelector('tbody').innerText"),
            found,
        )
    })
    .await
    .expect("browser");
    assert!(
        completed
            .as_str()
            .unwrap_or_default()
            .contains("Contoso Modern Work"),
        "{completed}"
    );
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
}

/// Variable pay (seed 004): one engagement, the planned hours, and the proposed payment the
/// API quotes from the MSX opportunity shown before confirming.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_add_customer_wizard_shows_a_variable_pay_engagements_proposed_payment() {
    let s = stack().await;
    let imported = s.import_reference(&dataset(Vec::new())).await;
    assert_eq!(imported["outcome"], "imported", "{imported}");
    let base = s.run.base_url.clone();
    let (payment, found) = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("en");
        let mut found = Vec::new();
        sign_in(&page, &base, "incentives_admin", ORG_A);
        show(&page, &base, "#/engagements/azure-migrate/add");
        page.type_into("input[name=name]", "Contoso migration");
        page.run("document.querySelector('select[name=\"customer.identifierType\"]').value = 'msx_opportunity_id';");
        page.type_into("input[name='customer.value']", "7-3KX9Q2ZP1");
        page.click("button[data-go=next]");
        page.wait_until("document.querySelector('input[name=engagementIds][value=azure-migrate]:checked')");
        page.type_into("input[name=plannedHours]", "10");
        check(&page, "mci-add-variable-hours", &mut found);
        page.click("button[data-go=next]");
        // the quote is asked before the contacts step shows
        page.wait_until("document.querySelector(\"input[name='customerContact.name']\").offsetParent");
        page.type_into("input[name='customerContact.name']", "Ana Pérez");
        page.type_into("input[name='partnerContact.name']", "Luis Gómez");
        page.type_into("input[name='partnerContact.email']", "luis@fabrikam.example");
        page.click("button[data-go=next]");
        page.wait_until("document.getElementById('proposed-payment')");
        check(&page, "mci-add-variable-review", &mut found);
        (page.run("return document.getElementById('proposed-payment').textContent"), found)
    })
    .await
    .expect("browser");
    // min(10 h × 150 USD, 10 % of 400,000, 50,000)
    assert_eq!(payment, "$1,500", "{payment}");
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
}

/// Deployed, the portal signs in with the OpenID Connect code flow and PKCE (S256). Against
/// the local provider (`CPOR_PORTAL_SIGN_IN=oidc`), which checks the verifier against the
/// challenge: Chromium goes to the authorization endpoint, comes back with a code and state,
/// exchanges them and lands signed in; the provider refuses a wrong verifier and a code used
/// twice, so the portal's S256 is what let it in.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_portal_signs_in_with_the_oidc_code_flow_and_pkce() {
    let s = crate::helpers::stack::stack_with(&[("CPOR_PORTAL_SIGN_IN", "oidc")]).await;
    let base = s.run.base_url.clone();
    let (who, url, found) = {
        let base = base.clone();
        tokio::task::spawn_blocking(move || {
            let d = Driver::start();
            let page = d.session("en");
            let mut found = Vec::new();
            show(&page, &base, "#/sign-in");
            check(&page, "sign-in-oidc", &mut found);
            page.click("main button.primary");
            page.wait_until("document.getElementById('who').innerText.includes('Fabrikam')");
            shown(&page);
            let who = page.run("return document.getElementById('who').innerText");
            let url = page.run("return location.href");
            (who, url, found)
        })
        .await
        .expect("browser")
    };
    assert!(
        who.as_str().unwrap_or_default().contains("Fabrikam Ltd"),
        "{who}"
    );
    assert!(
        !url.as_str().unwrap_or_default().contains("code="),
        "the code leaves the address bar: {url}"
    );
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));

    // the provider's checks are real: a verifier that does not hash to the challenge, and a
    // code already used, get nothing
    let (wrong, reused) = tokio::task::spawn_blocking(move || {
        use base64::Engine as _;
        use sha2::Digest as _;
        let verifier = "a-verifier-of-enough-length-0123456789-abcdefghij";
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        let redirect = format!("{base}/portal/");
        let code = || {
            let url = format!(
                "{base}/portal/dev-oidc/authorize?response_type=code&client_id=cpor-portal-local&state=s1&code_challenge_method=S256&code_challenge={challenge}&redirect_uri={}",
                form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
            );
            let r = request("GET", &url, &[], b"");
            assert_eq!(r.status, 302, "{}", r.text());
            let location = r.header("location").unwrap_or_default().to_owned();
            location
                .split("code=")
                .nth(1)
                .and_then(|c| c.split('&').next())
                .unwrap_or_default()
                .to_owned()
        };
        let exchange = |code: &str, verifier: &str| {
            let form = format!(
                "grant_type=authorization_code&client_id=cpor-portal-local&code={code}&code_verifier={verifier}&redirect_uri={}",
                form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
            );
            let headers = [(
                "content-type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )];
            request(
                "POST",
                &format!("{base}/portal/dev-oidc/token"),
                &headers,
                form.as_bytes(),
            )
            .status
        };
        let wrong = exchange(&code(), "not-the-verifier-not-the-verifier-not-the-verif");
        let good = code();
        assert_eq!(exchange(&good, verifier), 200, "the right verifier");
        (wrong, exchange(&good, verifier))
    })
    .await
    .expect("requests");
    assert_eq!(wrong, 400, "a wrong verifier");
    assert_eq!(reused, 400, "a code is used once");
}

/// Clicks the submit button of the action form `name` and returns the error box's text (the
/// API refused).
fn act_refused(page: &Session<'_>, name: &str) -> String {
    page.click(&format!("[data-action={name}] button[type=submit]"));
    page.wait_until(&format!(
        "document.querySelector('[data-action={name}] .errors')"
    ));
    page.run(&format!(
        "return document.querySelector('[data-action={name}] .errors').innerText"
    ))
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// The rest of a claim's life in the portal: a reviewer rejects with seed 003's reasons and
/// opens the PoE; the partner reads the reasons, comments, disputes citing the PoE, exports
/// the list as CSV; a too-early consent resend is refused with the API's words; a withdrawal
/// is final.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejection_is_read_disputed_and_exported_in_the_portal() {
    let s = stack().await;
    let rejected = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let rejected = rejected["id"].as_str().expect("id").to_owned();
    let withdrawn = s
        .submitted(ORG_A, &unique_tenant(), &customer_email())
        .await;
    let withdrawn = withdrawn["id"].as_str().expect("id").to_owned();
    let base = s.run.base_url.clone();
    let (seen, found) = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("en");
        let mut found = Vec::new();
        let mut seen = serde_json::Map::new();
        sign_in(&page, &base, "reviewer", "");
        show(&page, &base, &format!("#/claims/{rejected}"));
        act(&page, "start_review");
        page.click("[data-action=reject] input[value=insufficient_poe]");
        page.type_into("[data-action=reject] textarea[name=comment]", "The SOW is not signed");
        check(&page, "reviewer-reject", &mut found);
        act(&page, "reject");
        assert_eq!(status_text(&page), "Rejected");
        // the reviewer opens the PoE: a new window on the presigned download
        page.click("table button");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let download = loop {
            if let Some(file) = page.downloads().into_iter().next() {
                break file;
            }
            assert!(std::time::Instant::now() < deadline, "the PoE was downloaded");
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        seen.insert(
            "download".into(),
            json!(format!("{} {}", download.0, String::from_utf8_lossy(&download.1))),
        );
        page.click("#who button");
        sign_in(&page, &base, "incentives_admin", ORG_A);
        show(&page, &base, &format!("#/claims/{rejected}"));
        check(&page, "claim-rejected", &mut found);
        seen.insert("reasons".into(), page.run("return document.querySelector('main').innerText"));
        page.type_into("[data-action=comment] textarea", "We will send the signed SOW");
        act(&page, "comment");
        page.type_into("[data-action=dispute] textarea[name=justification]", "Signed SOW attached");
        page.click("[data-action=dispute] input[name=poeIds]");
        act(&page, "dispute");
        assert_eq!(status_text(&page), "Disputed");
        seen.insert("history".into(), page.run("return document.querySelector('ol.history').innerText"));
        // a resend, then another at once: the API's 429 (cooldown), in the page
        act(&page, "resend_consent");
        seen.insert("resend".into(), json!(act_refused(&page, "resend_consent")));
        // the list as CSV: the download the button builds
        show(&page, &base, "#/claims");
        seen.insert(
            "dashboard".into(),
            page.run("return document.querySelector('tbody').innerText"),
        );
        page.run("URL.createObjectURL = (blob) => { blob.text().then((t) => { window.csv = t; }); return '#'; };");
        page.click("button[data-export=csv]");
        page.wait_until("window.csv");
        seen.insert("csv".into(), page.run("return window.csv"));
        // withdrawing is final
        show(&page, &base, &format!("#/claims/{withdrawn}"));
        page.type_into("[data-action=withdraw] textarea", "Wrong customer");
        act(&page, "withdraw");
        seen.insert("withdrawn".into(), json!(status_text(&page)));
        check(&page, "claim-withdrawn", &mut found);
        (seen, found)
    })
    .await
    .expect("browser");
    let text = |k: &str| seen[k].as_str().unwrap_or_default().to_owned();
    assert!(
        text("reasons").contains("Insufficient proof of execution")
            && text("reasons").contains("The SOW is not signed"),
        "seed 003's reason and the reviewer's comment: {}",
        text("reasons")
    );
    assert!(
        text("history").contains("Comment") && text("history").contains("Microsoft reviewer"),
        "{}",
        text("history")
    );
    assert!(
        text("resend").contains("There is a problem"),
        "{}",
        text("resend")
    );
    let csv = text("csv");
    assert!(
        csv.lines().count() == 3,
        "a header and the two claims: {csv}"
    );
    assert!(csv.contains("\r\n") && csv.contains("Disputed"), "{csv}");
    assert_eq!(text("withdrawn"), "Rejected definitively");
    assert!(
        text("dashboard").contains("Awaiting reviewer"),
        "the disputed claim with the partner's comment waits for a reviewer: {}",
        text("dashboard")
    );
    assert!(
        text("download").starts_with("signed sow.pdf %PDF-1.7"),
        "the reviewer got the document as uploaded: {}",
        text("download")
    );
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
}
