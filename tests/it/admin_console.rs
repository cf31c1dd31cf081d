//! The settings console (F50, F52) in headless chromium: an administrator signs in
//! through oneid itself, is refused until a passkey is set up, then signs in with the
//! passkey, creates a client, tightens the lockout policy, unlocks a user who ran into
//! it, and finds each step in the audit log.

use crate::common::webdriver::{self, Chrome};
use crate::common::{ALICE, BOB, Backend, TestServer};

async fn wait_for_text(chrome: &Chrome, text: &str) -> String {
    chrome.wait_for_source(|source| source.contains(text)).await
}

#[tokio::test]
async fn an_administrator_runs_the_console_with_a_passkey() {
    if !webdriver::available() {
        return;
    }
    let srv = TestServer::start_with(Backend::Sqlite, |c| c.issuer = format!("http://localhost:{}", c.bind.port())).await;
    let alice = srv.user_id(ALICE.0).await;
    oneid::admin::users::set_admin(srv.state.ctx(), &alice, true, &oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli()).await.unwrap();
    let chrome = Chrome::start().await;
    let authenticator = chrome.add_virtual_authenticator().await;

    // The console sends Alice through oneid's sign-in; a password alone is not enough.
    chrome.open(&srv.url("/admin/clients")).await;
    chrome.wait_for_source(|s| s.contains("name=\"password\"")).await;
    chrome.type_into("#email", ALICE.0).await;
    chrome.type_into("#password", ALICE.1).await;
    chrome.click("form[action=\"/login\"] button[type=submit]").await;
    let refused = wait_for_text(&chrome, "Set up a second factor first").await;
    assert!(refused.contains("/account/security"), "the page shows where to set one up");

    // She adds a passkey (her oneid session is fresh) and signs in to the console with it.
    chrome.open(&srv.url("/account/passkeys")).await;
    chrome.type_into("#name", "Admin laptop").await;
    chrome.click("form[data-passkey-add] button[type=submit]").await;
    wait_for_text(&chrome, "Admin laptop").await;
    assert_eq!(chrome.virtual_credentials(&authenticator).await.len(), 1);
    // (prompt=login asks for a sign-in newer than the request: let the test clock move.)
    srv.clock.advance(2);
    chrome.open(&srv.url("/admin/signin?fresh=1&next=/admin/clients")).await;
    // The sign-in page offers the passkey by autofill (conditional mediation), which the
    // virtual authenticator answers at once.
    chrome.wait_for_url(|u| u.ends_with("/admin/clients")).await;
    wait_for_text(&chrome, "New client").await;

    // A new client: its secret is shown once, and it authenticates at once.
    chrome.open(&srv.url("/admin/clients/new")).await;
    chrome.type_into("#id", "console-made").await;
    chrome.type_into("#name", "Made in the console").await;
    chrome.type_into("#redirect_uris", "https://made.example.com/callback").await;
    chrome.click("form.wide button[type=submit]").await;
    wait_for_text(&chrome, "The secret of console-made").await;
    let secret = chrome.eval("return document.getElementById('client-secret').textContent").await;
    let secret = secret.as_str().expect("the secret on the page").to_string();
    let check = srv.post_form("/introspect", Some(("console-made", &secret)), &[("token", "x")]).await;
    assert_eq!(check.status(), 200, "the console's client authenticates with its secret");
    chrome.screenshot("console-client-secret").await;

    // Lockout after two wrong passwords instead of five.
    chrome.open(&srv.url("/admin/policy")).await;
    chrome.type_into("[id='lockout.threshold']", "2").await;
    chrome.click("form.wide button[type=submit]").await;
    wait_for_text(&chrome, "The policies are saved").await;
    assert_eq!(srv.state.ctx().policy().lockout.threshold, 2);

    // Bob's next sign-in attempts meet the new policy.
    let browser = srv.browser();
    for _ in 0..2 {
        let page = browser.open(&srv.url("/login")).await;
        assert!(browser.submit_login(&page, BOB.0, "not his password").await.is_login_page());
    }
    let page = browser.open(&srv.url("/login")).await;
    let locked = browser.submit_login(&page, BOB.0, BOB.1).await;
    assert!(locked.body().contains("Too many failed sign-in attempts"), "two wrong passwords lock Bob out now");

    // Alice finds Bob and unlocks him.
    chrome.open(&srv.url("/admin/users?q=bob")).await;
    wait_for_text(&chrome, BOB.0).await;
    chrome.click("table.list a").await;
    chrome.wait_for_url(|u| u.contains("/admin/users/")).await;
    chrome.click("button[value=unlock]").await;
    wait_for_text(&chrome, "The account is unlocked").await;
    let page = browser.open(&srv.url("/login")).await;
    assert!(!browser.submit_login(&page, BOB.0, BOB.1).await.is_login_page(), "Bob signs in again");

    // Each step is in the audit log, with who did it and what changed.
    srv.state.ctx().store.flush_audit().await;
    chrome.open(&srv.url("/admin/audit")).await;
    let log = wait_for_text(&chrome, "user_unlocked").await;
    for event in ["console_signed_in", "client_created", "policy_changed", "user_unlocked"] {
        assert!(log.contains(event), "{event} missing from the audit page");
    }
    assert!(log.contains(&format!("user:{alice}")), "the actor is named");
    assert!(log.contains("\"threshold\": 5") && log.contains("\"threshold\": 2"), "the policy change shows before and after");
    chrome.open(&srv.url(&format!("/admin/audit?event=user_unlocked&actor=user:{alice}"))).await;
    let filtered = wait_for_text(&chrome, "1 events").await;
    assert!(!filtered.contains("client_created"));

    // Previews: any brand's sign-in page and activation email, in any language.
    chrome.open(&srv.url("/admin/preview")).await;
    wait_for_text(&chrome, "activation email").await;
    chrome.open(&srv.url("/admin/preview/login?brand=bmw&lang=de")).await;
    let login = wait_for_text(&chrome, "lang=\"de\"").await;
    assert!(login.contains("brand-bmw.css") && login.contains("Passwort"), "the BMW sign-in page in German");
    let csp = srv.http().get(srv.url("/admin/preview/login?brand=bmw&lang=de")).send().await.unwrap();
    assert_eq!(csp.status(), 303, "the preview is the console's: it needs the console's session");
    chrome.open(&srv.url("/admin/preview/activation?brand=mini&lang=fr")).await;
    let mail = wait_for_text(&chrome, "no-reply@mini.example.com").await;
    assert!(mail.contains("MINI ID") && mail.contains("/register/activate?token=PREVIEW"), "the MINI activation email in French");
    chrome.open(&srv.url("/admin/preview/activation.html?brand=mini&lang=fr")).await;
    wait_for_text(&chrome, "MINI").await;

    // Destructive actions ask first.
    chrome.open(&srv.url("/admin/clients/console-made")).await;
    chrome.click("form[action$='/delete'] button").await;
    wait_for_text(&chrome, "Delete the client console-made?").await;
    chrome.click("button.danger").await;
    wait_for_text(&chrome, "The client is deleted").await;
    assert!(srv.state.ctx().store.client_by_id("console-made").await.unwrap().is_none());
}

#[tokio::test]
async fn the_console_admits_administrators_only() {
    if !webdriver::available() {
        return;
    }
    let srv = TestServer::start_with(Backend::Sqlite, |c| c.issuer = format!("http://localhost:{}", c.bind.port())).await;
    let chrome = Chrome::start().await;
    chrome.open(&srv.url("/admin")).await;
    chrome.wait_for_source(|s| s.contains("name=\"password\"")).await;
    chrome.type_into("#email", BOB.0).await;
    chrome.type_into("#password", BOB.1).await;
    chrome.click("form[action=\"/login\"] button[type=submit]").await;
    let page = wait_for_text(&chrome, "Administrators only").await;
    assert!(!page.contains("Sign out"), "no console for Bob");
    // A forged console cookie is not accepted either.
    let response = srv.http().get(srv.url("/admin/users")).header("cookie", "oneid_console=e30.AAAA").send().await.unwrap();
    assert_eq!(response.status(), 303, "back to the sign-in");
}
