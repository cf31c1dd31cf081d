//! The account flow in a real browser (headless Debian chromium): a person follows a
//! relying party's sign-in, registers (the page's proof of work runs in the browser),
//! activates from the email and lands back at the client, logged in, once per brand.
//! Screenshots go to `target/screenshots/` as test artifacts.

use crate::common::rp::Rp;
use crate::common::webdriver::{self, Chrome};
use crate::common::{Backend, TestServer, WEB_SECRET};

#[tokio::test]
async fn registration_activation_and_return_to_the_client_in_chromium() {
    if !webdriver::available() {
        return;
    }
    // WebAuthn and secure-context APIs want a host name, not an IP literal.
    let srv = TestServer::start_with(Backend::Sqlite, |c| c.issuer = format!("http://localhost:{}", c.bind.port())).await;
    for (client, brand, lang, email, redirect) in [
        ("mini-portal", "MINI", "fr", "marie.dupont@example.com", "https://mini.example.com/callback"),
        ("bmw-portal", "BMW", "de", "jonas.weber@example.com", "https://bmw.example.com/callback"),
        // First party: no consent, so activating redirects straight to the client,
        // which the confirmation page's CSP must allow.
        ("first-party", "oneid", "en", "ana.silva@example.com", "https://first.example.com/callback"),
    ] {
        // A new person on a new browser (fresh profile, no session).
        let chrome = Chrome::start().await;
        let rp = Rp::new(&srv, client, Some(WEB_SECRET), redirect).await;
        let pending = rp.start(&["profile", "email"]);
        chrome.open(&format!("{}&ui_locales={lang}", pending.url)).await;
        let login = chrome.source().await;
        assert!(login.contains(&format!("lang=\"{lang}\"")) && login.contains(&format!(">{brand}</header>")), "{login}");
        chrome.screenshot(&format!("login-{}", brand.to_lowercase())).await;

        chrome.click("a[href^=\"/register\"]").await;
        chrome.wait_for_url(|u| u.contains("/register")).await;
        chrome.type_into("#email", email).await;
        chrome.type_into("#password", "lanterns drift over quiet harbours").await;
        chrome.click("button.toggle-password").await;
        assert!(chrome.source().await.contains("aria-pressed=\"true\""), "show/hide password works");
        chrome.type_into("#given_name", "Marie-Zoë").await;
        chrome.type_into("#family_name", "Dupont-Weber").await;
        chrome.select("#country", "PT").await;
        chrome.click("#terms").await;
        chrome.screenshot(&format!("register-{}", brand.to_lowercase())).await;
        chrome.click("form[action=\"/register\"] button[type=submit]").await;
        // The proof of work runs, then the form is sent.
        let mut sent = String::new();
        for _ in 0..200 {
            sent = chrome.source().await;
            if sent.contains(email) && sent.contains("role=\"status\"") && !sent.contains("id=\"pow-error\"") && !sent.contains("form action=\"/register\"") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(sent.contains(email), "the confirmation page names the address: {sent}");

        let mail = srv.mail.wait_for(email, 1).await;
        let link = mail.link(&format!("{}/register/activate", srv.issuer));
        chrome.open(&link).await;
        chrome.click("form button[type=submit]").await;
        if client != "first-party" {
            chrome.wait_for_url(|u| u.contains("/consent")).await;
            chrome.screenshot(&format!("consent-{}", brand.to_lowercase())).await;
            chrome.click("button[value=allow]").await;
        }
        let landed = chrome.wait_for_url(|u| u.starts_with(redirect)).await;

        let code = rp.code_from(&pending, &landed, &srv.issuer);
        let tokens = rp.exchange(&code, pending.verifier).await.expect("code exchange");
        let claims = rp.verify_id_token(&tokens, &pending.nonce);
        assert_eq!(claims.email().map(|e| e.as_str()), Some(email));
        let info = rp.userinfo(&tokens).await.expect("userinfo");
        assert_eq!(info.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("Marie-Zoë"));
        assert_eq!(info.locale().map(|l| l.as_str()), Some(lang), "the page's language became the preferred one");
    }
}

/// The in-car sign-in (RFC 8628) as a person meets it: the car shows a code, the person
/// opens the verification page in chromium, types the code, signs in, compares the
/// code and allows; the car's polling then gets tokens.
#[tokio::test]
async fn a_car_is_approved_from_chromium_through_the_device_flow() {
    if !webdriver::available() {
        return;
    }
    let srv = TestServer::start_with(Backend::Sqlite, |c| c.issuer = format!("http://localhost:{}", c.bind.port())).await;
    let started: serde_json::Value = srv.post_form("/device_authorization", None, &[("client_id", "car"), ("scope", "openid email offline_access")]).await.json().await.unwrap();
    let (device_code, user_code) = (started["device_code"].as_str().unwrap().to_string(), started["user_code"].as_str().unwrap().to_string());
    let form = [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", device_code.as_str()), ("client_id", "car")];
    let token = || srv.post_form("/token", None, &form);
    assert_eq!(crate::common::oauth_error(token().await).await.1, "authorization_pending");

    let chrome = Chrome::start().await;
    chrome.open(started["verification_uri"].as_str().unwrap()).await;
    // Typed as a person might: lower case, without the dash.
    chrome.type_into("#user_code", &user_code.to_lowercase().replace('-', "")).await;
    chrome.click("form[action=\"/device\"] button[type=submit]").await;
    chrome.wait_for_url(|u| u.contains("/login")).await;
    chrome.type_into("#email", crate::common::ALICE.0).await;
    chrome.type_into("#password", crate::common::ALICE.1).await;
    chrome.click("form[action=\"/login\"] button[type=submit]").await;
    let confirm = chrome.wait_for_source(|s| s.contains("/device/decide")).await;
    assert!(confirm.contains(&user_code), "the page shows the code to compare: {confirm}");
    chrome.screenshot("device-confirm").await;
    chrome.click("button[value=allow]").await;
    chrome.wait_for_source(|s| s.contains("your device is signed in")).await;

    srv.clock.advance(6);
    let tokens: serde_json::Value = token().await.json().await.unwrap();
    let claims = crate::common::jwt_claims(tokens["id_token"].as_str().expect("an ID token"));
    assert_eq!((claims["aud"].as_str(), claims["email"].as_str()), (Some("car"), Some(crate::common::ALICE.0)));
    assert!(tokens["refresh_token"].is_string(), "the car keeps its sign-in");
}
