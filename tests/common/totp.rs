//! Authenticator apps from the test's side: the codes an app would show, and enrolment
//! through the account pages.

use totp_rs::{Builder, Secret};

use super::TestServer;
use super::browser::{Browser, Landing};

/// What the user's app would show for `secret` at `time`.
pub fn app_code(secret: &str, time: i64) -> String {
    let bytes = Secret::try_from_base32(secret).expect("base32 secret").to_vec();
    Builder::new().with_secret(bytes).build().expect("totp").generate(time as u64).to_string()
}

pub fn secret_on(page: &Landing) -> String {
    let body = page.body();
    let start = body.find("<code class=\"secret\">").expect("the secret is shown") + 21;
    body[start..start + body[start..].find('<').unwrap()].to_string()
}

pub fn recovery_codes_on(page: &Landing) -> Vec<String> {
    page.body().split("<li><code>").skip(1).map(|c| c.split('<').next().unwrap().to_string()).collect()
}

/// Enrols an authenticator app for `who` on `browser` and returns its secret and
/// recovery codes.
pub async fn enrol(srv: &TestServer, browser: &Browser, who: (&str, &str)) -> (String, Vec<String>) {
    let login = browser.open("/account").await;
    browser.submit(&login, "/login", &[("email", who.0), ("password", who.1)]).await;
    let page = browser.open("/account/totp").await;
    assert!(page.body().contains("<svg") && page.body().contains("<path d=\"M"), "a QR code");
    let secret = secret_on(&page);
    let wrong = browser.submit(&page, "/account/totp", &[("code", "123456"), ("current_password", who.1)]).await;
    assert!(wrong.body().contains("id=\"code-error\""), "{}", wrong.body());
    assert_eq!(secret_on(&wrong), secret, "a mistyped code keeps the secret that was scanned");
    let done = browser.submit(&wrong, "/account/totp", &[("code", &app_code(&secret, srv.clock_now())), ("current_password", who.1)]).await;
    let codes = recovery_codes_on(&done);
    assert_eq!(codes.len(), 10, "{}", done.body());
    srv.mail.wait_for_subject(who.0, "turned on").await;
    (secret, codes)
}

