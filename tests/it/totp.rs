//! Authenticator apps: enrolment with a QR code and a first code, sign-in with codes
//! that work once, recovery codes, and removal.

use openidconnect::TokenResponse;

use crate::common::browser::{Browser, Landing};
use crate::common::rp::Rp;
use crate::common::totp::{app_code, recovery_codes_on};
use crate::common::{ALICE, TestServer, jwt_claims};

async fn enrol(srv: &TestServer, browser: &Browser) -> (String, Vec<String>) {
    crate::common::totp::enrol(srv, browser, ALICE).await
}

async fn password_step(browser: &Browser) -> Landing {
    let page = browser.open("/login").await;
    let asked = browser.submit_login(&page, ALICE.0, ALICE.1).await;
    assert!(asked.url().ends_with("/login/totp"), "{}", asked.url());
    asked
}

#[tokio::test]
async fn an_authenticator_app_signs_in_with_codes_that_work_once() {
    for srv in TestServer::each_backend().await {
        let (secret, _) = enrol(&srv, &srv.browser()).await;
        // The code that confirmed the enrolment cannot sign in: its step is used.
        let browser = srv.browser();
        let asked = password_step(&browser).await;
        let replay = browser.submit(&asked, "/login/totp", &[("code", &app_code(&secret, srv.clock_now()))]).await;
        assert!(replay.body().contains("id=\"code-error\""), "replay blocked");

        srv.clock.advance(30);
        let rp = Rp::web(&srv).await;
        let rp_browser = srv.browser();
        let pending = rp.start(&["email"]);
        let login = rp_browser.open(&pending.url).await;
        let asked = rp_browser.submit_login(&login, ALICE.0, ALICE.1).await;
        let consent = rp_browser.submit(&asked, "/login/totp", &[("code", &app_code(&secret, srv.clock_now()))]).await;
        let back = rp_browser.submit_consent(&consent, true).await;
        let code = rp.code_from(&pending, back.left(), &srv.issuer);
        let tokens = rp.exchange(&code, pending.verifier).await.expect("code exchange");
        let claims = jwt_claims(&tokens.id_token().unwrap().to_string());
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));
        assert_eq!(claims["acr"], "urn:oneid:acr:2fa");
    }
}

/// An enrolment begun (the QR code shown) but never confirmed asks for no code.
#[tokio::test]
async fn an_unconfirmed_app_asks_for_no_code() {
    for srv in TestServer::each_backend().await {
        let browser = srv.browser();
        let login = browser.open("/account").await;
        browser.submit(&login, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
        assert!(browser.open("/account/totp").await.body().contains("<code class=\"secret\">"));
        let other = srv.browser();
        let signed_in = other.submit_login(&other.open("/login").await, ALICE.0, ALICE.1).await;
        assert!(!signed_in.url().ends_with("/login/totp") && !signed_in.is_login_page(), "{}", signed_in.url());
    }
}

#[tokio::test]
async fn recovery_codes_work_once_and_can_be_replaced() {
    let srv = TestServer::start().await;
    let account = srv.browser();
    let (_, codes) = enrol(&srv, &account).await;
    let browser = srv.browser();
    let asked = password_step(&browser).await;
    let inside = browser.submit(&asked, "/login/totp", &[("recovery_code", &codes[0].to_uppercase())]).await;
    assert!(inside.url().ends_with('/'), "a recovery code signs in: {}", inside.url());
    let again = srv.browser();
    let asked = password_step(&again).await;
    let used = again.submit(&asked, "/login/totp", &[("recovery_code", &codes[0])]).await;
    assert!(used.body().contains("id=\"code-error\""), "each works once");

    let page = account.open("/account/totp").await;
    assert!(page.body().contains("Recovery codes left: 9"), "{}", page.body());
    let fresh = account.submit(&page, "/account/totp", &[("action", "recovery-codes"), ("current_password", ALICE.1)]).await;
    assert_eq!(recovery_codes_on(&fresh).len(), 10);
    let later = srv.browser();
    let asked = password_step(&later).await;
    let old = later.submit(&asked, "/login/totp", &[("recovery_code", &codes[1])]).await;
    assert!(old.body().contains("id=\"code-error\""), "replaced codes stop working");
}

#[tokio::test]
async fn guessing_codes_locks_and_removing_the_app_takes_the_password() {
    let srv = TestServer::start().await;
    let account = srv.browser();
    let (secret, _) = enrol(&srv, &account).await;
    let browser = srv.browser();
    let mut page = password_step(&browser).await;
    for _ in 0..5 {
        page = browser.submit(&page, "/login/totp", &[("code", "000000")]).await;
    }
    srv.clock.advance(30);
    let locked = browser.submit(&page, "/login/totp", &[("code", &app_code(&secret, srv.clock_now()))]).await;
    assert!(locked.body().contains("Too many failed"), "{}", locked.body());

    let page = account.open("/account/totp").await;
    let wrong = account.submit(&page, "/account/totp", &[("action", "remove"), ("current_password", "not the password!")]).await;
    assert!(wrong.body().contains("current_password-error"));
    let removed = account.submit(&page, "/account/totp", &[("action", "remove"), ("current_password", ALICE.1)]).await;
    assert!(removed.body().contains("was removed"), "{}", removed.body());
    oneid::admin::users::unlock(srv.state.ctx(), &srv.user_id(ALICE.0).await, &oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli()).await.unwrap();
    let plain = srv.browser();
    let signed_in = plain.submit_login(&plain.open("/login").await, ALICE.0, ALICE.1).await;
    assert!(signed_in.url().ends_with('/'), "no second factor any more: {}", signed_in.url());
}

#[tokio::test]
async fn an_emailed_code_cannot_stand_in_for_the_app() {
    let srv = TestServer::start().await;
    enrol(&srv, &srv.browser()).await;
    let browser = srv.browser();
    let asked = password_step(&browser).await;
    let csrf = crate::common::browser::hidden(asked.body(), "csrf").expect("csrf");
    let resend = browser.post("/login/code/resend", &[("csrf", &csrf)]).await;
    assert!(resend.url().ends_with("/login/totp"), "no emailed code for an account with an app: {}", resend.url());
    let code = browser.post("/login/code", &[("csrf", &csrf), ("code", "123456")]).await;
    assert!(code.url().ends_with("/login/totp"), "{}", code.url());
    assert!(srv.mail.messages_to(ALICE.0).iter().all(|m| !m.subject().contains("security code")), "no code was mailed");
}
