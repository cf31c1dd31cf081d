//! The account API (F12 for apps): every route's authorisation, each change with the
//! same checks and emails as the pages, and the step-up challenge for deletion and
//! password changes (RFC 9470).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{self, ALICE, Backend, TestServer, pkce_pair, query};

const APP_SECRET: &str = "account-app-secret-0123456789abcdefghijklmno";
const APP_REDIRECT: &str = "https://app.example.com/callback";
const NUMBER: &str = "+447700900123";

async fn server() -> TestServer {
    TestServer::start_with(Backend::Sqlite, |config| {
        let mut app = common::client("account-app", Some(APP_SECRET), None, APP_REDIRECT);
        app.scopes = Some(["openid", "email", "account", "offline_access"].map(String::from).to_vec());
        app.skip_consent = true;
        // Long enough to outlast the sign-in's recency (the step-up case below).
        app.access_token_ttl = Some(3600);
        config.clients.push(app);
    })
    .await
}

/// An access token of the account app for ALICE with `scope`.
async fn token(srv: &TestServer, scope: &str) -> String {
    let (verifier, challenge) = pkce_pair();
    let url = common::authorize_url(
        srv,
        &[("response_type", "code"), ("client_id", "account-app"), ("redirect_uri", APP_REDIRECT), ("scope", scope), ("prompt", "login"), ("code_challenge", &challenge), ("code_challenge_method", "S256")],
    );
    let landed = srv.browser().sign_in(&url, ALICE).await;
    let code = query(&landed).get("code").cloned().unwrap_or_else(|| panic!("no code in {landed}"));
    let response = srv
        .post_form("/token", Some(("account-app", APP_SECRET)), &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", APP_REDIRECT), ("code_verifier", &verifier)])
        .await;
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

async fn call(srv: &TestServer, token: Option<&str>, method: Method, path: &str, body: Option<Value>) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = srv.http().request(method, srv.url(&format!("/api/v1{path}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.unwrap_or_default();
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_route_needs_a_live_token_with_the_account_scope() {
    let srv = server().await;
    let doc: Value = srv.http().get(srv.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    common::openapi::assert_valid(&doc);
    assert_eq!(doc["servers"][0]["url"], srv.url("/api/v1"));
    let mut operations = Vec::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys().filter(|m| *m != "parameters") {
            operations.push((method.to_uppercase(), path.replace("{sid}", "x").replace("{id}", "x")));
        }
    }
    assert_eq!(operations.len(), 22, "{operations:?}");
    let without_scope = token(&srv, "openid email").await;
    let with_scope = token(&srv, "openid account").await;
    let (status, _, _) = call(&srv, Some(&with_scope), Method::GET, "/me", None).await;
    assert_eq!(status, StatusCode::OK);
    // The session behind the token ends: its tokens stop working.
    let alice = srv.user_id(ALICE.0).await;
    oneid::auth::session::end_all(srv.state.ctx(), &alice, "test").await.unwrap();
    for (method, path) in &operations {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let (status, headers, body) = call(&srv, None, method.clone(), path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} anonymous: {body}");
        assert!(headers.get("www-authenticate").is_some() && body["type"].is_string(), "{method} {path}: {headers:?} {body}");
        let (status, headers, body) = call(&srv, Some(&without_scope), method.clone(), path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: a token of an ended session: {body}");
        assert!(headers["www-authenticate"].to_str().unwrap().contains("invalid_token"));
        let (status, _, _) = call(&srv, Some(&with_scope), method, path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let fresh = token(&srv, "openid email").await;
    for (method, path) in &operations {
        let (status, headers, body) = call(&srv, Some(&fresh), Method::from_bytes(method.as_bytes()).unwrap(), path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} without the account scope: {body}");
        assert!(headers["www-authenticate"].to_str().unwrap().contains("insufficient_scope"), "{headers:?}");
    }
    let service = srv.post_form("/token", Some(("service", common::SERVICE_SECRET)), &[("grant_type", "client_credentials")]).await;
    let service = service.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    assert_eq!(call(&srv, Some(&service), Method::GET, "/me", None).await.0, StatusCode::FORBIDDEN, "a client's own token has no account");
}

#[tokio::test]
async fn an_app_changes_the_account_with_the_rules_and_emails_of_the_pages() {
    let srv = server().await;
    let app = token(&srv, "openid account offline_access").await;
    let app = Some(app.as_str());

    let (status, _, me) = call(&srv, app, Method::GET, "/me", None).await;
    assert_eq!((status, me["email"].as_str()), (StatusCode::OK, Some(ALICE.0)), "{me}");

    // Personal data: only the fields given change, checked like the page.
    let (status, _, me) = call(&srv, app, Method::PATCH, "/me", Some(json!({ "given_name": "Alicia", "country": "DE", "locality": "München" }))).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!((me["given_name"].as_str(), me["family_name"].as_str(), me["locality"].as_str()), (Some("Alicia"), Some("Example"), Some("München")));
    let (status, _, problem) = call(&srv, app, Method::PATCH, "/me", Some(json!({ "country": "XX", "given_name": null }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem["errors"]["country"].is_string() && problem["errors"]["given_name"].is_string(), "{problem}");
    let (status, _, problem) = call(&srv, app, Method::PATCH, "/me", Some(json!({ "email": "x@example.com" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the address changes only through /me/email: {problem}");

    // A new address is confirmed by a link sent to it.
    let (status, _, problem) = call(&srv, app, Method::POST, "/me/email", Some(json!({ "new_email": "alicia@example.com", "current_password": "wrong password" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _, _) = call(&srv, app, Method::POST, "/me/email", Some(json!({ "new_email": "alicia@example.com", "current_password": ALICE.1 }))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    srv.mail.wait_for_subject("alicia@example.com", "").await;

    // A new mobile number gets a code by text and is verified with it.
    let (status, _, _) = call(&srv, app, Method::POST, "/me/phone", Some(json!({ "phone_number": "+44 7700 900123" }))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let text = srv.sms.wait_for(NUMBER, 1).await.text;
    let code = text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_string();
    let (status, _, _) = call(&srv, app, Method::POST, "/me/phone/verify", Some(json!({ "code": "000000" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, me) = call(&srv, app, Method::POST, "/me/phone/verify", Some(json!({ "code": code }))).await;
    assert_eq!((status, me["phone_number_verified"].as_bool()), (StatusCode::OK, Some(true)), "{me}");
    let (status, _, me) = call(&srv, app, Method::PUT, "/me/second-factor", Some(json!({ "login_code_channel": "sms" }))).await;
    assert_eq!((status, me["second_factor"]["login_code_channel"].as_str()), (StatusCode::OK, Some("sms")), "{me}");

    // Sign-in codes: on with the password and the emailed code, then off again.
    let (status, _, _) = call(&srv, app, Method::POST, "/me/second-factor/codes", Some(json!({ "current_password": ALICE.1 }))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = srv.mail.wait_for_subject(ALICE.0, "security code").await;
    let code = mail.text().split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_string();
    let (status, _, me) = call(&srv, app, Method::POST, "/me/second-factor/codes/confirm", Some(json!({ "code": code }))).await;
    assert_eq!((status, me["second_factor"]["sign_in_codes"].as_bool()), (StatusCode::OK, Some(true)), "{me}");
    srv.mail.wait_for_subject(ALICE.0, "turned on").await;
    let (status, _, me) = call(&srv, app, Method::POST, "/me/second-factor/codes/off", Some(json!({ "current_password": ALICE.1 }))).await;
    assert_eq!((status, me["second_factor"]["sign_in_codes"].as_bool()), (StatusCode::OK, Some(false)), "{me}");

    // Passkeys and remembered devices (made here directly; adding them is a ceremony).
    let ctx = srv.state.ctx();
    let alice = ctx.store.user_by_email(ALICE.0).await.unwrap().unwrap();
    let passkey = oneid::store::PasskeyRecord { id: "pk-1".into(), user_id: alice.id.clone(), name: "Laptop".into(), credential: "{}".into(), created_at: srv.clock_now(), last_used_at: None };
    ctx.store.insert_passkey(&passkey).await.unwrap();
    let (status, _, _) = call(&srv, app, Method::PATCH, "/me/passkeys/pk-1", Some(json!({ "name": "Work laptop" }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, passkeys) = call(&srv, app, Method::GET, "/me/passkeys", None).await;
    assert_eq!(passkeys[0]["name"], "Work laptop");
    assert_eq!(call(&srv, app, Method::DELETE, "/me/passkeys/pk-1", None).await.0, StatusCode::NO_CONTENT);
    oneid::auth::devices::trust(ctx, &alice, Some("Firefox")).await.unwrap();
    let (_, _, devices) = call(&srv, app, Method::GET, "/me/devices", None).await;
    let device = devices[0]["id"].as_str().unwrap().to_string();
    assert_eq!(call(&srv, app, Method::DELETE, &format!("/me/devices/{device}"), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&srv, app, Method::GET, "/me/devices", None).await.2, json!([]));

    let (_, _, sessions) = call(&srv, app, Method::GET, "/me/sessions", None).await;
    let current: Vec<&Value> = sessions["apps"].as_array().unwrap().iter().filter(|a| a["current"] == true).collect();
    assert_eq!(current.len(), 1, "{sessions}");
    assert_eq!(sessions["browsers"].as_array().unwrap().len(), 1, "{sessions}");
    let (status, _, _) = call(&srv, app, Method::DELETE, "/me/sessions/not-a-session", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another app sign-in and the browser session end; this app keeps working.
    let other = token(&srv, "openid account offline_access").await;
    let (_, _, sessions) = call(&srv, app, Method::GET, "/me/sessions", None).await;
    let other_app = sessions["apps"].as_array().unwrap().iter().find(|a| a["current"] == false).expect("the other app")["id"].as_str().unwrap().to_string();
    assert_eq!(call(&srv, app, Method::DELETE, &format!("/me/apps/{other_app}"), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&srv, Some(&other), Method::GET, "/me", None).await.0, StatusCode::UNAUTHORIZED, "the other app is signed out");
    let browser_sid = sessions["browsers"][0]["sid"].as_str().unwrap().to_string();
    assert_eq!(call(&srv, app, Method::DELETE, &format!("/me/sessions/{browser_sid}"), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&srv, app, Method::GET, "/me", None).await.0, StatusCode::OK, "an offline app sign-in outlives the browser session");
    let (_, _, passkeys) = call(&srv, app, Method::GET, "/me/passkeys", None).await;
    assert_eq!(passkeys, json!([]));
    let (status, _, _) = call(&srv, app, Method::PATCH, "/me/passkeys/nope", Some(json!({ "name": "Phone" }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, devices) = call(&srv, app, Method::GET, "/me/devices", None).await;
    assert_eq!(devices, json!([]));
    let (status, _, export) = call(&srv, app, Method::GET, "/me/export", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(export["profile"]["email"], ALICE.0, "{export}");

    // The password, with a recent sign-in: the owner is told by email.
    let (status, _, problem) = call(&srv, app, Method::POST, "/me/password", Some(json!({ "current_password": ALICE.1, "new_password": "short" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _, _) = call(&srv, app, Method::POST, "/me/password", Some(json!({ "current_password": ALICE.1, "new_password": "a much newer passphrase here" }))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    srv.mail.wait_for_subject(ALICE.0, "password").await;

    // Later, deleting the account asks the app to sign the person in again first.
    srv.clock.advance(16 * 60);
    let (status, headers, problem) = call(&srv, app, Method::DELETE, "/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let challenge = headers["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"insufficient_user_authentication\"") && challenge.contains("max_age=900"), "{challenge}");
    assert_eq!(problem["type"], "urn:oneid:problem:reauthentication-required");
    assert!(srv.state.ctx().store.user_by_email(ALICE.0).await.unwrap().is_some(), "nothing was deleted");
}

#[tokio::test]
async fn a_fresh_sign_in_deletes_the_account() {
    let srv = server().await;
    let app = token(&srv, "openid account").await;
    let (status, _, _) = call(&srv, Some(&app), Method::DELETE, "/me", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(srv.state.ctx().store.user_by_email(ALICE.0).await.unwrap().is_none());
    srv.mail.wait_for_subject(ALICE.0, "deleted").await;
    let (status, _, _) = call(&srv, Some(&app), Method::GET, "/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the token died with the account");
}
