//! The admin API (F51): authorisation on every route, each endpoint's happy path,
//! validation errors as problem details, the OpenAPI document, and the audit trail.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{self, ALICE, BOB, Backend, TestServer, pkce_pair, query};

const ADMIN_TOOL_SECRET: &str = "admin-tool-secret-0123456789abcdefghijklmn";
const AUTOMATION_SECRET: &str = "automation-secret-0123456789abcdefghijklmno";
const ADMIN_TOOL_REDIRECT: &str = "https://admin-tool.example.com/callback";

/// A server with a client that may ask for the admin scope for a user, an automation
/// client with its own admin scope, and ALICE as an administrator.
async fn server(backend: Backend) -> TestServer {
    let srv = TestServer::start_with(backend, |config| {
        let mut tool = common::client("admin-tool", Some(ADMIN_TOOL_SECRET), None, ADMIN_TOOL_REDIRECT);
        tool.scopes = Some(vec!["openid".into(), "oneid:admin".into()]);
        tool.skip_consent = true;
        let mut automation = common::client("automation", Some(AUTOMATION_SECRET), None, "https://unused.example.com/cb");
        automation.redirect_uris = vec![];
        automation.grant_types = Some(vec!["client_credentials".into()]);
        automation.scopes = Some(vec!["oneid:admin:automation".into()]);
        config.clients.extend([tool, automation]);
    })
    .await;
    let alice = srv.user_id(ALICE.0).await;
    oneid::admin::users::set_admin(srv.state.ctx(), &alice, true, &oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli()).await.expect("admin granted");
    srv
}

/// ALICE's authenticator app: administration needs a passkey or the app.
async fn alice_app(srv: &TestServer) -> String {
    common::totp::enrol(srv, &srv.browser(), ALICE).await.0
}

/// A user's access token for the admin tool, asking for the admin scope; with the
/// account's authenticator app when `app` names its secret.
async fn user_token(srv: &TestServer, who: (&str, &str)) -> (String, Value) {
    user_token_with(srv, who, None).await
}

async fn admin_token(srv: &TestServer, app: &str) -> (String, Value) {
    user_token_with(srv, ALICE, Some(app)).await
}

async fn user_token_with(srv: &TestServer, who: (&str, &str), app: Option<&str>) -> (String, Value) {
    let (verifier, challenge) = pkce_pair();
    let url = common::authorize_url(
        srv,
        &[
            ("response_type", "code"),
            ("client_id", "admin-tool"),
            ("redirect_uri", ADMIN_TOOL_REDIRECT),
            ("scope", "openid oneid:admin"),
            ("state", "s"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let browser = srv.browser();
    let page = browser.open(&url).await;
    let mut landed = browser.submit_login(&page, who.0, who.1).await;
    if let Some(secret) = app {
        assert!(landed.url().ends_with("/login/totp"), "{}", landed.url());
        // A step of its own: each code works once.
        srv.clock.advance(30);
        landed = browser.submit(&landed, "/login/totp", &[("code", &common::totp::app_code(secret, srv.clock_now()))]).await;
    }
    let landed = landed.left().to_string();
    let code = query(&landed).get("code").cloned().unwrap_or_else(|| panic!("no code in {landed}"));
    let response = srv
        .post_form(
            "/token",
            Some(("admin-tool", ADMIN_TOOL_SECRET)),
            &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", ADMIN_TOOL_REDIRECT), ("code_verifier", &verifier)],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    (body["access_token"].as_str().unwrap().to_string(), body)
}

async fn automation_token(srv: &TestServer) -> String {
    let response = srv.post_form("/token", Some(("automation", AUTOMATION_SECRET)), &[("grant_type", "client_credentials"), ("scope", "oneid:admin:automation")]).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// Calls the API; returns status, content type and body (JSON or null).
async fn call(srv: &TestServer, token: Option<&str>, method: Method, path: &str, body: Option<Value>) -> (StatusCode, String, Value) {
    let mut request = srv.http().request(method, srv.url(&format!("/admin/api/v1{path}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let text = response.text().await.unwrap_or_default();
    (status, kind, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn openapi(srv: &TestServer) -> Value {
    let response = srv.http().get(srv.url("/admin/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_openapi_document_is_valid_and_every_route_it_lists_demands_an_admin_token() {
    let srv = server(Backend::Sqlite).await;
    let doc = openapi(&srv).await;

    common::openapi::assert_valid(&doc);
    assert_eq!(doc["servers"][0]["url"], srv.url("/admin/api/v1"));

    let mut operations = Vec::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys().filter(|m| *m != "parameters") {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    let expected = [
        "DELETE /brands/{id}", "DELETE /clients/{id}", "DELETE /users/{id}", "DELETE /users/{id}/admin", "DELETE /users/{id}/sessions",
        "GET /audit", "GET /brands", "GET /brands/{id}", "GET /clients", "GET /clients/{id}", "GET /keys", "GET /policy", "GET /users", "GET /users/{id}",
        "PATCH /policy", "POST /brands", "POST /clients", "POST /clients/{id}/secret", "POST /keys/rotate", "POST /keys/{kid}/retire", "POST /users",
        "POST /users/{id}/disable", "POST /users/{id}/enable", "POST /users/{id}/password-reset", "POST /users/{id}/unlock",
        "PUT /brands/{id}", "PUT /clients/{id}", "PUT /users/{id}/admin",
    ];
    assert_eq!(operations, expected);

    // BOB is no administrator: the admin scope is left out of his token (RFC 6749 §3.3).
    let (bob_token, bob_body) = user_token(&srv, BOB).await;
    assert_eq!(bob_body["scope"], "openid");
    let service = srv.post_form("/token", Some(("service", common::SERVICE_SECRET)), &[("grant_type", "client_credentials")]).await;
    let service_token = service.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    for operation in &operations {
        let (method, path) = operation.split_once(' ').unwrap();
        let path = path.replace("{id}", "x").replace("{kid}", "x");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let (status, kind, body) = call(&srv, None, method.clone(), &path, None).await;
        assert_eq!((status, kind.as_str()), (StatusCode::UNAUTHORIZED, "application/problem+json"), "{operation} anonymous: {body}");
        let (status, _, body) = call(&srv, Some("not-a-token"), method.clone(), &path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{operation} with garbage: {body}");
        let (status, kind, body) = call(&srv, Some(&bob_token), method.clone(), &path, None).await;
        assert_eq!((status, kind.as_str()), (StatusCode::FORBIDDEN, "application/problem+json"), "{operation} as BOB: {body}");
        assert_eq!(body["type"], "urn:oneid:problem:forbidden");
        let (status, _, body) = call(&srv, Some(&service_token), method, &path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{operation} as a client without the automation scope: {body}");
    }
}

#[tokio::test]
async fn an_administrator_manages_clients_and_every_change_is_audited() {
    for srv in TestServer::each_backend().await {
        let srv = {
            let backend = srv.backend;
            drop(srv);
            server(backend).await
        };
        // A password alone does not administer.
        let (weak, body) = user_token(&srv, ALICE).await;
        assert_eq!(body["scope"], "oneid:admin openid");
        let (status, _, problem) = call(&srv, Some(&weak), Method::GET, "/clients", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("passkey or an authenticator app"), "{problem}");
        let app = alice_app(&srv).await;
        let (token, _) = admin_token(&srv, &app).await;
        let token = Some(token.as_str());

        let spec = json!({ "id": "shop", "name": "Shop", "token_endpoint_auth_method": "client_secret_basic", "redirect_uris": ["https://shop.example.com/cb"], "brand": "mini", "access_token_ttl": 120 });
        let (status, _, created) = call(&srv, token, Method::POST, "/clients", Some(spec.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let secret = created["client_secret"].as_str().expect("the generated secret, once").to_string();
        assert_eq!(created["client"]["has_secret"], true);
        assert!(created["client"].get("secret_hash").is_none());

        // The new client works at once, with its own token lifetime.
        let issued = srv.post_form("/token", Some(("shop", &secret)), &[("grant_type", "client_credentials")]).await;
        assert_eq!(issued.status(), 400, "shop may not use client credentials");
        assert_eq!(common::oauth_error(issued).await.1, "unauthorized_client");

        // A client's own token lifetime beats the policy's.
        let batch = json!({ "id": "batch", "token_endpoint_auth_method": "client_secret_post", "grant_types": ["client_credentials"], "scopes": ["orders:read"], "access_token_ttl": 45 });
        let (status, _, batch) = call(&srv, token, Method::POST, "/clients", Some(batch)).await;
        assert_eq!(status, StatusCode::CREATED, "{batch}");
        let batch_secret = batch["client_secret"].as_str().unwrap();
        let issued = srv.post_form("/token", None, &[("grant_type", "client_credentials"), ("client_id", "batch"), ("client_secret", batch_secret)]).await;
        let issued: Value = issued.json().await.unwrap();
        assert_eq!((issued["expires_in"].as_i64(), issued["scope"].as_str()), (Some(45), Some("orders:read")), "{issued}");

        let (status, _, again) = call(&srv, token, Method::POST, "/clients", Some(spec.clone())).await;
        assert_eq!((status, again["type"].as_str()), (StatusCode::CONFLICT, Some("urn:oneid:problem:conflict")));
        let bad = json!({ "redirect_uris": ["http://evil.example.com/cb#x"], "grant_types": ["implicit"], "brand": "nope" });
        let (status, kind, problem) = call(&srv, token, Method::POST, "/clients", Some(bad)).await;
        assert_eq!((status, kind.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "application/problem+json"), "{problem}");
        assert!(problem["errors"][0].as_str().unwrap().starts_with("brand:"), "{problem}");
        let bad = json!({ "redirect_uris": ["http://evil.example.com/cb#x"], "grant_types": ["implicit"] });
        let (_, _, problem) = call(&srv, token, Method::POST, "/clients", Some(bad)).await;
        let errors = problem["errors"].to_string();
        assert!(errors.contains("implicit") && errors.contains("fragment"), "{problem}");

        let (status, _, list) = call(&srv, token, Method::GET, "/clients?q=SHO&per_page=5", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((list["total"].as_u64(), list["items"][0]["id"].as_str()), (Some(1), Some("shop")));
        let (_, _, all) = call(&srv, token, Method::GET, "/clients?per_page=2&page=2", None).await;
        assert_eq!(all["items"].as_array().unwrap().len(), 2);
        assert!(all["total"].as_u64().unwrap() > 8);

        let mut changed = spec.clone();
        changed["redirect_uris"] = json!(["https://shop.example.com/cb", "https://shop.example.com/cb2"]);
        let (status, _, updated) = call(&srv, token, Method::PUT, "/clients/shop", Some(changed)).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert!(updated.get("client_secret").is_none(), "the secret is kept");
        assert_eq!(updated["client"]["redirect_uris"].as_array().unwrap().len(), 2);
        let (_, _, got) = call(&srv, token, Method::GET, "/clients/shop", None).await;
        assert_eq!(got["redirect_uris"][1], "https://shop.example.com/cb2");

        let (status, _, rotated) = call(&srv, token, Method::POST, "/clients/shop/secret", None).await;
        assert_eq!(status, StatusCode::OK);
        let new_secret = rotated["client_secret"].as_str().unwrap();
        assert_ne!(new_secret, secret);
        let old = srv.post_form("/introspect", Some(("shop", &secret)), &[("token", "x")]).await;
        assert_eq!(old.status(), 401, "the old secret no longer authenticates");
        let new = srv.post_form("/introspect", Some(("shop", new_secret)), &[("token", "x")]).await;
        assert_eq!(new.status(), 200);

        // Clients of the config file and the console's own are changed elsewhere.
        for id in ["web", "oneid-console"] {
            let (status, _, body) = call(&srv, token, Method::DELETE, &format!("/clients/{id}"), None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{id}: {body}");
        }
        let (status, _, _) = call(&srv, token, Method::DELETE, "/clients/shop", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, _) = call(&srv, token, Method::GET, "/clients/shop", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let alice = srv.user_id(ALICE.0).await;
        srv.state.ctx().store.flush_audit().await;
        let (_, _, audit) = call(&srv, token, Method::GET, &format!("/audit?client_id=shop&actor=user:{alice}"), None).await;
        let events: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["client_removed", "client_secret_rotated", "client_updated", "client_created"]);
        let update = &audit["items"][2]["detail"];
        assert_eq!(update["before"]["redirect_uris"].as_array().unwrap().len(), 1);
        assert_eq!(update["after"]["redirect_uris"].as_array().unwrap().len(), 2);
        assert!(!audit.to_string().contains(&secret) && !audit.to_string().contains(new_secret), "no secret in the audit log");
    }
}

#[tokio::test]
async fn users_are_found_created_locked_out_unlocked_reset_and_deleted() {
    let srv = server(Backend::Sqlite).await;
    let token = automation_token(&srv).await;
    let token = Some(token.as_str());

    let (status, _, created) = call(&srv, token, Method::POST, "/users", Some(json!({ "email": "Carol@Example.com", "password": "a long enough passphrase", "given_name": "Carol" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let carol = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["email"], "carol@example.com");
    assert!(created.get("password_hash").is_none());
    let (status, _, problem) = call(&srv, token, Method::POST, "/users", Some(json!({ "email": "nope", "password": "short" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
    let (status, _, problem) = call(&srv, token, Method::POST, "/users", Some(json!({ "email": "carol@example.com", "password": "a long enough passphrase" }))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, _, problem) = call(&srv, token, Method::POST, "/users", Some(json!({ "email": "x@example.com", "pasword": "typo in the name" }))).await;
    assert_eq!((status, problem["type"].as_str()), (StatusCode::BAD_REQUEST, Some("urn:oneid:problem:invalid-json")));

    for q in ["carol", "CAROL", "Carol@", carol.as_str()] {
        let (_, _, found) = call(&srv, token, Method::GET, &format!("/users?q={}", urlencode(q)), None).await;
        assert_eq!(found["total"], 1, "{q}: {found}");
    }
    let (_, _, none) = call(&srv, token, Method::GET, "/users?q=%25", None).await;
    assert_eq!(none["total"], 0, "a % is searched for literally");

    // Three wrong passwords lock Carol out, the administrator unlocks her.
    // (No proof of work in the way: this is about the lock.)
    let lock = json!({ "lockout": { "threshold": 3, "pow_after": 50 } });
    let (status, _, policy) = call(&srv, token, Method::PATCH, "/policy", Some(lock)).await;
    assert_eq!(status, StatusCode::OK, "{policy}");
    assert_eq!(policy["values"]["lockout"]["threshold"], 3);
    assert_eq!(policy["changed"], json!({ "lockout": { "threshold": 3, "pow_after": 50 } }));
    let browser = srv.browser();
    for _ in 0..3 {
        let page = browser.open(&srv.url("/login")).await;
        browser.submit_login(&page, "carol@example.com", "wrong password here").await;
    }
    let page = browser.open(&srv.url("/login")).await;
    let locked = browser.submit_login(&page, "carol@example.com", "a long enough passphrase").await;
    assert!(locked.body().contains("Too many failed sign-in attempts"), "Carol is locked out after the third wrong password");
    let (_, _, detail) = call(&srv, token, Method::GET, &format!("/users/{carol}"), None).await;
    assert_eq!(detail["user"]["email"], "carol@example.com");
    let (status, _, unlocked) = call(&srv, token, Method::POST, &format!("/users/{carol}/unlock"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(unlocked["locks_cleared"].as_u64().unwrap() >= 1, "{unlocked}");
    let page = browser.open(&srv.url("/login")).await;
    let signed_in = browser.submit_login(&page, "carol@example.com", "a long enough passphrase").await;
    assert!(!signed_in.is_login_page(), "Carol signs in after the unlock: {}", signed_in.url());
    let (_, _, detail) = call(&srv, token, Method::GET, &format!("/users/{carol}"), None).await;
    assert_eq!(detail["sessions"].as_array().unwrap().len(), 1);

    let (status, _, ended) = call(&srv, token, Method::DELETE, &format!("/users/{carol}/sessions"), None).await;
    assert_eq!((status, ended["sessions_ended"].as_u64()), (StatusCode::OK, Some(1)));
    let again = browser.open(&srv.url("/account")).await;
    assert!(again.is_login_page(), "the session is gone");

    let (status, _, _) = call(&srv, token, Method::POST, &format!("/users/{carol}/password-reset"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = srv.mail.wait_for_subject("carol@example.com", "password").await;
    assert!(mail.link(&srv.url("/password/reset?token=")).contains("token="), "{}", mail.text());

    let (_, _, disabled) = call(&srv, token, Method::POST, &format!("/users/{carol}/disable"), None).await;
    assert_eq!(disabled["disabled"], true);
    let page = browser.open(&srv.url("/login")).await;
    assert!(browser.submit_login(&page, "carol@example.com", "a long enough passphrase").await.is_login_page());
    let (_, _, enabled) = call(&srv, token, Method::POST, &format!("/users/{carol}/enable"), None).await;
    assert_eq!(enabled["disabled"], false);

    let (status, _, problem) = call(&srv, token, Method::PUT, &format!("/users/{carol}/admin"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "automation does not make administrators: {problem}");

    let (status, _, _) = call(&srv, token, Method::DELETE, &format!("/users/{carol}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = call(&srv, token, Method::GET, &format!("/users/{carol}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    srv.state.ctx().store.flush_audit().await;
    let (_, _, audit) = call(&srv, token, Method::GET, "/audit?actor=client:automation&per_page=100", None).await;
    let events: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    for expected in ["user_created", "policy_changed", "user_unlocked", "user_sessions_revoked", "password_reset_sent", "user_disabled", "user_enabled", "user_deleted"] {
        assert!(events.contains(&expected), "{expected} missing from {events:?}");
    }
    let policy_change = audit["items"].as_array().unwrap().iter().find(|e| e["event"] == "policy_changed").unwrap();
    assert_eq!(policy_change["detail"], json!({ "before": { "lockout": { "threshold": 5, "pow_after": 3 } }, "after": { "lockout": { "threshold": 3, "pow_after": 50 } } }));
    assert!(!audit.to_string().contains("carol@example.com"), "the deleted account's email is not kept in the audit log");
}

#[tokio::test]
async fn brands_policies_and_keys() {
    let srv = server(Backend::Sqlite).await;
    let app = alice_app(&srv).await;
    let (bearer, _) = admin_token(&srv, &app).await;
    let token = Some(bearer.as_str());

    let brand = json!({ "id": "rr", "name": "RR ID", "wordmark": "RR", "accent_color": "#333333", "accent_text_color": "#ffffff", "background_color": "#fafafa", "mail_from": "RR ID <no-reply@rr.example.com>", "support": "help@rr.example.com" });
    let (status, _, created) = call(&srv, token, Method::POST, "/brands", Some(brand.clone())).await;
    assert_eq!((status, created["managed_by"].as_str()), (StatusCode::CREATED, Some("database")), "{created}");
    let css = srv.http().get(srv.url("/static/brand-rr.css")).send().await.unwrap().text().await.unwrap();
    assert!(css.contains("#333333"), "the new brand's style sheet is served: {css}");
    let mut bad = brand.clone();
    bad["accent_color"] = json!("red; } body {");
    let (status, _, problem) = call(&srv, token, Method::PUT, "/brands/rr", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let mut changed = brand.clone();
    changed["name"] = json!("RR Account");
    let (status, _, _) = call(&srv, token, Method::PUT, "/brands/rr", Some(changed)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, got) = call(&srv, token, Method::GET, "/brands/rr", None).await;
    assert_eq!(got["name"], "RR Account");
    let (status, _, _) = call(&srv, token, Method::PUT, "/brands/mini", Some(json!({ "id": "mini", "name": "x", "wordmark": "x", "accent_color": "#000", "accent_text_color": "#fff", "background_color": "#fff", "mail_from": "a@example.com", "support": "s" }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "brands of the config file are changed there");
    let (status, _, problem) = call(&srv, token, Method::DELETE, "/brands/rr", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{problem}");
    let (_, _, brands) = call(&srv, token, Method::GET, "/brands", None).await;
    assert_eq!(brands.as_array().unwrap().len(), 3);

    let (status, _, policy) = call(&srv, token, Method::GET, "/policy", None).await;
    assert_eq!((status, policy["values"]["lockout"]["threshold"].as_i64()), (StatusCode::OK, Some(5)), "{policy}");
    assert_eq!(policy["changed"], json!({}));
    // Policy: bad values are refused whole, with each problem named.
    let (status, _, problem) = call(&srv, token, Method::PATCH, "/policy", Some(json!({ "lockout": { "threshold": 0, "nope": 1 }, "database": { "url": "x" } }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = problem["errors"].to_string();
    assert!(errors.contains("lockout.nope") && errors.contains("database"), "{problem}");
    let (status, _, problem) = call(&srv, token, Method::PATCH, "/policy", Some(json!({ "pin": { "max_attempts": 99 } }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["errors"].to_string().contains("pin.max_attempts"), "{problem}");
    let (_, _, policy) = call(&srv, token, Method::PATCH, "/policy", Some(json!({ "tokens": { "access_token_ttl": 90 }, "second_factor": { "clients": ["mini-portal"] } }))).await;
    assert_eq!(policy["values"]["tokens"]["access_token_ttl"], 90);
    let issued = srv.post_form("/token", Some(("service", common::SERVICE_SECRET)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(issued.json::<Value>().await.unwrap()["expires_in"], 90, "the new lifetime applies to the next token");
    let (_, _, policy) = call(&srv, token, Method::PATCH, "/policy", Some(json!({ "tokens": { "access_token_ttl": null } }))).await;
    assert_eq!(policy["values"]["tokens"]["access_token_ttl"], 600, "null goes back to the config file's value");

    // Every sign-in to mini-portal now needs a second factor: BOB gets an emailed code.
    let (_, challenge) = pkce_pair();
    let url = common::authorize_url(&srv, &[("response_type", "code"), ("client_id", "mini-portal"), ("redirect_uri", "https://mini.example.com/callback"), ("scope", "openid"), ("code_challenge", &challenge), ("code_challenge_method", "S256")]);
    let browser = srv.browser();
    let page = browser.open(&url).await;
    let next = browser.submit_login(&page, BOB.0, BOB.1).await;
    assert!(next.url().contains("/login/code"), "a code is asked: {}", next.url());
    srv.mail.wait_for_subject(BOB.0, "code").await;

    let (_, _, keys) = call(&srv, token, Method::GET, "/keys", None).await;
    let mut active: Vec<(String, String)> = keys.as_array().unwrap().iter().filter(|k| k["state"] == "active").map(|k| (k["alg"].as_str().unwrap().to_string(), k["kid"].as_str().unwrap().to_string())).collect();
    active.sort();
    assert_eq!(active.len(), 2, "{keys}");
    // The ES256 key: it signed the access token in use.
    let active: Vec<String> = active.into_iter().map(|(_, kid)| kid).collect();
    let (status, _, problem) = call(&srv, token, Method::POST, &format!("/keys/{}/retire", active[0]), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "a signing key is rotated out first: {problem}");
    let (status, _, rotated) = call(&srv, token, Method::POST, "/keys/rotate", None).await;
    assert_eq!((status, rotated["new_kids"].as_array().map(Vec::len)), (StatusCode::OK, Some(2)));
    let jwks: Value = srv.http().get(srv.url("/jwks")).send().await.unwrap().json().await.unwrap();
    assert!(jwks.to_string().contains(&active[0]), "the previous key is still published");
    let (status, _, _) = call(&srv, token, Method::POST, &format!("/keys/{}/retire", active[0]), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let jwks: Value = srv.http().get(srv.url("/jwks")).send().await.unwrap().json().await.unwrap();
    assert!(!jwks.to_string().contains(&active[0]), "a retired key is no longer published");
    let (status, _, _) = call(&srv, token, Method::GET, "/keys", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the token this key signed stops working with it");
    let (bearer, _) = admin_token(&srv, &app).await;
    let token = Some(bearer.as_str());

    let (status, _, problem) = call(&srv, token, Method::GET, "/audit?since=0&until=99999999999&event=signing_key_retired", None).await;
    assert_eq!((status, problem["total"].as_u64()), (StatusCode::OK, Some(1)));
    let response = srv.http().post(srv.url("/admin/api/v1/brands")).bearer_auth(&bearer).body("{}").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // axum's own refusals are problem details too.
    for (method, path, status) in [(Method::GET, "/users?page=abc", StatusCode::BAD_REQUEST), (Method::PATCH, "/users", StatusCode::METHOD_NOT_ALLOWED), (Method::GET, "/nothing-here", StatusCode::NOT_FOUND)] {
        let (got, kind, body) = call(&srv, token, method, path, None).await;
        assert_eq!((got, kind.as_str()), (status, "application/problem+json"), "{path}: {body}");
    }
    let (status, _, page) = call(&srv, token, Method::GET, "/users?page=18446744073709551615&per_page=100000", None).await;
    assert_eq!((status, page["per_page"].as_u64()), (StatusCode::OK, Some(100)), "huge numbers are clamped: {page}");
}

#[tokio::test]
async fn a_revoked_role_or_a_disabled_account_loses_the_api_at_once() {
    let srv = server(Backend::Sqlite).await;
    let app = alice_app(&srv).await;
    let (token, _) = admin_token(&srv, &app).await;
    let (status, _, _) = call(&srv, Some(&token), Method::GET, "/users", None).await;
    assert_eq!(status, StatusCode::OK);
    // An administrator gives and takes the role; the last one keeps it.
    let bob = srv.user_id(BOB.0).await;
    let (_, _, granted) = call(&srv, Some(&token), Method::PUT, &format!("/users/{bob}/admin"), None).await;
    assert_eq!(granted["admin"], true);
    let (_, _, taken) = call(&srv, Some(&token), Method::DELETE, &format!("/users/{bob}/admin"), None).await;
    assert_eq!(taken["admin"], false);
    let alice = srv.user_id(ALICE.0).await;
    let (status, _, problem) = call(&srv, Some(&token), Method::DELETE, &format!("/users/{alice}/admin"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "the last administrator keeps the role: {problem}");
    // An automation client loses the API as soon as its registration no longer allows it.
    let robot = automation_token(&srv).await;
    assert_eq!(call(&srv, Some(&robot), Method::GET, "/users", None).await.0, StatusCode::OK);
    let ctx = srv.state.ctx();
    let mut record = ctx.store.client_by_id("automation").await.unwrap().unwrap();
    record.scopes = "other".into();
    ctx.store.upsert_client(&record).await.unwrap();
    ctx.clients.reload().await.unwrap();
    assert_eq!(call(&srv, Some(&robot), Method::GET, "/users", None).await.0, StatusCode::FORBIDDEN);
    let cli = (&oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli());
    oneid::admin::users::set_admin(srv.state.ctx(), &bob, true, cli.0, cli.1).await.unwrap();
    oneid::admin::users::set_admin(srv.state.ctx(), &alice, false, cli.0, cli.1).await.unwrap();
    let (status, _, problem) = call(&srv, Some(&token), Method::GET, "/users", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the role is checked on every call: {problem}");
    // The automation scope cannot be had by a client not registered for it.
    let response = srv.post_form("/token", Some(("service", common::SERVICE_SECRET)), &[("grant_type", "client_credentials"), ("scope", "oneid:admin:automation")]).await;
    assert_eq!(common::oauth_error(response).await.1, "invalid_scope");
    let response = srv.post_form("/token", Some(("automation", AUTOMATION_SECRET)), &[("grant_type", "client_credentials"), ("scope", "oneid:admin")]).await;
    assert_eq!(common::oauth_error(response).await.1, "invalid_scope", "the user scope is never a client's");
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
