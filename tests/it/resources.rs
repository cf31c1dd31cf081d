//! Resource indicators (RFC 8707): an access token for one API (`aud` that API, only
//! its scopes), refused by oneid's own endpoints; unknown or malformed resources are
//! `invalid_target` at the token and authorization endpoints.

use serde_json::Value;

use crate::common::{self, ALICE, Backend, TestServer, WEB_REDIRECT, WEB_SECRET, jwt_claims, oauth_error, pkce_pair, query};

const MESSAGES: &str = "https://messages.example.com";

async fn server() -> TestServer {
    TestServer::start_with(Backend::Sqlite, |config| {
        config.resources = vec![oneid::config::ResourceConfig { uri: MESSAGES.into(), scopes: vec!["messages:read".into(), "messages:write".into()], claims: vec![] }];
        let web = config.clients.iter_mut().find(|c| c.id == "web").unwrap();
        web.scopes = Some(["openid", "email", "offline_access", "messages:read"].map(String::from).to_vec());
        let service = config.clients.iter_mut().find(|c| c.id == "service").unwrap();
        service.scopes = Some(["messages:read", "messages:write", "other:thing"].map(String::from).to_vec());
    })
    .await
}

async fn web_code(srv: &TestServer, extra: &[(&str, &str)]) -> (String, String) {
    let (verifier, challenge) = pkce_pair();
    let mut params = vec![("response_type", "code"), ("client_id", "web"), ("redirect_uri", WEB_REDIRECT), ("scope", "openid email offline_access messages:read"), ("state", "s"), ("code_challenge", challenge.as_str()), ("code_challenge_method", "S256")];
    params.extend_from_slice(extra);
    let landed = srv.browser().sign_in(&common::authorize_url(srv, &params), ALICE).await;
    (query(&landed).get("code").cloned().unwrap_or_else(|| panic!("no code: {landed}")), verifier)
}

async fn token(srv: &TestServer, form: &[(&str, &str)]) -> reqwest::Response {
    srv.post_form("/token", Some(("web", WEB_SECRET)), form).await
}

#[tokio::test]
async fn a_token_for_an_api_is_for_that_api_alone() {
    let srv = server().await;
    let (code, verifier) = web_code(&srv, &[("resource", MESSAGES)]).await;
    let response = token(&srv, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", WEB_REDIRECT), ("code_verifier", &verifier), ("resource", MESSAGES)]).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let claims = jwt_claims(body["access_token"].as_str().unwrap());
    assert_eq!((claims["aud"].as_str(), claims["scope"].as_str()), (Some(MESSAGES), Some("messages:read")), "{claims}");
    assert_eq!(body["scope"], "messages:read");
    assert!(body["id_token"].is_string(), "the ID token still comes for the client");

    // oneid's own endpoints take no token for another audience.
    let userinfo = srv.http().get(srv.url("/userinfo")).bearer_auth(body["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(userinfo.status(), 401);
    assert!(userinfo.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    // Introspection tells a resource server the audience.
    let introspected = common::introspect(&srv, body["access_token"].as_str().unwrap()).await;
    assert_eq!((introspected["active"].as_bool(), introspected["aud"].as_str()), (Some(true), Some(MESSAGES)));

    // The refresh token gets tokens for oneid or for the API (RFC 8707 §2.2).
    let refresh = body["refresh_token"].as_str().unwrap().to_string();
    let own: Value = token(&srv, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await.json().await.unwrap();
    let own_claims = jwt_claims(own["access_token"].as_str().unwrap());
    assert_eq!(own_claims["aud"], srv.issuer.as_str());
    assert_eq!(srv.http().get(srv.url("/userinfo")).bearer_auth(own["access_token"].as_str().unwrap()).send().await.unwrap().status(), 200);
    let refresh = own["refresh_token"].as_str().unwrap().to_string();
    let api: Value = token(&srv, &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("resource", MESSAGES)]).await.json().await.unwrap();
    assert_eq!(jwt_claims(api["access_token"].as_str().unwrap())["aud"], MESSAGES);

    // A client's own token for the API.
    let service = srv.post_form("/token", Some(("service", common::SERVICE_SECRET)), &[("grant_type", "client_credentials"), ("resource", MESSAGES)]).await;
    let service: Value = service.json().await.unwrap();
    let claims = jwt_claims(service["access_token"].as_str().unwrap());
    assert_eq!((claims["aud"].as_str(), claims["scope"].as_str()), (Some(MESSAGES), Some("messages:read messages:write")), "{claims}");
}

#[tokio::test]
async fn unknown_or_malformed_resources_are_invalid_targets() {
    let srv = server().await;
    let (code, verifier) = web_code(&srv, &[]).await;
    let base = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", WEB_REDIRECT), ("code_verifier", verifier.as_str())];
    for resource in ["https://unknown.example.com", "https://messages.example.com#x", "relative/path"] {
        let mut form = base.to_vec();
        form.push(("resource", resource));
        let (status, error) = oauth_error(token(&srv, &form).await).await;
        assert_eq!((status.as_u16(), error.as_str()), (400, "invalid_target"), "{resource}");
    }
    let mut twice = base.to_vec();
    twice.extend([("resource", MESSAGES), ("resource", MESSAGES)]);
    assert_eq!(oauth_error(token(&srv, &twice).await).await.1, "invalid_target");
    let service = srv.post_form("/token", Some(("service", common::SERVICE_SECRET)), &[("grant_type", "client_credentials"), ("scope", "other:thing"), ("resource", MESSAGES)]).await;
    assert_eq!(oauth_error(service).await.1, "invalid_target", "no granted scope belongs to the API");

    // At the authorization endpoint the error goes back to the client (RFC 8707 §2).
    let (_, challenge) = pkce_pair();
    let url = common::authorize_url(&srv, &[("response_type", "code"), ("client_id", "web"), ("redirect_uri", WEB_REDIRECT), ("scope", "openid"), ("state", "s"), ("code_challenge", &challenge), ("code_challenge_method", "S256"), ("resource", "https://unknown.example.com")]);
    let landed = srv.browser().open(&url).await;
    let back = query(landed.left());
    assert_eq!((back["error"].as_str(), back["state"].as_str()), ("invalid_target", "s"));
}
