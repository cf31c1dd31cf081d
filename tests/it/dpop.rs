//! DPoP (RFC 9449): tokens bound to the app's key at the token endpoint, proofs checked
//! at UserInfo, refresh tokens of public clients bound too, replays and misdirected
//! proofs refused, nonces, and codes bound with `dpop_jkt`.

use serde_json::Value;

use crate::common::jose::DpopKey;
use crate::common::{ALICE, Backend, MOBILE_REDIRECT, SERVICE_SECRET, TestServer, WEB_SECRET, authorize_url, client, jwt_claims, pkce_pair, query};

/// The mobile app signs ALICE in and returns (code, verifier); `extra` adds parameters.
async fn mobile_code(srv: &TestServer, extra: &[(&str, &str)]) -> (String, String) {
    let (verifier, challenge) = pkce_pair();
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", "mobile"),
        ("redirect_uri", MOBILE_REDIRECT),
        ("scope", "openid email offline_access"),
        ("state", "s"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    let redirect = srv.browser().sign_in(&authorize_url(srv, &params), ALICE).await;
    (query(&redirect).get("code").unwrap_or_else(|| panic!("no code in {redirect}")).clone(), verifier)
}

/// A token request with the given DPoP headers.
async fn token(srv: &TestServer, proofs: &[String], form: &[(&str, &str)], basic: Option<(&str, &str)>) -> reqwest::Response {
    let mut request = srv.http().post(srv.url("/token")).form(form);
    for proof in proofs {
        request = request.header("DPoP", proof);
    }
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    request.send().await.unwrap()
}

async fn redeem(srv: &TestServer, key: Option<&DpopKey>, code: &str, verifier: &str) -> reqwest::Response {
    let proofs: Vec<String> = key.map(|k| k.proof("POST", &srv.url("/token"), None, None, srv.clock_now())).into_iter().collect();
    let form = [("grant_type", "authorization_code"), ("client_id", "mobile"), ("code", code), ("redirect_uri", MOBILE_REDIRECT), ("code_verifier", verifier)];
    token(srv, &proofs, &form, None).await
}

async fn refresh(srv: &TestServer, key: Option<&DpopKey>, refresh_token: &str) -> reqwest::Response {
    let proofs: Vec<String> = key.map(|k| k.proof("POST", &srv.url("/token"), None, None, srv.clock_now())).into_iter().collect();
    token(srv, &proofs, &[("grant_type", "refresh_token"), ("client_id", "mobile"), ("refresh_token", refresh_token)], None).await
}

async fn userinfo(srv: &TestServer, scheme: &str, access: &str, proof: Option<String>) -> reqwest::Response {
    let mut request = srv.http().get(srv.url("/userinfo")).header("Authorization", format!("{scheme} {access}"));
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    request.send().await.unwrap()
}

async fn error_of(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"].as_str().unwrap_or_else(|| panic!("no error in {body}")).to_string()
}

#[tokio::test]
async fn dpop_binds_the_mobile_apps_tokens_to_its_key() {
    for srv in TestServer::each_backend().await {
        let key = DpopKey::new();
        let (code, verifier) = mobile_code(&srv, &[]).await;
        let response = redeem(&srv, Some(&key), &code, &verifier).await;
        assert_eq!(response.status(), 200);
        assert!(response.headers().contains_key("dpop-nonce"), "a DPoP client learns the next nonce");
        let tokens: Value = response.json().await.unwrap();
        assert_eq!(tokens["token_type"], "DPoP");
        let access = tokens["access_token"].as_str().unwrap().to_string();
        assert_eq!(jwt_claims(&access)["cnf"]["jkt"], key.thumbprint());

        // UserInfo: the DPoP scheme with a proof bound to this token.
        let url = srv.url("/userinfo");
        let ok = userinfo(&srv, "DPoP", &access, Some(key.proof("GET", &url, Some(&access), None, srv.clock_now()))).await;
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.json::<Value>().await.unwrap()["email"], ALICE.0);
        // As a bearer token it is useless; without a proof, or with another key's, too.
        let bearer = userinfo(&srv, "Bearer", &access, None).await;
        assert_eq!(bearer.status(), 401);
        assert!(bearer.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
        let unproven = userinfo(&srv, "DPoP", &access, None).await;
        assert_eq!(unproven.status(), 401);
        assert!(unproven.headers()["www-authenticate"].to_str().unwrap().starts_with("DPoP algs="));
        assert_eq!(error_of(unproven).await, "invalid_dpop_proof");
        let thief = DpopKey::new();
        let stolen = userinfo(&srv, "DPoP", &access, Some(thief.proof("GET", &url, Some(&access), None, srv.clock_now()))).await;
        assert_eq!(error_of(stolen).await, "invalid_dpop_proof");
        let other_token = userinfo(&srv, "DPoP", &access, Some(key.proof("GET", &url, Some("another token"), None, srv.clock_now()))).await;
        assert_eq!(error_of(other_token).await, "invalid_dpop_proof", "ath must match");

        let introspected: Value = srv.post_form("/introspect", Some(("web", WEB_SECRET)), &[("token", &access)]).await.json().await.unwrap();
        assert_eq!((introspected["token_type"].as_str(), introspected["cnf"]["jkt"].as_str()), (Some("DPoP"), Some(key.thumbprint().as_str())));

        // The public client's refresh token is bound to the key as well.
        let refresh_token = tokens["refresh_token"].as_str().unwrap().to_string();
        assert_eq!(error_of(refresh(&srv, None, &refresh_token).await).await, "invalid_dpop_proof");
        assert_eq!(error_of(refresh(&srv, Some(&thief), &refresh_token).await).await, "invalid_dpop_proof");
        let refreshed: Value = refresh(&srv, Some(&key), &refresh_token).await.json().await.unwrap();
        assert_eq!(refreshed["token_type"], "DPoP", "{refreshed}");
        assert_eq!(jwt_claims(refreshed["access_token"].as_str().unwrap())["cnf"]["jkt"], key.thumbprint());
    }
}

#[tokio::test]
async fn replayed_misdirected_and_stale_proofs_are_refused() {
    let srv = TestServer::start().await;
    let key = DpopKey::new();
    let token_url = srv.url("/token");
    let form = [("grant_type", "client_credentials")];
    let service = Some(("service", SERVICE_SECRET));
    let now = srv.clock_now();

    let proof = key.proof("POST", &token_url, None, None, now);
    let first = token(&srv, std::slice::from_ref(&proof), &form, service).await;
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["token_type"], "DPoP", "{body}");
    assert_eq!(error_of(token(&srv, &[proof], &form, service).await).await, "invalid_dpop_proof", "a replayed jti");

    let cases = [
        ("wrong htu", key.proof("POST", &srv.url("/userinfo"), None, None, now)),
        ("wrong htm", key.proof("GET", &token_url, None, None, now)),
        ("too old", key.proof("POST", &token_url, None, None, now - 600)),
        ("from the future", key.proof("POST", &token_url, None, None, now + 600)),
        ("no jti", key.sign(&serde_json::json!({ "htm": "POST", "htu": token_url, "iat": now }))),
        ("not a JWT", "abc.def".to_string()),
    ];
    for (what, proof) in cases {
        let response = token(&srv, &[proof], &form, service).await;
        assert_eq!(response.status(), 400, "{what}");
        assert_eq!(error_of(response).await, "invalid_dpop_proof", "{what}");
    }
    let mut tampered = key.proof("POST", &token_url, None, None, now);
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    assert_eq!(error_of(token(&srv, &[tampered], &form, service).await).await, "invalid_dpop_proof", "a broken signature");
    let two = [key.proof("POST", &token_url, None, None, now), key.proof("POST", &token_url, None, None, now)];
    assert_eq!(error_of(token(&srv, &two, &form, service).await).await, "invalid_dpop_proof", "two DPoP headers");
    // EdDSA proofs work as well as ES256 ones, under either name of the algorithm.
    for alg in ["EdDSA", "Ed25519"] {
        let ed = DpopKey::ed25519(alg);
        let ed_token: Value = token(&srv, &[ed.proof("POST", &token_url, None, None, now)], &form, service).await.json().await.unwrap();
        assert_eq!(jwt_claims(ed_token["access_token"].as_str().unwrap())["cnf"]["jkt"], ed.thumbprint(), "{alg}: {ed_token}");
    }
    // The query string does not count in htu (RFC 9449 §4.3).
    let with_query = key.proof("POST", &format!("{token_url}?x=1"), None, None, now);
    assert_eq!(token(&srv, &[with_query], &form, service).await.status(), 200);
}

#[tokio::test]
async fn a_server_may_require_nonces_and_a_client_may_require_dpop() {
    let srv = TestServer::start_with(Backend::Sqlite, |config| {
        config.dpop.require_nonce = true;
        let mut strict = client("strict-service", Some(SERVICE_SECRET), None, "https://unused.example.com/cb");
        strict.redirect_uris = vec![];
        strict.grant_types = Some(vec!["client_credentials".into()]);
        strict.scopes = Some(vec!["messages:read".into()]);
        strict.dpop_bound_access_tokens = true;
        config.clients.push(strict);
    })
    .await;
    let key = DpopKey::new();
    let token_url = srv.url("/token");
    let form = [("grant_type", "client_credentials")];
    let strict = Some(("strict-service", SERVICE_SECRET));

    let without_proof = token(&srv, &[], &form, strict).await;
    assert_eq!(error_of(without_proof).await, "invalid_dpop_proof", "this client must use DPoP");

    let first = token(&srv, &[key.proof("POST", &token_url, None, None, srv.clock_now())], &form, strict).await;
    assert_eq!(first.status(), 400);
    let nonce = first.headers()["dpop-nonce"].to_str().unwrap().to_string();
    assert_eq!(error_of(first).await, "use_dpop_nonce");
    let second = token(&srv, &[key.proof("POST", &token_url, None, Some(&nonce), srv.clock_now())], &form, strict).await;
    assert_eq!(second.status(), 200);
    // A nonce lasts minutes, not forever.
    srv.clock.advance(900);
    let stale = token(&srv, &[key.proof("POST", &token_url, None, Some(&nonce), srv.clock_now())], &form, strict).await;
    assert_eq!(error_of(stale).await, "use_dpop_nonce");
}

#[tokio::test]
async fn dpop_jkt_binds_the_authorization_code_to_the_key() {
    let srv = TestServer::start().await;
    let key = DpopKey::new();
    let (code, verifier) = mobile_code(&srv, &[("dpop_jkt", &key.thumbprint())]).await;
    let other = DpopKey::new();
    assert_eq!(error_of(redeem(&srv, Some(&other), &code, &verifier).await).await, "invalid_grant");
    assert_eq!(error_of(redeem(&srv, None, &code, &verifier).await).await, "invalid_grant");
    let tokens: Value = redeem(&srv, Some(&key), &code, &verifier).await.json().await.unwrap();
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
}

/// The account API is a router nested below the issuer: a proof there names the whole
/// URL, also under an issuer with a path, and one naming only the path below the API
/// is refused.
#[tokio::test]
async fn a_proof_at_the_account_api_names_its_whole_url() {
    let srv = TestServer::start_with(Backend::Sqlite, |config| {
        config.issuer = format!("{}/idp", config.issuer);
        let mobile = config.clients.iter_mut().find(|c| c.id == "mobile").expect("the mobile client");
        mobile.scopes = Some(["openid", "email", "account"].map(String::from).to_vec());
    })
    .await;
    assert!(srv.issuer.ends_with("/idp"));
    let key = DpopKey::new();
    let (verifier, challenge) = pkce_pair();
    let params = [
        ("response_type", "code"),
        ("client_id", "mobile"),
        ("redirect_uri", MOBILE_REDIRECT),
        ("scope", "openid account"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let redirect = srv.browser().sign_in(&authorize_url(&srv, &params), ALICE).await;
    let code = query(&redirect).get("code").unwrap_or_else(|| panic!("no code in {redirect}")).clone();
    let tokens: Value = redeem(&srv, Some(&key), &code, &verifier).await.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap_or_else(|| panic!("no access token in {tokens}")).to_string();

    let me = |url: String| {
        let proof = key.proof("GET", &url, Some(&access), None, srv.clock_now());
        srv.http().get(srv.url("/api/v1/me")).header("Authorization", format!("DPoP {access}")).header("DPoP", proof).send()
    };
    let ok = me(srv.url("/api/v1/me")).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().await.unwrap()["email"], ALICE.0);
    let below = me(srv.url("/me")).await.unwrap();
    assert_eq!(below.status(), 401, "a proof for another URL");
    assert!(below.headers()["www-authenticate"].to_str().unwrap().contains("invalid_dpop_proof"));
}
