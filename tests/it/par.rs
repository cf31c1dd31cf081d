//! Pushed authorization requests (RFC 9126) and `private_key_jwt` client authentication
//! (RFC 7523) with registered and fetched keys.

use serde_json::{Value, json};

use crate::common::jose::ClientKey;
use crate::common::rp_server::RpServer;
use crate::common::{ALICE, Backend, SERVICE_SECRET, TestServer, WEB_REDIRECT, WEB_SECRET, client, pkce_pair, query, redeem};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn pushed_params(challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("redirect_uri", WEB_REDIRECT.into()),
        ("scope", "openid email".into()),
        ("state", "pushed".into()),
        ("code_challenge", challenge.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

async fn push(srv: &TestServer, basic: Option<(&str, &str)>, params: &[(&'static str, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    srv.post_form("/par", basic, &pairs).await
}

fn authorize_with(client_id: &str, request_uri: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new()).append_pair("client_id", client_id).append_pair("request_uri", request_uri).finish();
    format!("/authorize?{query}")
}

async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["error"].as_str().unwrap_or_else(|| panic!("no error in {body}")).to_string())
}

#[tokio::test]
async fn a_pushed_request_signs_in_once_and_expires() {
    for srv in TestServer::each_backend().await {
        let (verifier, challenge) = pkce_pair();
        let response = push(&srv, Some(("web", WEB_SECRET)), &pushed_params(&challenge)).await;
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let pushed: Value = response.json().await.unwrap();
        let request_uri = pushed["request_uri"].as_str().unwrap().to_string();
        assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"), "{request_uri}");
        assert_eq!(pushed["expires_in"], 90);

        let browser = srv.browser();
        // The login page has an address of its own, which still works when reloaded.
        let login = browser.open(&authorize_with("web", &request_uri)).await;
        assert!(login.is_login_page() && login.url().contains("/login?request="), "{}", login.url());
        assert!(browser.open(login.url()).await.is_login_page(), "reloaded");
        let redirect = browser.sign_in(login.url(), ALICE).await;
        let params = query(&redirect);
        assert_eq!(params.get("state").map(String::as_str), Some("pushed"), "the pushed state comes back");
        let tokens = redeem(&srv, &params["code"], &verifier).await;
        assert_eq!(tokens.status(), 200);

        let again = browser.open(&authorize_with("web", &request_uri)).await;
        assert_eq!(again.status(), 400, "a request_uri works once");
        assert!(again.body().contains("already used or has expired"), "{}", again.body());

        let (_, challenge) = pkce_pair();
        let late: Value = push(&srv, Some(("web", WEB_SECRET)), &pushed_params(&challenge)).await.json().await.unwrap();
        srv.clock.advance(91);
        assert_eq!(browser.open(&authorize_with("web", late["request_uri"].as_str().unwrap())).await.status(), 400, "expired");

        let (_, challenge) = pkce_pair();
        let other: Value = push(&srv, Some(("web", WEB_SECRET)), &pushed_params(&challenge)).await.json().await.unwrap();
        let stolen = browser.open(&authorize_with("first-party", other["request_uri"].as_str().unwrap())).await;
        assert_eq!(stolen.status(), 400, "only for the client that pushed it");
    }
}

#[tokio::test]
async fn pushing_checks_the_client_and_the_request() {
    let srv = TestServer::start().await;
    let (_, challenge) = pkce_pair();
    let mut bad_redirect = pushed_params(&challenge);
    bad_redirect[1].1 = "https://evil.example.com/callback".into();
    assert_eq!(error_of(push(&srv, Some(("web", WEB_SECRET)), &bad_redirect).await).await, (400, "invalid_request".into()));
    let no_pkce: Vec<_> = pushed_params(&challenge).into_iter().filter(|(k, _)| !k.starts_with("code_challenge")).collect();
    assert_eq!(error_of(push(&srv, Some(("web", WEB_SECRET)), &no_pkce).await).await, (400, "invalid_request".into()));
    let mut nested = pushed_params(&challenge);
    nested.push(("request_uri", "urn:ietf:params:oauth:request_uri:x".into()));
    assert_eq!(error_of(push(&srv, Some(("web", WEB_SECRET)), &nested).await).await, (400, "invalid_request".into()));
    let mut scope = pushed_params(&challenge);
    scope[2].1 = "openid messages:write".into();
    assert_eq!(error_of(push(&srv, Some(("web", WEB_SECRET)), &scope).await).await, (400, "invalid_scope".into()));
    assert_eq!(error_of(push(&srv, Some(("web", "wrong secret of enough length 0123456789")), &pushed_params(&challenge)).await).await, (401, "invalid_client".into()));
    let mut other_client = pushed_params(&challenge);
    other_client.push(("client_id", "first-party".into()));
    assert_eq!(error_of(push(&srv, Some(("web", WEB_SECRET)), &other_client).await).await, (400, "invalid_request".into()));
}

#[tokio::test]
async fn a_client_can_be_required_to_push() {
    let srv = TestServer::start_with(Backend::Sqlite, |config| {
        let mut strict = client("strict", Some(WEB_SECRET), None, "https://strict.example.com/cb");
        strict.require_pushed_authorization_requests = true;
        config.clients.push(strict);
    })
    .await;
    let (_, challenge) = pkce_pair();
    let mut params = pushed_params(&challenge);
    params[1].1 = "https://strict.example.com/cb".into();
    let mut front: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    front.push(("client_id", "strict"));
    let landing = srv.browser().open(&crate::common::authorize_url(&srv, &front)).await;
    let answer = query(landing.left());
    assert_eq!(answer.get("error").map(String::as_str), Some("invalid_request"), "{answer:?}");
    let pushed = push(&srv, Some(("strict", WEB_SECRET)), &params).await;
    assert_eq!(pushed.status(), 201);
}

#[tokio::test]
async fn private_key_jwt_with_registered_and_published_keys() {
    let rp = RpServer::start().await;
    let inline_key = ClientKey::new("inline-1");
    let ed_key = ClientKey::ed25519("inline-ed", "Ed25519");
    let old_key = ClientKey::new("2026-01");
    rp.publish(ClientKey::jwks(&[&old_key]));
    let (inline_jwks, jwks_uri) = (ClientKey::jwks(&[&inline_key, &ed_key]), rp.jwks_uri());
    let srv = TestServer::start_with(Backend::Sqlite, move |config| {
        for (id, jwks, uri) in [("signed-inline", Some(inline_jwks), None), ("signed-remote", None, Some(jwks_uri))] {
            let mut signed = client(id, None, Some("private_key_jwt"), "https://signed.example.com/cb");
            signed.grant_types = Some(vec!["client_credentials".into(), "authorization_code".into()]);
            signed.scopes = Some(vec!["openid".into(), "email".into(), "messages:read".into()]);
            signed.jwks = jwks;
            signed.jwks_uri = uri;
            config.clients.push(signed);
        }
    })
    .await;
    let token_url = srv.url("/token");
    let credentials = |id: &str, assertion: &str| {
        vec![("grant_type", "client_credentials".to_string()), ("client_assertion_type", JWT_BEARER.into()), ("client_assertion", assertion.into()), ("client_id", id.into())]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let srv = &srv;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            srv.post_form("/token", None, &pairs).await
        }
    };
    let now = srv.clock_now();

    let assertion = inline_key.assertion("signed-inline", &token_url, now);
    let ok = send(credentials("signed-inline", &assertion)).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(error_of(send(credentials("signed-inline", &assertion)).await).await, (401, "invalid_client".into()), "an assertion works once");
    // Ed25519 keys, with the algorithm under its fully specified name (RFC 9864).
    assert_eq!(send(credentials("signed-inline", &ed_key.assertion("signed-inline", &token_url, now))).await.status(), 200);
    // The issuer is an audience too (RFC 7523bis).
    assert_eq!(send(credentials("signed-inline", &inline_key.assertion("signed-inline", &srv.issuer, now))).await.status(), 200);
    let refused = [
        ("wrong audience", inline_key.assertion("signed-inline", "https://elsewhere.example.com/token", now)),
        ("expired", inline_key.sign(&json!({ "iss": "signed-inline", "sub": "signed-inline", "aud": token_url, "exp": now - 1, "jti": "a" }))),
        ("lives too long", inline_key.sign(&json!({ "iss": "signed-inline", "sub": "signed-inline", "aud": token_url, "exp": now + 86_400, "jti": "b" }))),
        ("no jti", inline_key.sign(&json!({ "iss": "signed-inline", "sub": "signed-inline", "aud": token_url, "exp": now + 60 }))),
        ("iss is not the client", inline_key.sign(&json!({ "iss": "web", "sub": "signed-inline", "aud": token_url, "exp": now + 60, "jti": "c" }))),
        ("another key", old_key.assertion("signed-inline", &token_url, now)),
    ];
    for (what, assertion) in refused {
        assert_eq!(error_of(send(credentials("signed-inline", &assertion)).await).await, (401, "invalid_client".into()), "{what}");
    }
    // A secret is not how this client authenticates.
    assert_eq!(error_of(srv.post_form("/token", Some(("signed-inline", SERVICE_SECRET)), &[("grant_type", "client_credentials")]).await).await.1, "invalid_client");

    // Keys published at jwks_uri: fetched, kept, and fetched again when the client rotates.
    assert_eq!(send(credentials("signed-remote", &old_key.assertion("signed-remote", &token_url, now))).await.status(), 200);
    assert_eq!(send(credentials("signed-remote", &old_key.assertion("signed-remote", &token_url, now))).await.status(), 200);
    assert_eq!(rp.jwks_fetches(), 1, "the key set is cached");
    let new_key = ClientKey::new("2026-02");
    rp.publish(ClientKey::jwks(&[&old_key, &new_key]));
    assert_eq!(send(credentials("signed-remote", &new_key.assertion("signed-remote", &token_url, now))).await.status(), 200, "a new kid triggers a fetch");
    assert_eq!(rp.jwks_fetches(), 2);
    let bogus = ClientKey::new("bogus");
    assert_eq!(error_of(send(credentials("signed-remote", &bogus.assertion("signed-remote", &token_url, now))).await).await.1, "invalid_client");
    assert_eq!(rp.jwks_fetches(), 2, "unknown key ids cannot make oneid fetch again and again");

    // PAR with the same authentication.
    let (_, challenge) = pkce_pair();
    let pushed = srv
        .post_form(
            "/par",
            None,
            &[
                ("client_id", "signed-remote"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &new_key.assertion("signed-remote", &srv.url("/par"), now)),
                ("response_type", "code"),
                ("redirect_uri", "https://signed.example.com/cb"),
                ("scope", "openid email"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    assert_eq!(pushed.status(), 201);
}
