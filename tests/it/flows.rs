//! Complete authorization code flows as relying parties see them.

use openidconnect::{OAuth2TokenResponse, TokenResponse};

use crate::common::rp::{Pending, Rp, access_token_of};
use crate::common::browser::{Browser, Landing};
use crate::common::{ALICE, TestServer, jwt_claims, jwt_header};

#[tokio::test]
async fn confidential_client_signs_in_with_pkce_and_reads_userinfo() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let signed = rp.sign_in(&srv, &browser, ALICE, &["profile", "email"]).await;

        let claims = &signed.claims;
        assert_eq!(claims.issuer().as_str(), srv.issuer);
        assert_eq!(claims.audiences().len(), 1);
        assert_eq!(claims.audiences()[0].as_str(), "web");
        assert_eq!(claims.authorized_party().map(|a| a.as_str()), Some("web"));
        assert_eq!(claims.email().map(|e| e.as_str()), Some(ALICE.0));
        assert!(claims.auth_time().is_some(), "auth_time is always present");
        assert_eq!(claims.nonce().map(|n| n.secret()), Some(signed.nonce.secret()));
        let raw = jwt_claims(&signed.tokens.id_token().expect("id token").to_string());
        assert!(raw["sid"].as_str().is_some_and(|s| !s.is_empty()), "sid in {raw}");
        assert_eq!(raw["acr"], "urn:oneid:acr:1fa");
        assert_eq!(raw["amr"], serde_json::json!(["pwd"]));
        let id_header = jwt_header(&signed.tokens.id_token().expect("id token").to_string());
        assert_eq!(id_header["alg"], "ES256");

        // The access token is an RFC 9068 JWT.
        let access = access_token_of(&signed.tokens);
        assert_eq!(jwt_header(&access)["typ"], "at+jwt");
        let at = jwt_claims(&access);
        assert_eq!(at["client_id"], "web");
        assert_eq!(at["sub"], claims.subject().as_str());
        assert!(signed.tokens.refresh_token().is_some());
        assert_eq!(signed.tokens.expires_in().map(|d| d.as_secs()), Some(600));

        let info = rp.userinfo(&signed.tokens).await.expect("userinfo");
        assert_eq!(info.subject(), claims.subject());
        assert_eq!(info.email().map(|e| e.as_str()), Some(ALICE.0));
        assert_eq!(info.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("Alice"));
    }
}

#[tokio::test]
async fn post_auth_client_gets_rs256_id_tokens() {
    for srv in TestServer::each_backend().await {
        let mut rp = Rp::new(&srv, "web-rs", Some(crate::common::POST_SECRET), "https://rs.example.com/callback").await;
        rp.client = rp.client.set_auth_type(openidconnect::AuthType::RequestBody);
        let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        let id_token = signed.tokens.id_token().expect("id token").to_string();
        assert_eq!(jwt_header(&id_token)["alg"], "RS256");
        // Access tokens keep the server's algorithm.
        assert_eq!(jwt_header(&access_token_of(&signed.tokens))["alg"], "ES256");
    }
}

#[tokio::test]
async fn public_client_signs_in_with_pkce_alone() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::mobile(&srv).await;
        let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["offline_access"]).await;
        assert!(signed.tokens.refresh_token().is_some(), "native apps get refresh tokens");
        let scopes: Vec<String> = signed.tokens.scopes().expect("scope in response").iter().map(|s| s.to_string()).collect();
        assert_eq!(scopes, ["offline_access", "openid"]);
    }
}

#[tokio::test]
async fn a_native_app_uses_a_loopback_redirect_on_any_port() {
    let srv = TestServer::start().await;
    // Registered as http://127.0.0.1/callback; the app listens on a port of its own choosing.
    let port = 49152 + rand::random_range(0..16000u16);
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let rp = Rp::new(&srv, "mobile", None, &redirect).await;
    let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
    assert!(signed.tokens.access_token().secret().len() > 20);
    // The path must still match exactly, and a host name is not a loopback literal.
    for wrong in [format!("http://127.0.0.1:{port}/other"), format!("http://localhost:{port}/callback")] {
        let wrong_rp = Rp::new(&srv, "mobile", None, &wrong).await;
        let page = srv.browser().open(&wrong_rp.start(&["email"]).url).await;
        assert_eq!(page.status(), 400, "{wrong} is refused");
    }
}

#[tokio::test]
async fn consent_is_asked_once_per_scope_set_and_prompt_consent_asks_again() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let first = browser.open(&rp.start(&["email"]).url).await;
        assert!(first.is_login_page());
        let after_login = browser.submit_login(&first, ALICE.0, ALICE.1).await;
        assert!(after_login.is_consent_page(), "first time: consent page");
        assert!(after_login.body().contains("See your email address"));
        browser.submit_consent(&after_login, true).await.left();

        // Same scopes: straight back to the client.
        let again = browser.open(&rp.start(&["email"]).url).await;
        assert!(again.left().starts_with(crate::common::WEB_REDIRECT));

        // A new scope needs consent again.
        let more = browser.open(&rp.start(&["email", "profile"]).url).await;
        assert!(more.is_consent_page());

        // prompt=consent always asks.
        let pending = rp.start(&["email"]);
        let forced = browser.open(&format!("{}&prompt=consent", pending.url)).await;
        assert!(forced.is_consent_page());
        let redirect = browser.submit_consent(&forced, true).await;
        assert!(crate::common::query(redirect.left()).contains_key("code"));
    }
}

#[tokio::test]
async fn denied_consent_returns_access_denied_with_state_and_iss() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    let pending = rp.start(&["email"]);
    let login = browser.open(&pending.url).await;
    let consent = browser.submit_login(&login, ALICE.0, ALICE.1).await;
    let denied = browser.submit_consent(&consent, false).await;
    let params = crate::common::query(denied.left());
    assert_eq!(params["error"], "access_denied");
    assert_eq!(&params["state"], pending.state.secret());
    assert_eq!(params["iss"], srv.issuer);
}

#[tokio::test]
async fn cancelling_the_login_returns_access_denied() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    let pending = rp.start(&["email"]);
    let login = browser.open(&pending.url).await;
    // The page's own cancel form: its action and fields, as a browser submits them.
    let body = login.body();
    let form = body.split("<form").find(|f| f.contains("Cancel and return")).expect("a cancel form");
    let action = form.split("action=\"").nth(1).and_then(|a| a.split('"').next()).map(crate::common::browser::html_unescape).expect("form action");
    assert!(form.contains("method=\"post\""), "{form}");
    let csrf = crate::common::browser::hidden(form, "csrf").expect("csrf");
    let request = crate::common::browser::hidden(form, "request").expect("request");
    let cancelled = browser.post(&action, &[("csrf", &csrf), ("request", &request)]).await;
    let params = crate::common::query(cancelled.left());
    assert_eq!(params["error"], "access_denied");
    assert_eq!(&params["state"], pending.state.secret());
    // The pending request is finished: the login page cannot continue it.
    let again = browser.submit_login(&login, ALICE.0, ALICE.1).await;
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn first_party_client_skips_consent() {
    let srv = TestServer::start().await;
    let rp = Rp::new(&srv, "first-party", Some(crate::common::WEB_SECRET), "https://first.example.com/callback").await;
    let browser = srv.browser();
    let login = browser.open(&rp.start(&["email"]).url).await;
    let landed = browser.submit_login(&login, ALICE.0, ALICE.1).await;
    assert!(landed.left().starts_with("https://first.example.com/callback?code="));
}

#[tokio::test]
async fn prompt_none_uses_the_session_and_prompt_login_forces_a_new_login() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let first = rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
        let first_auth_time = first.claims.auth_time().expect("auth_time");

        // prompt=none: a code without any page.
        let pending = rp.start(&["email"]);
        let silent = browser.open(&format!("{}&prompt=none", pending.url)).await;
        let code = rp.code_from(&pending, silent.left(), &srv.issuer);
        let tokens = rp.exchange(&code, pending.verifier).await.expect("silent code works");
        assert_eq!(rp.verify_id_token(&tokens, &pending.nonce).auth_time(), Some(first_auth_time));

        // prompt=login: the login page although a session exists, and a newer auth_time.
        srv.clock.advance(30);
        let pending = rp.start(&["email"]);
        let login = browser.open(&format!("{}&prompt=login", pending.url)).await;
        assert!(login.is_login_page());
        let back = browser.submit_login(&login, ALICE.0, ALICE.1).await;
        let code = rp.code_from(&pending, back.left(), &srv.issuer);
        let tokens = rp.exchange(&code, pending.verifier).await.expect("code");
        let claims = rp.verify_id_token(&tokens, &pending.nonce);
        assert!(claims.auth_time().expect("auth_time") > first_auth_time);
        // The same person signing in again keeps the browser session (its sid), so what
        // other sign-ins of it hold stays valid.
        let sid = |tokens: &_| crate::common::jwt_claims(&openidconnect::TokenResponse::id_token(tokens).expect("id token").to_string())["sid"].clone();
        assert_eq!(sid(&tokens), sid(&first.tokens));
        let first_refresh = crate::common::rp::refresh_token_of(&first.tokens);
        let renewed = rp.refresh(&first_refresh).await.expect("the first sign-in's refresh token still works");

        // Another person signing in on this browser ends the session, and what hangs on it.
        srv.clock.advance(30);
        let pending = rp.start(&["email"]);
        let login = browser.open(&format!("{}&prompt=login", pending.url)).await;
        let consent = browser.submit_login(&login, crate::common::BOB.0, crate::common::BOB.1).await;
        let back = browser.submit_consent(&consent, true).await;
        let code = rp.code_from(&pending, back.left(), &srv.issuer);
        let bobs = rp.exchange(&code, pending.verifier).await.expect("code");
        assert_ne!(sid(&bobs), sid(&first.tokens));
        let refused = rp.refresh(&crate::common::rp::refresh_token_of(&renewed)).await.expect_err("Alice's session-bound grant ended");
        assert!(refused.contains("invalid_grant"), "{refused}");
    }
}

#[tokio::test]
async fn max_age_exceeded_asks_for_login_again() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
    srv.clock.advance(120);
    let fresh_enough = browser.open(&format!("{}&max_age=300", rp.start(&["email"]).url)).await;
    assert!(fresh_enough.left().contains("code="));
    let too_old = browser.open(&format!("{}&max_age=60", rp.start(&["email"]).url)).await;
    assert!(too_old.is_login_page());
    let with_none = browser.open(&format!("{}&max_age=60&prompt=none", rp.start(&["email"]).url)).await;
    assert_eq!(crate::common::query(with_none.left())["error"], "login_required");
}

#[tokio::test]
async fn form_post_response_mode_posts_the_code_to_the_client() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
    let pending = rp.start(&["email"]);
    let page = browser.open(&format!("{}&response_mode=form_post", pending.url)).await;
    assert_eq!(page.status(), 200);
    let body = page.body();
    assert!(body.contains("action=\"https:&#x2f;&#x2f;portal.example.com&#x2f;callback\""), "{body}");
    let code = crate::common::browser::hidden(body, "code").expect("code field");
    assert_eq!(crate::common::browser::hidden(body, "state").as_deref(), Some(pending.state.secret().as_str()));
    assert_eq!(crate::common::browser::hidden(body, "iss").as_deref(), Some(srv.issuer.as_str()));
    let Landing::Page { headers, .. } = &page else { unreachable!() };
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("form-action 'self' https://portal.example.com"), "{csp}");
    rp.exchange(&code, pending.verifier).await.expect("the posted code works");
}

#[tokio::test]
async fn wrong_password_unknown_account_and_disabled_account_look_the_same() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    oneid::admin::users::set_disabled(srv.state.ctx(), &srv.user_id(crate::common::BOB.0).await, true, &oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli()).await.unwrap();
    let mut bodies = Vec::new();
    for (email, password) in [(ALICE.0, "wrong password"), ("nobody@example.com", "whatever password"), crate::common::BOB] {
        let browser = srv.browser();
        let login = browser.open(&rp.start(&["email"]).url).await;
        let again = browser.submit_login(&login, email, password).await;
        assert!(again.is_login_page());
        assert_eq!(again.status(), 200);
        assert!(again.body().contains("The email address or password is not correct."));
        bodies.push(again.body().replace(email, "EMAIL"));
    }
    let strip = |b: &str| b.split("name=\"csrf\"").next().unwrap_or_default().to_string();
    assert_eq!(strip(&bodies[0]), strip(&bodies[1]));
    assert_eq!(strip(&bodies[1]), strip(&bodies[2]));
    let events = srv.audit_events().await;
    assert_eq!(events.iter().filter(|e| *e == "login_failed").count(), 3);
}

/// A first-party client's sign-in started in `browser`, and Alice's login form for it,
/// filled in.
async fn first_party_login_form(srv: &TestServer, browser: &Browser) -> (Rp, Pending, [(&'static str, String); 4]) {
    let rp = Rp::new(srv, "first-party", Some(crate::common::WEB_SECRET), "https://first.example.com/callback").await;
    let pending = rp.start(&["email"]);
    let login = browser.open(&pending.url).await;
    assert!(login.is_login_page(), "{login:?}");
    let body = login.body();
    let form = [
        ("csrf", crate::common::browser::hidden(body, "csrf").expect("csrf")),
        ("request", crate::common::browser::hidden(body, "request").expect("request handle")),
        ("email", ALICE.0.to_string()),
        ("password", ALICE.1.to_string()),
    ];
    (rp, pending, form)
}

#[tokio::test]
async fn password_post_answers_with_the_code_when_nothing_else_is_asked() {
    for srv in TestServer::each_backend().await {
        let browser = srv.browser();
        let (rp, pending, form) = first_party_login_form(&srv, &browser).await;
        // The login's own answer is the redirect to the client: no detour through
        // /authorize/resume, which would cost the browser a round trip.
        let answer = browser.client.post(srv.url("/login")).form(&form).send().await.expect("POST /login");
        assert_eq!(answer.status(), reqwest::StatusCode::SEE_OTHER);
        let location = answer.headers()["location"].to_str().expect("ASCII Location").to_string();
        assert!(location.starts_with("https://first.example.com/callback?"), "{location}");
        let code = rp.code_from(&pending, &location, &srv.issuer);
        let tokens = rp.exchange(&code, pending.verifier).await.expect("code exchange");
        rp.verify_id_token(&tokens, &pending.nonce);
        // The request is finished: its handle cannot be resumed into a second code.
        let again = browser.open(&format!("/authorize/resume?request={}", form[1].1)).await;
        assert_eq!(again.status(), reqwest::StatusCode::BAD_REQUEST, "{again:?}");
    }
}

#[tokio::test]
async fn a_login_form_sent_twice_at_once_gives_one_code() {
    for srv in TestServer::each_backend().await {
        let browser = srv.browser();
        let (_rp, _pending, form) = first_party_login_form(&srv, &browser).await;
        // Both pass the password check together; only one may answer the request.
        let send = || browser.client.post(srv.url("/login")).form(&form).send();
        let (first, second) = tokio::join!(send(), send());
        let mut statuses = [first.expect("first POST").status(), second.expect("second POST").status()];
        statuses.sort();
        assert_eq!(statuses, [reqwest::StatusCode::SEE_OTHER, reqwest::StatusCode::BAD_REQUEST]);
    }
}
