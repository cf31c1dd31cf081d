//! The message center example (`examples/message_center`) against a real oneid: it
//! takes a token for its resource indicator with the right scope, and refuses a token
//! for another audience, an expired one, one signed by a key oneid never published, and
//! one without the scope.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::common::{self, Backend, TestServer};

// The example's own modules, compiled into this test (paths relative to tests/it/).
#[path = "../../examples/message_center/app.rs"]
mod app;
#[path = "../../examples/message_center/store.rs"]
mod store;
#[path = "../../examples/message_center/token.rs"]
mod token;

const SERVICE: (&str, &str) = ("service", common::SERVICE_SECRET);

async fn start(srv: &TestServer, audience: &str, listener: tokio::net::TcpListener) -> String {
    let verifier = token::TokenVerifier::discover(&srv.issuer, audience).await.expect("discovery");
    let store = store::Store::open("sqlite::memory:").await.expect("the center's database");
    let app = app::router(Arc::new(app::Center { verifier, store }));
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn token(srv: &TestServer, form: &[(&str, &str)]) -> String {
    let response = srv.post_form("/token", Some(SERVICE), form).await;
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap_or_else(|| panic!("no token: {body}")).to_string()
}

#[tokio::test]
async fn the_message_center_checks_oneids_tokens_itself() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let audience = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let resource = audience.clone();
    let srv = TestServer::start_with(Backend::Sqlite, move |config| {
        config.resources = vec![oneid::config::ResourceConfig { uri: resource, scopes: vec!["messages:read".into(), "messages:write".into()] }];
        let web = config.clients.iter_mut().find(|c| c.id == "web").unwrap();
        web.scopes = Some(["openid", "messages:read", "messages:write"].map(String::from).to_vec());
    })
    .await;
    let center = start(&srv, &audience, listener).await;
    let http = srv.http();

    // Alice signs in at the web client, which takes a token for the message center.
    let (verifier, challenge) = common::pkce_pair();
    let url = common::authorize_url(&srv, &[("response_type", "code"), ("client_id", "web"), ("redirect_uri", common::WEB_REDIRECT), ("scope", "openid messages:read messages:write"), ("code_challenge", &challenge), ("code_challenge_method", "S256")]);
    let landed = srv.browser().sign_in(&url, common::ALICE).await;
    let code = common::query(&landed)["code"].clone();
    let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", common::WEB_REDIRECT), ("code_verifier", verifier.as_str()), ("resource", audience.as_str())];
    let exchanged: Value = srv.post_form("/token", Some(("web", common::WEB_SECRET)), &form).await.json().await.unwrap();
    let good = exchanged["access_token"].as_str().unwrap().to_string();
    let message = json!({ "topic": "contract", "account": "WMW12345", "text": "When is my next payment due?", "attachment": { "name": "invoice.pdf", "content_type": "application/pdf", "data": "JVBERi0xLjQK" } });
    let sent = http.post(format!("{center}/messages")).bearer_auth(&good).json(&message).send().await.unwrap();
    assert_eq!(sent.status(), 201, "{}", sent.text().await.unwrap());
    let inbox: Value = http.get(format!("{center}/messages")).bearer_auth(&good).send().await.unwrap().json().await.unwrap();
    assert_eq!(inbox[0]["attachment"]["size"], 9, "{inbox}");
    let id = inbox[0]["id"].as_u64().unwrap();
    let one: Value = http.get(format!("{center}/messages/{id}")).bearer_auth(&good).send().await.unwrap().json().await.unwrap();
    assert_eq!(one["text"], "When is my next payment due?");
    assert_eq!(http.get(format!("{center}/messages/999")).bearer_auth(&good).send().await.unwrap().status(), 404);
    let bad = json!({ "topic": "gossip", "text": "" });
    assert_eq!(http.post(format!("{center}/messages")).bearer_auth(&good).json(&bad).send().await.unwrap().status(), 422);

    let refused = |token: String| {
        let http = http.clone();
        let center = center.clone();
        async move {
            let response = http.get(format!("{center}/messages")).bearer_auth(token).send().await.unwrap();
            (response.status().as_u16(), response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default())
        }
    };
    // A token for oneid itself (no resource): another audience.
    let (status, challenge) = refused(token(&srv, &[("grant_type", "client_credentials"), ("scope", "messages:read")]).await).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("another audience"), "{challenge}");
    // Signed by a key oneid never published.
    let forged_key = josekit::jws::ES256.generate_key_pair().unwrap();
    let mut header = josekit::jws::JwsHeader::new();
    header.set_token_type("at+jwt");
    header.set_key_id("not-a-oneid-key");
    let mut payload = josekit::jwt::JwtPayload::new();
    payload.set_issuer(&srv.issuer);
    payload.set_audience(vec![audience.as_str()]);
    payload.set_claim("scope", Some(json!("messages:read"))).unwrap();
    payload.set_expires_at(&(std::time::SystemTime::now() + std::time::Duration::from_secs(300)));
    let forged = josekit::jwt::encode_with_signer(&payload, &header, &josekit::jws::ES256.signer_from_der(forged_key.to_der_private_key()).unwrap()).unwrap();
    let (status, challenge) = refused(forged).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("does not publish"), "{challenge}");
    // A client's own token for the API: no person behind it.
    let (status, challenge) = refused(token(&srv, &[("grant_type", "client_credentials"), ("resource", &audience)]).await).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("a person's sign-in"), "{challenge}");
    // Without the scope it needs: a token for the API that holds only messages:write.
    let write_only = token(&srv, &[("grant_type", "client_credentials"), ("scope", "messages:write"), ("resource", &audience)]).await;
    assert_eq!(refused(write_only).await.0, 403);
    // Expired: minted while oneid's clock stood two hours back.
    srv.clock.advance(-2 * 3600);
    let stale = token(&srv, &[("grant_type", "client_credentials"), ("resource", &audience)]).await;
    srv.clock.advance(2 * 3600);
    let (status, challenge) = refused(stale).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("expired"), "{challenge}");
}

