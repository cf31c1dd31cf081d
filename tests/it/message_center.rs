//! The message center example (`examples/message_center`) against a real oneid: it
//! takes a token for its resource indicator with the right scope, keeps threads and
//! attachments apart per person, and refuses a token for another audience, an expired
//! one, one signed by a key oneid never published, and one without the scope.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::common::{self, Backend, TestServer};

// The example's own modules, compiled into this test (paths relative to tests/it/).
// The end-to-end "My Account" test (account_portal.rs) uses them too.
#[path = "../../examples/message_center/app.rs"]
pub mod app;
#[path = "../../examples/message_center/reply.rs"]
pub mod reply;
#[path = "../../examples/message_center/store.rs"]
pub mod store;
#[path = "../../examples/message_center/token.rs"]
pub mod token;

const SERVICE: (&str, &str) = ("service", common::SERVICE_SECRET);

/// Starts the message center on `listener` for tokens of `srv` with `audience`.
pub async fn start(srv: &TestServer, audience: &str, listener: tokio::net::TcpListener) -> (String, Arc<app::Center>) {
    let verifier = token::TokenVerifier::discover(&srv.issuer, audience).await.expect("discovery");
    let store = store::Store::open("sqlite::memory:").await.expect("the center's database");
    let center = Arc::new(app::Center { verifier, store });
    let app = app::router(center.clone());
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, center)
}

/// The resource oneid issues the center's tokens for.
pub fn resource(uri: &str) -> oneid::config::ResourceConfig {
    oneid::config::ResourceConfig { uri: uri.into(), scopes: vec!["messages:read".into(), "messages:write".into()], claims: vec!["email".into()] }
}

/// The center refuses a token of oneid's for another audience, one minted while oneid's
/// clock stood two hours back (expired), and one signed by a key oneid never published.
pub async fn refuses_foreign_tokens(srv: &TestServer, center: &str, audience: &str) {
    let http = srv.http();
    let refused = |token: String| {
        let http = http.clone();
        async move {
            let response = http.get(format!("{center}/threads")).bearer_auth(token).send().await.unwrap();
            (response.status().as_u16(), response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default())
        }
    };
    // A token for oneid itself (no resource): another audience.
    let (status, challenge) = refused(token(srv, &[("grant_type", "client_credentials"), ("scope", "messages:read")]).await).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("another audience"), "{challenge}");
    // Signed by a key oneid never published.
    let forged_key = josekit::jws::ES256.generate_key_pair().unwrap();
    let mut header = josekit::jws::JwsHeader::new();
    header.set_token_type("at+jwt");
    header.set_key_id("not-a-oneid-key");
    let mut payload = josekit::jwt::JwtPayload::new();
    payload.set_issuer(&srv.issuer);
    payload.set_audience(vec![audience]);
    payload.set_claim("scope", Some(json!("messages:read"))).unwrap();
    payload.set_expires_at(&(std::time::SystemTime::now() + std::time::Duration::from_secs(300)));
    let forged = josekit::jwt::encode_with_signer(&payload, &header, &josekit::jws::ES256.signer_from_der(forged_key.to_der_private_key()).unwrap()).unwrap();
    let (status, challenge) = refused(forged).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("does not publish"), "{challenge}");
    // Expired: minted while oneid's clock stood two hours back.
    srv.clock.advance(-2 * 3600);
    let stale = token(srv, &[("grant_type", "client_credentials"), ("resource", audience)]).await;
    srv.clock.advance(2 * 3600);
    let (status, challenge) = refused(stale).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("expired"), "{challenge}");
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
    let uri = audience.clone();
    let srv = TestServer::start_with(Backend::Sqlite, move |config| {
        config.resources = vec![resource(&uri)];
        let web = config.clients.iter_mut().find(|c| c.id == "web").unwrap();
        web.scopes = Some(["openid", "email", "messages:read", "messages:write"].map(String::from).to_vec());
    })
    .await;
    let (center, _) = start(&srv, &audience, listener).await;
    let http = srv.http();

    // Alice signs in at the web client, which takes a token for the message center.
    let (verifier, challenge) = common::pkce_pair();
    let url = common::authorize_url(&srv, &[("response_type", "code"), ("client_id", "web"), ("redirect_uri", common::WEB_REDIRECT), ("scope", "openid email messages:read messages:write"), ("code_challenge", &challenge), ("code_challenge_method", "S256")]);
    let landed = srv.browser().sign_in(&url, common::ALICE).await;
    let code = common::query(&landed)["code"].clone();
    let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", common::WEB_REDIRECT), ("code_verifier", verifier.as_str()), ("resource", audience.as_str())];
    let exchanged: Value = srv.post_form("/token", Some(("web", common::WEB_SECRET)), &form).await.json().await.unwrap();
    let good = exchanged["access_token"].as_str().unwrap().to_string();
    // The resource may see the address (claims = ["email"]), and no other claim about her.
    let claims = common::jwt_claims(&good);
    assert_eq!((claims["email"].as_str(), claims.get("email_verified")), (Some(common::ALICE.0), None), "{claims}");

    let pdf = "JVBERi0xLjQK"; // "%PDF-1.4\n"
    let message = json!({ "topic": "contract", "account": "FA-1001", "text": "When is my next payment due?", "attachment": { "name": "invoice.pdf", "content_type": "application/pdf", "data": pdf } });
    let sent = http.post(format!("{center}/threads")).bearer_auth(&good).json(&message).send().await.unwrap();
    assert_eq!(sent.status(), 201);
    let location = sent.headers()["location"].to_str().unwrap().to_string();
    let thread: Value = sent.json().await.unwrap();
    let id = thread["id"].as_u64().unwrap();
    assert_eq!(location, format!("/threads/{id}"));
    assert_eq!((thread["messages"][0]["author"].as_str(), thread["messages"][0]["attachment"]["size"].as_u64()), (Some("you"), Some(9)), "{thread}");
    let more = http.post(format!("{center}/threads/{id}/messages")).bearer_auth(&good).json(&json!({ "text": "And may I pay early?" })).send().await.unwrap();
    assert_eq!(more.status(), 201);
    let threads: Value = http.get(format!("{center}/threads")).bearer_auth(&good).send().await.unwrap().json().await.unwrap();
    assert_eq!((threads.as_array().unwrap().len(), threads[0]["last_author"].as_str()), (1, Some("you")), "{threads}");
    let one: Value = http.get(format!("{center}/threads/{id}")).bearer_auth(&good).send().await.unwrap().json().await.unwrap();
    assert_eq!(one["messages"][1]["text"], "And may I pay early?");
    let file = http.get(format!("{center}/threads/{id}/messages/{}/attachment", one["messages"][0]["id"])).bearer_auth(&good).send().await.unwrap();
    assert_eq!((file.headers()["content-disposition"].to_str().unwrap(), file.headers()["x-content-type-options"].to_str().unwrap()), ("attachment; filename=\"invoice.pdf\"", "nosniff"));
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4\n");
    assert_eq!(http.get(format!("{center}/threads/999")).bearer_auth(&good).send().await.unwrap().status(), 404);

    // Wrong input: an unknown topic and no text; a "PDF" that is not one; too big a file.
    let refusal = |body: Value, path: String| {
        let http = http.clone();
        let good = good.clone();
        async move {
            let response = http.post(path).bearer_auth(good).json(&body).send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap()["detail"].as_str().unwrap_or_default().to_string())
        }
    };
    let (status, detail) = refusal(json!({ "topic": "gossip", "text": " " }), format!("{center}/threads")).await;
    assert_eq!(status, 422);
    assert!(detail.contains("topic: one of contract") && detail.contains("text: 1 to 5000"), "{detail}");
    let disguised = json!({ "text": "see file", "attachment": { "name": "run.pdf", "content_type": "application/pdf", "data": "TVqQAAMAAAAEAAAA" } });
    let (status, detail) = refusal(disguised, format!("{center}/threads/{id}/messages")).await;
    assert_eq!((status, detail.as_str()), (422, "attachment: the file is not a PDF file"));
    use base64::Engine;
    let big = base64::engine::general_purpose::STANDARD.encode([b"%PDF-".as_slice(), &vec![0u8; 1024 * 1024]].concat());
    let (status, detail) = refusal(json!({ "text": "big", "attachment": { "name": "big.pdf", "content_type": "application/pdf", "data": big } }), format!("{center}/threads/{id}/messages")).await;
    assert_eq!((status, detail.as_str()), (422, "attachment: at most 1 MiB, and not empty"));

    // Bob sees none of it.
    let bob = srv.browser().sign_in(&url, common::BOB).await;
    let code = common::query(&bob)["code"].clone();
    let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", common::WEB_REDIRECT), ("code_verifier", verifier.as_str()), ("resource", audience.as_str())];
    let exchanged: Value = srv.post_form("/token", Some(("web", common::WEB_SECRET)), &form).await.json().await.unwrap();
    let bobs = exchanged["access_token"].as_str().unwrap().to_string();
    assert_eq!(http.get(format!("{center}/threads")).bearer_auth(&bobs).send().await.unwrap().json::<Value>().await.unwrap(), json!([]));
    assert_eq!(http.get(format!("{center}/threads/{id}")).bearer_auth(&bobs).send().await.unwrap().status(), 404);
    assert_eq!(http.post(format!("{center}/threads/{id}/messages")).bearer_auth(&bobs).json(&json!({ "text": "hi" })).send().await.unwrap().status(), 404);

    refuses_foreign_tokens(&srv, &center, &audience).await;
    let refused = |token: String| {
        let http = http.clone();
        let center = center.clone();
        async move {
            let response = http.get(format!("{center}/threads")).bearer_auth(token).send().await.unwrap();
            (response.status().as_u16(), response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default())
        }
    };
    // A client's own token for the API: no person behind it.
    let (status, challenge) = refused(token(&srv, &[("grant_type", "client_credentials"), ("resource", &audience)]).await).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("a person's sign-in"), "{challenge}");
    // Without the scope it needs: a token for the API that holds only messages:write.
    let write_only = token(&srv, &[("grant_type", "client_credentials"), ("scope", "messages:write"), ("resource", &audience)]).await;
    assert_eq!(refused(write_only).await.0, 403);
    // No token at all.
    let anonymous = http.get(format!("{center}/threads")).send().await.unwrap();
    assert_eq!((anonymous.status().as_u16(), anonymous.headers()["www-authenticate"].to_str().unwrap()), (401, "Bearer realm=\"messages\""));
}
