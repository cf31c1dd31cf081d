//! Device authorization ("link your account") and trusted devices.

use openidconnect::TokenResponse;

use crate::common::browser::{Browser, Landing};
use crate::common::rp::Rp;
use crate::common::{ALICE, Backend, TestServer, jwt_claims};

const DEVICE_ACR: &str = "urn%3Aoneid%3Aacr%3Adevice";

async fn mailed_code(srv: &TestServer, count: usize) -> String {
    for _ in 0..200 {
        let codes: Vec<_> = srv.mail.messages_to(ALICE.0).into_iter().filter(|m| m.subject().contains("security code")).collect();
        if codes.len() >= count {
            let text = codes[count - 1].text();
            return text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no code mail #{count}");
}

/// An RP sign-in asking for the device acr; returns the ID token's claims.
async fn sign_in(srv: &TestServer, rp: &Rp, browser: &Browser, through: impl AsyncFnOnce(Landing) -> Landing) -> serde_json::Value {
    // prompt=login wants a login newer than the request: let a second pass.
    srv.clock.advance(1);
    let pending = rp.start(&["email"]);
    let login = browser.open(&format!("{}&acr_values={DEVICE_ACR}&prompt=login", pending.url)).await;
    let after_password = browser.submit_login(&login, ALICE.0, ALICE.1).await;
    let mut landing = through(after_password).await;
    if landing.is_consent_page() {
        landing = browser.submit_consent(&landing, true).await;
    }
    let code = rp.code_from(&pending, landing.left(), &srv.issuer);
    let tokens = rp.exchange(&code, pending.verifier).await.expect("code exchange");
    jwt_claims(&tokens.id_token().unwrap().to_string())
}

#[tokio::test]
async fn a_linked_device_is_asked_once_and_remembered_until_removed() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let claims = sign_in(&srv, &rp, &browser, async |page: Landing| {
            assert!(page.url().ends_with("/login/device"), "{}", page.url());
            assert!(page.body().contains("a•••@example.com"), "the address is shown masked: {}", page.body());
            // Its form ends in the redirect back to the client: browsers check that against form-action.
            let Landing::Page { headers, .. } = &page else { unreachable!() };
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("form-action 'self' https://portal.example.com"), "{csp}");
            let sent = browser.submit(&page, "/login/device", &[("action", "send"), ("channel", "email")]).await;
            let code = mailed_code(&srv, 1).await;
            browser.submit(&sent, "/login/device", &[("action", "verify"), ("channel", "email"), ("code", &code), ("remember", "yes")]).await
        })
        .await;
        assert_eq!(claims["acr"], "urn:oneid:acr:device");
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp", "mfa"]));

        // The remembered browser goes straight through.
        let claims = sign_in(&srv, &rp, &browser, async |page: Landing| page).await;
        assert_eq!(claims["acr"], "urn:oneid:acr:device");
        assert_eq!(claims["amr"], serde_json::json!(["pwd"]));

        // Listed in account security, and removable.
        let security = browser.open("/account/security").await;
        assert!(security.body().contains("last used"), "{}", security.body());
        let removed = browser.submit(&security, "/account/devices", &[]).await;
        assert!(removed.body().contains("The device was removed"), "{}", removed.body());
        let asked = sign_in(&srv, &rp, &browser, async |page: Landing| {
            assert!(page.url().ends_with("/login/device"), "asked again after removal");
            let sent = browser.submit(&page, "/login/device", &[("action", "send"), ("channel", "email")]).await;
            let code = mailed_code(&srv, 2).await;
            browser.submit(&sent, "/login/device", &[("action", "verify"), ("channel", "email"), ("code", &code)]).await
        })
        .await;
        assert_eq!(asked["acr"], "urn:oneid:acr:device");
    }
}

#[tokio::test]
async fn policy_can_require_it_for_every_sign_in_by_text_and_a_password_change_forgets_devices() {
    let srv = TestServer::start_with(Backend::Sqlite, |c| c.devices.require = true).await;
    let browser = srv.browser();
    // Give Alice a verified number first (that sign-in links by email).
    let login = browser.open("/account").await;
    let device = browser.submit(&login, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    assert!(device.url().ends_with("/login/device"), "policy asks even without a client: {}", device.url());
    assert!(!device.body().contains("text message"), "no verified number, no text option");
    let sent = browser.submit(&device, "/login/device", &[("action", "send"), ("channel", "email")]).await;
    let code = mailed_code(&srv, 1).await;
    let account = browser.submit(&sent, "/login/device", &[("action", "verify"), ("channel", "email"), ("code", &code), ("remember", "yes")]).await;
    assert!(account.url().ends_with("/account"), "{}", account.url());
    let fields = [("given_name", "Alice"), ("family_name", "Example"), ("country", "GB"), ("locale", "en"), ("phone_number", "+447700900123")];
    browser.submit(&account, "/account", &fields).await;
    let phone = browser.open("/account/phone").await;
    let sent = browser.submit(&phone, "/account/phone", &[("action", "send")]).await;
    let text = srv.sms.wait_for("+447700900123", 1).await;
    let code: String = text.text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().into();
    browser.submit(&sent, "/account/phone", &[("action", "verify"), ("code", &code)]).await;

    // A new browser links by text message.
    let other = srv.browser();
    let device = other.submit_login(&other.open("/login").await, ALICE.0, ALICE.1).await;
    assert!(device.body().contains("+44•••0123"), "{}", device.body());
    let sent = other.submit(&device, "/login/device", &[("action", "send"), ("channel", "text")]).await;
    let text = srv.sms.wait_for("+447700900123", 2).await;
    let code: String = text.text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().into();
    let home = other.submit(&sent, "/login/device", &[("action", "verify"), ("channel", "text"), ("code", &code)]).await;
    assert!(home.url().ends_with('/'), "{}", home.url());

    // A password change forgets every trusted device.
    let form = browser.open("/account/password").await;
    browser.submit(&form, "/account/password", &[("current_password", ALICE.1), ("password", "violet bridges hum at dawn")]).await;
    let again = srv.browser();
    let login = again.open("/login").await;
    let asked = again.submit_login(&login, ALICE.0, "violet bridges hum at dawn").await;
    assert!(asked.url().ends_with("/login/device"));
    let listed = browser.open("/account/security").await;
    assert!(listed.body().contains("No device is remembered"), "{}", listed.body());
}

#[tokio::test]
async fn the_device_check_can_be_cancelled_back_to_the_client() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    let pending = rp.start(&["email"]);
    let login = browser.open(&format!("{}&acr_values={DEVICE_ACR}", pending.url)).await;
    let check = browser.submit_login(&login, ALICE.0, ALICE.1).await;
    assert!(check.url().ends_with("/login/device") && check.body().contains("Confirm it&#x27;s you") || check.body().contains("Confirm it's you"), "{}", check.body());
    let back = browser.submit(&check, "/authorize/cancel", &[]).await;
    let query = crate::common::query(back.left());
    assert_eq!((query["error"].as_str(), query["state"].as_str()), ("access_denied", pending.state.secret().as_str()), "{}", back.left());
    // The pending sign-in is over: the device page has nothing left to show.
    assert_eq!(browser.open("/login/device").await.status(), 400);
}
