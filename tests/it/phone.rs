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
