//! Two-factor sign-in with a code sent by email: turned on with the password and a first
//! code, then asked for at every sign-in, with honest `acr`/`amr` claims.

use openidconnect::TokenResponse;

use crate::common::browser::{Browser, Landing};
use crate::common::rp::Rp;
use crate::common::{ALICE, TestServer, jwt_claims};

/// The six digits of the newest code mail to `email` (the `count`-th code so far).
async fn code_from_mail(srv: &TestServer, count: usize) -> String {
    let mut seen = 0;
    for _ in 0..200 {
        let codes: Vec<_> = srv.mail.messages_to(ALICE.0).into_iter().filter(|m| m.subject().contains("security code")).collect();
        seen = codes.len();
        if seen >= count {
            let text = codes[count - 1].text();
            return text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("a six-digit code").to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("code mail #{count} never came (saw {seen})");
}

async fn sign_in_to_account(browser: &Browser) -> Landing {
    let login = browser.open("/account").await;
    browser.submit(&login, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await
}

async fn turn_on(srv: &TestServer, browser: &Browser) {
    sign_in_to_account(browser).await;
    let page = browser.open("/account/security").await;
    let wrong = browser.submit(&page, "/account/security", &[("current_password", "not the password!")]).await;
    assert!(wrong.body().contains("id=\"current_password-error\""));
    let code_page = browser.submit(&page, "/account/security", &[("current_password", ALICE.1)]).await;
    assert!(code_page.body().contains("autocomplete=\"one-time-code\""), "{}", code_page.body());
    let code = code_from_mail(srv, 1).await;
    let wrong = browser.submit(&code_page, "/account/security/code", &[("code", "000000")]).await;
    assert!(wrong.body().contains("id=\"code-error\""), "a wrong code is refused");
    let done = browser.submit(&wrong, "/account/security/code", &[("code", &code)]).await;
    assert!(done.body().contains("Two-factor authentication is on"), "{}", done.body());
    srv.mail.wait_for_subject(ALICE.0, "turned on").await;
}

#[tokio::test]
async fn an_emailed_code_is_asked_at_every_sign_in_once_turned_on() {
    for srv in TestServer::each_backend().await {
        turn_on(&srv, &srv.browser()).await;

        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let pending = rp.start(&["email"]);
        let login = browser.open(&pending.url).await;
        let asked = browser.submit_login(&login, ALICE.0, ALICE.1).await;
        assert!(asked.url().ends_with("/login/code"), "the password alone does not sign in: {}", asked.url());
        assert!(srv.audit_events().await.contains(&"second_factor_requested".to_string()));
        let code = code_from_mail(&srv, 2).await;
        let consent = browser.submit(&asked, "/login/code", &[("code", &code)]).await;
        let back = browser.submit_consent(&consent, true).await;
        let code_at_rp = rp.code_from(&pending, back.left(), &srv.issuer);
        let tokens = rp.exchange(&code_at_rp, pending.verifier).await.expect("code exchange");
        let claims = jwt_claims(&tokens.id_token().expect("id token").to_string());
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
        assert_eq!(claims["acr"], "urn:oneid:acr:2fa", "two factors, and no claim of phishing resistance");

        // The code worked once.
        let other = srv.browser();
        let second = other.submit_login(&other.open("/login").await, ALICE.0, ALICE.1).await;
        let reused = other.submit(&second, "/login/code", &[("code", &code)]).await;
        assert!(reused.body().contains("id=\"code-error\""));
    }
}

#[tokio::test]
async fn codes_allow_five_attempts_expire_and_are_resent_with_a_cooldown() {
    let srv = TestServer::start().await;
    turn_on(&srv, &srv.browser()).await;
    let browser = srv.browser();
    let asked = browser.submit_login(&browser.open("/login").await, ALICE.0, ALICE.1).await;
    let code = code_from_mail(&srv, 2).await;
    let mut page = asked;
    for _ in 0..5 {
        page = browser.submit(&page, "/login/code", &[("code", "999999")]).await;
        assert!(page.body().contains("not correct") || page.body().contains("tried too often"));
    }
    let spent = browser.submit(&page, "/login/code", &[("code", &code)]).await;
    assert!(spent.body().contains("tried too often"), "five attempts, then the code is dead: {}", spent.body());

    let too_soon = browser.submit(&spent, "/login/code/resend", &[]).await;
    assert!(too_soon.body().contains("less than a minute ago"), "{}", too_soon.body());
    srv.clock.advance(61);
    let resent = browser.submit(&too_soon, "/login/code/resend", &[]).await;
    assert!(resent.body().contains("We sent a new code"));
    let fresh = code_from_mail(&srv, 3).await;
    srv.clock.advance(601);
    let expired = browser.submit(&resent, "/login/code/resend", &[]).await;
    // The sign-in itself waited too long as well.
    assert_eq!(expired.status(), 400);
    let late = srv.browser();
    let again = late.submit_login(&late.open("/login").await, ALICE.0, ALICE.1).await;
    let old = late.submit(&again, "/login/code", &[("code", &fresh)]).await;
    assert!(old.body().contains("id=\"code-error\""), "an expired code does not work");
}

#[tokio::test]
async fn turning_it_off_takes_the_password_and_tells_the_owner() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    turn_on(&srv, &browser).await;
    let page = browser.open("/account/security").await;
    let off = browser.submit(&page, "/account/security", &[("current_password", ALICE.1)]).await;
    assert!(off.body().contains("Two-factor authentication is off"), "{}", off.body());
    srv.mail.wait_for_subject(ALICE.0, "turned off").await;
    let plain = srv.browser();
    let signed_in = plain.submit_login(&plain.open("/login").await, ALICE.0, ALICE.1).await;
    assert!(signed_in.url().ends_with('/'), "no code any more: {}", signed_in.url());
}

#[tokio::test]
async fn a_client_asking_for_two_factors_gets_a_step_up_or_an_honest_acr() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
    // Alice turns on the emailed code elsewhere; this browser's session stays 1fa.
    turn_on(&srv, &srv.browser()).await;

    let plain = rp.start(&["email"]);
    let reused = browser.open(&plain.url).await;
    assert!(reused.left().contains("code="), "without acr_values the session is enough");

    let pending = rp.start(&["email"]);
    let stepped = browser.open(&format!("{}&acr_values=urn%3Aoneid%3Aacr%3A2fa", pending.url)).await;
    assert!(stepped.is_login_page(), "a 1fa session is not enough for acr 2fa");
    let asked = browser.submit_login(&stepped, ALICE.0, ALICE.1).await;
    let code = code_from_mail(&srv, 2).await;
    let back = browser.submit(&asked, "/login/code", &[("code", &code)]).await;
    let code_at_rp = rp.code_from(&pending, back.left(), &srv.issuer);
    let tokens = rp.exchange(&code_at_rp, pending.verifier).await.expect("code exchange");
    assert_eq!(jwt_claims(&tokens.id_token().unwrap().to_string())["acr"], "urn:oneid:acr:2fa");

    // Bob has no second factor: he is not sent round in circles, and the token says 1fa.
    let bob = srv.browser();
    let pending = rp.start(&["email"]);
    let login = bob.open(&format!("{}&acr_values=urn%3Aoneid%3Aacr%3A2fa", pending.url)).await;
    let consent = bob.submit_login(&login, crate::common::BOB.0, crate::common::BOB.1).await;
    let back = bob.submit_consent(&consent, true).await;
    let code_at_rp = rp.code_from(&pending, back.left(), &srv.issuer);
    let tokens = rp.exchange(&code_at_rp, pending.verifier).await.expect("code exchange");
    assert_eq!(jwt_claims(&tokens.id_token().unwrap().to_string())["acr"], "urn:oneid:acr:1fa");
}

#[tokio::test]
async fn security_changes_need_a_recent_sign_in_with_every_factor() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    turn_on(&srv, &browser).await;
    assert!(browser.open("/account/password").await.url().ends_with("/account/password"), "just signed in: allowed");
    srv.clock.advance(16 * 60);
    assert!(browser.open("/account").await.url().ends_with("/account"), "the profile itself stays open");
    let again = browser.open("/account/password").await;
    assert!(again.url().contains("/login?next="), "an old sign-in must sign in again first: {}", again.url());
    let asked = browser.submit(&again, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    assert!(asked.url().ends_with("/login/code"), "with the second factor too: {}", asked.url());
    let code = code_from_mail(&srv, 2).await;
    let back = browser.submit(&asked, "/login/code", &[("code", &code)]).await;
    assert!(back.url().ends_with("/account/password"), "and back to the change: {}", back.url());
}
