//! What browsers get: cookies, security headers, CSRF protection.

use crate::common::browser::Landing;
use crate::common::rp::Rp;
use crate::common::{ALICE, Backend, TestServer};

fn header<'a>(landing: &'a Landing, name: &str) -> &'a str {
    let Landing::Page { headers, .. } = landing else { panic!("not a page") };
    headers.get(name).unwrap_or_else(|| panic!("no {name} header")).to_str().unwrap()
}

#[tokio::test]
async fn pages_carry_a_strict_csp_and_are_not_cached() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let login = srv.browser().open(&rp.start(&["email"]).url).await;
    assert!(login.is_login_page());
    let csp = header(&login, "content-security-policy");
    for directive in ["default-src 'none'", "frame-ancestors 'none'", "form-action 'self' https://portal.example.com", "base-uri 'none'"] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert_eq!(header(&login, "x-frame-options"), "DENY");
    assert_eq!(header(&login, "x-content-type-options"), "nosniff");
    assert_eq!(header(&login, "referrer-policy"), "no-referrer");
    assert_eq!(header(&login, "cache-control"), "no-store");
    let body = login.body();
    assert!(body.contains("autocomplete=\"username\"") && body.contains("autocomplete=\"current-password\""));
    assert!(body.contains("<label for=\"email\">") && body.contains("<label for=\"password\">"));
}

#[tokio::test]
async fn cookies_are_http_only_lax_and_host_prefixed_and_secure_on_https() {
    let plain = TestServer::start().await;
    let response = plain.http().get(plain.url("/login")).send().await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("oneid_csrf="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http localhost development issuer");

    let https = TestServer::start_with(Backend::Sqlite, |c| c.issuer = c.issuer.replace("http://", "https://")).await;
    let url = https.url("/login").replace("https://", "http://");
    let response = https.http().get(url).send().await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-oneid_csrf=") && cookie.contains("Secure") && cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(response.headers()["strict-transport-security"], "max-age=63072000");
}

#[tokio::test]
async fn the_session_cookie_is_set_only_after_login_and_is_new_each_time() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    let login = browser.open("/login").await;
    let csrf = crate::common::browser::hidden(login.body(), "csrf").unwrap();
    let submit = |password: &'static str| {
        let client = browser.client.clone();
        let (url, csrf) = (srv.url("/login"), csrf.clone());
        async move { client.post(url).form(&[("csrf", csrf.as_str()), ("email", ALICE.0), ("password", password)]).send().await.unwrap() }
    };
    let failed = submit("wrong password").await;
    assert!(failed.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("oneid_session")));
    let first = submit(ALICE.1).await;
    let session = |r: &reqwest::Response| {
        r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_string()).find(|c| c.starts_with("oneid_session=")).expect("session cookie")
    };
    let first_cookie = session(&first);
    assert!(first_cookie.contains("HttpOnly") && first_cookie.contains("SameSite=Lax"));
    let second_cookie = session(&submit(ALICE.1).await);
    assert_ne!(first_cookie.split(';').next(), second_cookie.split(';').next(), "a login never reuses a session id");
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    let login = browser.open(&rp.start(&["email"]).url).await;
    let request = crate::common::browser::hidden(login.body(), "request").unwrap();
    for csrf in ["", "forged-token"] {
        let page = browser.post("/login", &[("csrf", csrf), ("request", &request), ("email", ALICE.0), ("password", ALICE.1)]).await;
        assert!(page.is_login_page(), "the login form comes back");
        assert!(page.body().contains("Your sign-in form expired"));
    }
    // A CSRF token belongs to its browser's cookie.
    let other_browser = srv.browser();
    let csrf = crate::common::browser::hidden(login.body(), "csrf").unwrap();
    let page = other_browser.post("/login", &[("csrf", &csrf), ("email", ALICE.0), ("password", ALICE.1)]).await;
    assert!(page.body().contains("Your sign-in form expired"));

    let consent_attack = browser.post("/consent", &[("request", &request), ("decision", "allow")]).await;
    assert_eq!(consent_attack.status(), 403);
}

#[tokio::test]
async fn unknown_paths_get_a_page_that_says_so() {
    let srv = TestServer::start().await;
    let page = srv.browser().open("/no/such/page").await;
    assert_eq!(page.status(), 404);
    assert!(page.body().contains("Page not found"));
}
