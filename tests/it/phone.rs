//! Phone ID: a mobile number verified by a code sent through the SMS gateway signs in
//! like the email address.

use crate::common::browser::Browser;
use crate::common::sms::GATEWAY_AUTHORIZATION;
use crate::common::{ALICE, BOB, TestServer};

const NUMBER: &str = "+447700900123";

fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("a six-digit code").to_string()
}

/// Signs `who` in to the account on `browser` and gives them `number` as mobile number.
async fn with_number(browser: &Browser, (email, password): (&str, &str), number: &str) {
    let login = browser.open("/account").await;
    let account = browser.submit(&login, "/login", &[("email", email), ("password", password)]).await;
    let fields = [("given_name", "Pat"), ("family_name", "Example"), ("country", "GB"), ("locale", "en"), ("phone_number", number)];
    browser.submit(&account, "/account", &fields).await;
}

#[tokio::test]
async fn a_verified_mobile_number_signs_in_instead_of_the_email() {
    for srv in TestServer::each_backend().await {
        let browser = srv.browser();
        with_number(&browser, ALICE, "+44 7700 900123").await;
        let unverified = srv.browser();
        let refused = unverified.submit_login(&unverified.open("/login").await, NUMBER, ALICE.1).await;
        assert!(refused.body().contains("not correct"), "an unverified number does not sign in");

        let page = browser.open("/account/phone").await;
        assert!(page.body().contains("not verified yet"), "{}", page.body());
        let sent = browser.submit(&page, "/account/phone", &[("action", "send")]).await;
        assert!(sent.body().contains("We sent a code to +447700900123"), "{}", sent.body());
        let text = srv.sms.wait_for(NUMBER, 1).await;
        assert_eq!(text.authorization.as_deref(), Some(GATEWAY_AUTHORIZATION));
        assert_eq!(text.from, "oneid");
        assert!(text.text.contains("oneid"), "{}", text.text);
        let wrong = browser.submit(&sent, "/account/phone", &[("action", "verify"), ("code", "000000")]).await;
        assert!(wrong.body().contains("id=\"code-error\""));
        let verified = browser.submit(&wrong, "/account/phone", &[("action", "verify"), ("code", &code_in(&text.text))]).await;
        assert!(verified.body().contains("is verified"), "{}", verified.body());

        for written in ["+44 7700 900123", "0044 7700 900123"] {
            let phone = srv.browser();
            let signed_in = phone.submit_login(&phone.open("/login").await, written, ALICE.1).await;
            assert!(signed_in.url().ends_with('/'), "{written}: {}", signed_in.url());
        }

        // Bob cannot take the number over.
        let bob = srv.browser();
        with_number(&bob, BOB, NUMBER).await;
        let page = bob.open("/account/phone").await;
        let sent = bob.submit(&page, "/account/phone", &[("action", "send")]).await;
        let text = srv.sms.wait_for(NUMBER, 2).await;
        let taken = bob.submit(&sent, "/account/phone", &[("action", "verify"), ("code", &code_in(&text.text))]).await;
        assert!(taken.body().contains("already signs in to another account"), "{}", taken.body());
    }
}

#[tokio::test]
async fn sign_in_codes_come_by_text_when_chosen_with_an_honest_amr() {
    let srv = TestServer::start_with(crate::common::Backend::Sqlite, |c| c.second_factor.clients = vec!["web".into()]).await;
    let browser = srv.browser();
    with_number(&browser, ALICE, NUMBER).await;
    let page = browser.open("/account/phone").await;
    let sent = browser.submit(&page, "/account/phone", &[("action", "send")]).await;
    let code = code_in(&srv.sms.wait_for(NUMBER, 1).await.text);
    browser.submit(&sent, "/account/phone", &[("action", "verify"), ("code", &code)]).await;

    // Alice chooses text messages for her sign-in codes; the page says they are weaker.
    let security = browser.open("/account/security").await;
    assert!(security.body().contains("less safe than an authenticator app"), "{}", security.body());
    let saved = browser.submit(&security, "/account/security", &[("action", "code-channel"), ("channel", "sms")]).await;
    assert!(saved.body().contains("Your sign-in codes now go where you chose"), "{}", saved.body());
    assert!(srv.audit_events().await.contains(&"login_code_channel_changed".to_string()));

    // Signing in to the web client needs a second factor (policy): the code comes by text.
    let rp = crate::common::rp::Rp::web(&srv).await;
    let other = srv.browser();
    let pending = rp.start(&["email"]);
    let asked = other.submit_login(&other.open(&pending.url).await, ALICE.0, ALICE.1).await;
    assert!(asked.url().ends_with("/login/code"), "{}", asked.url());
    assert!(asked.body().contains("by text message to") && asked.body().contains("Send the code by email instead"), "{}", asked.body());
    assert!(!asked.body().contains("name=\"channel\" value=\"sms\""), "no way onto the weaker channel from here");
    let texted = code_in(&srv.sms.wait_for(NUMBER, 2).await.text);
    let wrong = other.submit(&asked, "/login/code", &[("code", "000000")]).await;
    assert!(wrong.body().contains("id=\"code-error\""));
    let consent = other.submit(&wrong, "/login/code", &[("code", &texted)]).await;
    let back = other.submit_consent(&consent, true).await;
    let code_at_rp = rp.code_from(&pending, back.left(), &srv.issuer);
    let tokens = rp.exchange(&code_at_rp, pending.verifier).await.expect("code exchange");
    let claims = crate::common::jwt_claims(&openidconnect::TokenResponse::id_token(&tokens).expect("id token").to_string());
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "sms", "mfa"]));
    assert_eq!(claims["acr"], "urn:oneid:acr:2fa");

    // From the code page, the code can come by email instead (and the emailed one is asked).
    srv.clock.advance(61);
    let third = srv.browser();
    let asked = third.submit_login(&third.open(&rp.start(&["email"]).url).await, ALICE.0, ALICE.1).await;
    assert!(asked.body().contains("by text message to"), "{}", asked.body());
    srv.sms.wait_for(NUMBER, 3).await;
    // One code a minute across both channels.
    let too_soon = third.submit(&asked, "/login/code/resend", &[("channel", "email")]).await;
    assert!(too_soon.body().contains("less than a minute ago"), "{}", too_soon.body());
    srv.clock.advance(61);
    let by_mail = third.submit(&asked, "/login/code/resend", &[("channel", "email")]).await;
    assert!(by_mail.body().contains("We sent a 6-digit code to alice@example.com"), "{}", by_mail.body());
    let mail = srv.mail.wait_for_subject(ALICE.0, "security code").await;
    let mailed = code_in(&mail.text());
    let consent = third.submit(&by_mail, "/login/code", &[("code", &mailed)]).await;
    assert!(consent.is_consent_page() || consent.left().starts_with(crate::common::WEB_REDIRECT), "{}", consent.url());
}
