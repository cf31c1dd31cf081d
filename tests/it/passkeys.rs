//! Passkeys in a real browser (headless chromium with WebDriver's virtual
//! authenticator): added in account security, then signing in without a password by
//! the button and by autofill, with phishing-resistant claims.

use crate::common::rp::Rp;
use crate::common::webdriver::{self, Chrome};
use crate::common::{ALICE, Backend, TestServer, jwt_claims};
use openidconnect::TokenResponse;

async fn wait_for_text(chrome: &Chrome, text: &str) -> String {
    for _ in 0..200 {
        let source = chrome.source().await;
        if source.contains(text) {
            return source;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let reason = chrome.eval("const s = document.querySelector('.passkey-status'); return s ? s.dataset.reason : null").await;
    panic!("{text:?} never appeared at {} (passkey status: {reason}):\n{}", chrome.url().await, chrome.source().await);
}

#[tokio::test]
async fn a_passkey_is_added_then_signs_in_without_a_password() {
    if !webdriver::available() {
        return;
    }
    let srv = TestServer::start_with(Backend::Sqlite, |c| c.issuer = format!("http://localhost:{}", c.bind.port())).await;
    let chrome = Chrome::start().await;
    let authenticator = chrome.add_virtual_authenticator().await;

    // Signed in with the password, Alice adds a passkey.
    chrome.open(&srv.url("/login")).await;
    assert!(chrome.source().await.contains("autocomplete=\"username webauthn\""), "the username field offers passkeys");
    chrome.open(&srv.url("/account/passkeys")).await;
    chrome.wait_for_url(|u| u.contains("/login")).await;
    chrome.type_into("#email", ALICE.0).await;
    chrome.type_into("#password", ALICE.1).await;
    chrome.click("form[action=\"/login\"] button[type=submit]").await;
    chrome.wait_for_url(|u| u.ends_with("/account/passkeys")).await;
    chrome.type_into("#name", "Test laptop").await;
    chrome.click("form[data-passkey-add] button[type=submit]").await;
    wait_for_text(&chrome, "<strong>Test laptop</strong>").await;
    let credentials = chrome.virtual_credentials(&authenticator).await;
    assert_eq!(credentials.len(), 1);
    assert_eq!(credentials[0]["isResidentCredential"], true, "a discoverable credential, so autofill can offer it");
    srv.mail.wait_for_subject(ALICE.0, "passkey was added").await;

    // A relying party's sign-in, by autofill: the username field offers the passkey
    // (conditional mediation), and the virtual authenticator picks it as a person would.
    let rp = Rp::web(&srv).await;
    chrome.delete_cookie("oneid_session").await;
    let claims = passkey_sign_in(&srv, &rp, &chrome, false).await;
    assert_eq!(claims["acr"], "urn:oneid:acr:phr", "phishing resistant");
    assert_eq!(claims["amr"], serde_json::json!(["hwk", "user", "mfa"]));

    // By the button: while verification fails, autofill gives up; then the button works.
    // (Cookies are deleted for the current site, so go back to ours first.)
    chrome.open(&srv.url("/healthz")).await;
    chrome.delete_cookie("oneid_session").await;
    let claims = passkey_sign_in_by_button(&srv, &rp, &chrome, &authenticator).await;
    assert_eq!(claims["acr"], "urn:oneid:acr:phr");
    chrome.screenshot("passkey-signed-in").await;
}

/// Opens a sign-in for `rp` and follows it to the client; returns the ID token claims.
async fn passkey_sign_in(srv: &TestServer, rp: &Rp, chrome: &Chrome, consented: bool) -> serde_json::Value {
    let pending = rp.start(&["email"]);
    chrome.open(&pending.url).await;
    if !consented {
        chrome.wait_for_url(|u| u.contains("/consent")).await;
        chrome.click("button[value=allow]").await;
    }
    let landed = chrome.wait_for_url(|u| u.starts_with("https://portal.example.com/callback")).await;
    let code = rp.code_from(&pending, &landed, &srv.issuer);
    let tokens = rp.exchange(&code, pending.verifier).await.expect("code exchange");
    jwt_claims(&tokens.id_token().unwrap().to_string())
}

async fn passkey_sign_in_by_button(srv: &TestServer, rp: &Rp, chrome: &Chrome, authenticator: &str) -> serde_json::Value {
    chrome.set_user_verified(authenticator, false).await;
    let pending = rp.start(&["email"]);
    chrome.open(&pending.url).await;
    chrome.wait_for_source(|s| s.contains("name=\"password\"")).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(chrome.url().await.starts_with(&srv.url("/authorize?")), "no sign-in without user verification");
    chrome.set_user_verified(authenticator, true).await;
    chrome.click("[data-passkey-login] button").await;
    let landed = chrome.wait_for_url(|u| u.starts_with("https://portal.example.com/callback")).await;
    let code = rp.code_from(&pending, &landed, &srv.issuer);
    let tokens = rp.exchange(&code, pending.verifier).await.expect("code exchange");
    jwt_claims(&tokens.id_token().unwrap().to_string())
}
