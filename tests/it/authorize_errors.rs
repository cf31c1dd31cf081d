//! Authorization request errors (RFC 6749 §4.1.2.1): a page when the client or redirect
//! URI cannot be trusted, a redirect with `error`, `state` and `iss` when they can.

use crate::common::{TestServer, pkce_pair, query, url_with, web_request, web_request_with};

/// Opens `url` without following redirects and returns (status, Location, body).
async fn raw(srv: &TestServer, url: &str) -> (u16, Option<String>, String) {
    let response = srv.http().get(url).send().await.expect("GET");
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    (status, location, response.text().await.unwrap())
}

async fn redirected_error(srv: &TestServer, url: &str) -> std::collections::HashMap<String, String> {
    let (status, location, body) = raw(srv, url).await;
    assert_eq!(status, 303, "expected a redirect, got {status}: {body}");
    let location = location.expect("Location");
    assert!(location.starts_with(crate::common::WEB_REDIRECT), "{location}");
    let params = query(&location);
    assert_eq!(params.get("iss"), Some(&srv.issuer), "iss in {location}");
    assert!(!params.contains_key("code"));
    params
}

#[tokio::test]
async fn unknown_client_and_bad_redirect_uri_get_a_page_never_a_redirect() {
    for srv in TestServer::each_backend().await {
        let (_, challenge) = pkce_pair();
        for (changes, expected) in [
            (vec![("client_id", "nope")], "not registered"),
            (vec![("redirect_uri", "https://evil.example.com/callback")], "not registered for this application"),
            (vec![("redirect_uri", "https://portal.example.com/callback/")], "not registered for this application"),
            (vec![("redirect_uri", "")], "redirect_uri is missing"),
            (vec![("client_id", "")], "client_id is missing"),
        ] {
            let (status, location, body) = raw(&srv, &url_with(&srv, &web_request_with(&challenge, &changes))).await;
            assert_eq!(status, 400, "{changes:?}");
            assert!(location.is_none(), "no redirect for {changes:?}");
            assert!(body.contains(expected), "{changes:?}: {body}");
            assert!(body.contains("Go back to the application"), "the page says what to do");
        }
        // A repeated client_id or redirect_uri cannot be trusted either.
        let mut params = web_request(&challenge);
        params.push(("redirect_uri", "https://evil.example.com/cb".into()));
        let (status, location, _) = raw(&srv, &url_with(&srv, &params)).await;
        assert_eq!((status, location), (400, None));
    }
}

#[tokio::test]
async fn pkce_is_required_and_plain_is_refused() {
    for srv in TestServer::each_backend().await {
        let (_, challenge) = pkce_pair();
        for changes in [
            vec![("code_challenge_method", "plain")],
            vec![("code_challenge_method", "")],
            vec![("code_challenge", ""), ("code_challenge_method", "")],
            vec![("code_challenge", "too-short")],
        ] {
            let params = redirected_error(&srv, &url_with(&srv, &web_request_with(&challenge, &changes))).await;
            assert_eq!(params["error"], "invalid_request", "{changes:?}");
            assert_eq!(params["state"], "xyz");
        }
    }
}

#[tokio::test]
async fn prompt_none_without_a_session_is_login_required() {
    for srv in TestServer::each_backend().await {
        let (_, challenge) = pkce_pair();
        let params = redirected_error(&srv, &url_with(&srv, &web_request_with(&challenge, &[("prompt", "none")]))).await;
        assert_eq!(params["error"], "login_required");
        assert_eq!(params["state"], "xyz");
    }
}

#[tokio::test]
async fn malformed_requests_are_reported_to_the_client() {
    let srv = TestServer::start().await;
    let (_, challenge) = pkce_pair();
    for (changes, error) in [
        (vec![("response_type", "token")], "unsupported_response_type"),
        (vec![("response_type", "code id_token")], "unsupported_response_type"),
        (vec![("response_type", "")], "invalid_request"),
        (vec![("scope", "openid admin")], "invalid_scope"),
        (vec![("scope", "")], "invalid_scope"),
        (vec![("prompt", "none login")], "invalid_request"),
        (vec![("prompt", "sideways")], "invalid_request"),
        (vec![("max_age", "-1")], "invalid_request"),
        (vec![("request", "eyJhbGciOiJub25lIn0.e30.")], "request_not_supported"),
        (vec![("request_uri", "https://rp.example.com/req")], "request_uri_not_supported"),
        (vec![("id_token_hint", "not-a-jwt")], "invalid_request"),
        (vec![("response_mode", "fragment")], "invalid_request"),
    ] {
        let params = redirected_error(&srv, &url_with(&srv, &web_request_with(&challenge, &changes))).await;
        assert_eq!(params["error"], error, "{changes:?}");
        assert!(params.contains_key("error_description"));
    }
    // Any other repeated parameter.
    let mut params = web_request(&challenge);
    params.push(("scope", "openid".into()));
    assert_eq!(redirected_error(&srv, &url_with(&srv, &params)).await["error"], "invalid_request");
}

#[tokio::test]
async fn the_authorization_endpoint_accepts_post() {
    let srv = TestServer::start().await;
    let (verifier, challenge) = pkce_pair();
    let form = web_request(&challenge);
    // A cross-site POST carries no SameSite=Lax cookie, so it turns into a GET.
    let response = srv.http().post(srv.url("/authorize")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"].to_str().unwrap().starts_with("/authorize?response_type=code&client_id=web"));
    let browser = srv.browser();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let login = browser.post("/authorize", &pairs).await;
    assert!(login.is_login_page());
    let consent = browser.submit_login(&login, crate::common::ALICE.0, crate::common::ALICE.1).await;
    let back = browser.submit_consent(&consent, true).await;
    let params = query(back.left());
    assert_eq!(params["state"], "xyz");
    assert_eq!(crate::common::redeem(&srv, &params["code"], &verifier).await.status(), 200);
}

#[tokio::test]
async fn a_stale_sign_in_shows_an_expired_page() {
    let srv = TestServer::start().await;
    let (_, challenge) = pkce_pair();
    let browser = srv.browser();
    let login = browser.open(&url_with(&srv, &web_request(&challenge))).await;
    assert!(login.is_login_page());
    srv.clock.advance(31 * 60);
    let late = browser.submit_login(&login, crate::common::ALICE.0, crate::common::ALICE.1).await;
    assert_eq!(late.status(), 400);
    assert!(late.body().contains("This link has expired"), "{}", late.body());
}
