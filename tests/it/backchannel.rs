//! Back-channel logout (OIDC Back-Channel Logout 1.0): a relying party's own endpoint,
//! run by the test, receives signed logout tokens when a session ends, when the user is
//! signed out by an administrator, and later when it was down at first.

use josekit::jwk::Jwk;
use josekit::jws::ES256;
use openidconnect::TokenResponse;
use serde_json::Value;

use crate::common::rp::Rp;
use crate::common::rp_server::RpServer;
use crate::common::{ALICE, Backend, TestServer, WEB_LOGOUT_REDIRECT, jwt_claims, jwt_header, wait_until};

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

async fn server_with_listening_web_client(backend: Backend, rp: &RpServer) -> TestServer {
    let uri = rp.backchannel_uri();
    TestServer::start_with(backend, move |config| {
        let web = config.clients.iter_mut().find(|c| c.id == "web").expect("web client");
        web.backchannel_logout_uri = Some(uri);
    })
    .await
}

/// Checks the logout token's signature against oneid's JWKS and returns its claims.
async fn verified(srv: &TestServer, token: &str) -> Value {
    let header = jwt_header(token);
    assert_eq!(header["typ"], "logout+jwt");
    let jwks: Value = srv.http().get(srv.url("/jwks")).send().await.unwrap().json().await.unwrap();
    let key = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).expect("signed with a published key");
    let jwk = Jwk::from_map(key.as_object().unwrap().clone()).unwrap();
    let verifier = ES256.verifier_from_jwk(&jwk).unwrap();
    let (payload, _) = josekit::jws::deserialize_compact(token, &verifier).expect("the signature verifies");
    serde_json::from_slice(&payload).unwrap()
}

fn logout_url(srv: &TestServer, id_token: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("id_token_hint", id_token)
        .append_pair("post_logout_redirect_uri", WEB_LOGOUT_REDIRECT)
        .finish();
    srv.url(&format!("/logout?{query}"))
}

#[tokio::test]
async fn a_relying_party_hears_of_a_logout_by_a_signed_token() {
    for backend in Backend::available() {
        let rp_server = RpServer::start().await;
        let srv = server_with_listening_web_client(backend, &rp_server).await;
        let discovery: Value = srv.http().get(srv.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
        assert_eq!((discovery["backchannel_logout_supported"].as_bool(), discovery["backchannel_logout_session_supported"].as_bool()), (Some(true), Some(true)));

        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let signed = rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
        let id_token = signed.tokens.id_token().unwrap().to_string();
        let id_claims = jwt_claims(&id_token);
        let sid = id_claims["sid"].as_str().expect("ID tokens carry sid").to_string();

        let landing = browser.open(&logout_url(&srv, &id_token)).await;
        assert!(landing.left().starts_with(WEB_LOGOUT_REDIRECT));
        let tokens = rp_server.wait_for_logouts(1).await;
        let claims = verified(&srv, &tokens[0]).await;
        assert_eq!(claims["iss"], srv.issuer.as_str());
        assert_eq!(claims["aud"], "web");
        assert_eq!(claims["sub"], id_claims["sub"]);
        assert_eq!(claims["sid"], sid.as_str());
        assert_eq!(claims["events"][EVENT], serde_json::json!({}));
        assert!(claims.get("nonce").is_none(), "a logout token never has a nonce");
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
        let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
        assert!(iat <= srv.clock_now() && exp > iat && exp - iat <= 300, "short-lived: {iat}..{exp}");

        let deliveries = srv.state.ctx().store.logout_deliveries_of("web").await.unwrap();
        assert_eq!(deliveries.len(), 1);
        assert!(deliveries[0].delivered_at.is_some() && deliveries[0].attempts == 1, "{deliveries:?}");
        assert_eq!(deliveries[0].reason, "logout");
        // Clients without a back-channel URI are not called.
        assert_eq!(rp_server.logout_attempts(), 1);
    }
}

#[tokio::test]
async fn a_relying_party_that_is_down_gets_the_token_on_a_later_try() {
    let rp_server = RpServer::start().await;
    let srv = server_with_listening_web_client(Backend::Sqlite, &rp_server).await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    let signed = rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
    rp_server.fail_next(2);
    browser.open(&logout_url(&srv, &signed.tokens.id_token().unwrap().to_string())).await;

    let store = &srv.state.ctx().store;
    let attempts = || async { store.logout_deliveries_of("web").await.unwrap()[0].attempts };
    for (expected, pause) in [(1, 5), (2, 30)] {
        wait_until("the next delivery attempt", || async { attempts().await >= expected }).await;
        let delivery = &store.logout_deliveries_of("web").await.unwrap()[0];
        assert_eq!(delivery.attempts, expected);
        assert!(delivery.delivered_at.is_none() && delivery.last_error.as_deref().is_some_and(|e| e.contains("503")), "{delivery:?}");
        srv.clock.advance(pause);
    }
    let tokens = rp_server.wait_for_logouts(1).await;
    assert_eq!(verified(&srv, &tokens[0]).await["aud"], "web");
    let delivery = &store.logout_deliveries_of("web").await.unwrap()[0];
    assert_eq!((delivery.attempts, delivery.delivered_at.is_some()), (3, true));
}

#[tokio::test]
async fn an_administrator_disabling_the_account_signs_the_user_out_of_the_relying_party() {
    let rp_server = RpServer::start().await;
    let srv = server_with_listening_web_client(Backend::Sqlite, &rp_server).await;
    let rp = Rp::web(&srv).await;
    let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email", "offline_access"]).await;
    let id_claims = jwt_claims(&signed.tokens.id_token().unwrap().to_string());
    oneid::admin::users::set_disabled(srv.state.ctx(), &srv.user_id(ALICE.0).await, true, &oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli()).await.unwrap();
    let tokens = rp_server.wait_for_logouts(1).await;
    let claims = verified(&srv, &tokens[0]).await;
    assert_eq!((&claims["sub"], &claims["sid"]), (&id_claims["sub"], &id_claims["sid"]));
    assert_eq!(srv.state.ctx().store.logout_deliveries_of("web").await.unwrap()[0].reason, "account_disabled");
}
