//! The token endpoint: code redemption rules, client authentication, client
//! credentials, and errors on the wire (RFC 6749 §5.2).

use crate::common::{
    ALICE, Backend, SERVICE_SECRET, TestServer, WEB_REDIRECT, WEB_SECRET, futures_join_all, introspect, jwt_claims, oauth_error, redeem, web_code,
};

#[tokio::test]
async fn a_code_works_once_and_a_replay_revokes_what_it_issued() {
    for srv in TestServer::each_backend().await {
        let browser = srv.browser();
        let (code, verifier) = web_code(&srv, &browser).await;
        let first = redeem(&srv, &code, &verifier).await;
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers()["cache-control"], "no-store");
        assert_eq!(first.headers()["pragma"], "no-cache");
        let tokens: serde_json::Value = first.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap().to_string();
        let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(introspect(&srv, &access).await["active"], true);

        let replay = redeem(&srv, &code, &verifier).await;
        assert_eq!(oauth_error(replay).await, (reqwest::StatusCode::BAD_REQUEST, "invalid_grant".into()));
        assert_eq!(introspect(&srv, &access).await["active"], false, "the replay revoked the access token");
        let refreshed = srv.post_form("/token", Some(("web", WEB_SECRET)), &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
        assert_eq!(oauth_error(refreshed).await.1, "invalid_grant", "and the refresh token");
        assert!(srv.audit_events().await.contains(&"authorization_code_replay".to_string()));
    }
}

/// A client without the refresh-token grant: its code starts a grant with no refresh
/// token (stored without one), and works once all the same.
#[tokio::test]
async fn a_code_of_a_client_without_refresh_tokens_works_once() {
    for backend in Backend::available() {
        let srv = TestServer::start_with(backend, |config| {
            let web = config.clients.iter_mut().find(|c| c.id == "web").expect("the web client");
            web.grant_types = Some(vec!["authorization_code".into()]);
        })
        .await;
        let (code, verifier) = web_code(&srv, &srv.browser()).await;
        let first = redeem(&srv, &code, &verifier).await;
        assert_eq!(first.status(), 200);
        let tokens: serde_json::Value = first.json().await.unwrap();
        assert!(tokens.get("refresh_token").is_none(), "{tokens}");
        let access = tokens["access_token"].as_str().unwrap().to_string();
        assert_eq!(introspect(&srv, &access).await["active"], true);
        let replay = redeem(&srv, &code, &verifier).await;
        assert_eq!(oauth_error(replay).await.1, "invalid_grant");
        assert_eq!(introspect(&srv, &access).await["active"], false, "the replay revoked the grant");
    }
}

/// The code is read with its user: an account disabled or deleted since the sign-in
/// gets no tokens.
#[tokio::test]
async fn a_code_of_an_account_disabled_or_deleted_since_is_refused() {
    use oneid::admin::{Actor, users};
    use oneid::audit::RequestMeta;
    for srv in TestServer::each_backend().await {
        let alice = srv.user_id(ALICE.0).await;
        let (code, verifier) = web_code(&srv, &srv.browser()).await;
        users::set_disabled(srv.state.ctx(), &alice, true, &Actor::Cli, &RequestMeta::cli()).await.unwrap();
        assert_eq!(oauth_error(redeem(&srv, &code, &verifier).await).await.1, "invalid_grant");
        users::set_disabled(srv.state.ctx(), &alice, false, &Actor::Cli, &RequestMeta::cli()).await.unwrap();
        let (code, verifier) = web_code(&srv, &srv.browser()).await;
        users::delete(srv.state.ctx(), &alice, &Actor::Cli, &RequestMeta::cli()).await.unwrap();
        assert_eq!(oauth_error(redeem(&srv, &code, &verifier).await).await.1, "invalid_grant");
    }
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    for srv in TestServer::each_backend().await {
        let (code, verifier) = web_code(&srv, &srv.browser()).await;
        srv.clock.advance(61);
        assert_eq!(oauth_error(redeem(&srv, &code, &verifier).await).await.1, "invalid_grant");
    }
}

#[tokio::test]
async fn pkce_redirect_uri_and_client_must_match_the_code() {
    for srv in TestServer::each_backend().await {
        let (code, verifier) = web_code(&srv, &srv.browser()).await;
        // (client credentials, form fields)
        type Attempt<'a> = (Option<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>);
        let attempts: Vec<Attempt> = vec![
            // No verifier, wrong verifier, malformed verifier.
            (Some(("web", WEB_SECRET)), vec![("redirect_uri", WEB_REDIRECT)]),
            (Some(("web", WEB_SECRET)), vec![("redirect_uri", WEB_REDIRECT), ("code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")]),
            (Some(("web", WEB_SECRET)), vec![("redirect_uri", WEB_REDIRECT), ("code_verifier", "short")]),
            // Another redirect URI, or none although the request had one.
            (Some(("web", WEB_SECRET)), vec![("redirect_uri", "https://portal.example.com/other"), ("code_verifier", &verifier)]),
            (Some(("web", WEB_SECRET)), vec![("code_verifier", &verifier)]),
            // Another client.
            (Some(("first-party", WEB_SECRET)), vec![("redirect_uri", WEB_REDIRECT), ("code_verifier", &verifier)]),
        ];
        for (basic, extra) in attempts {
            let mut form = vec![("grant_type", "authorization_code"), ("code", code.as_str())];
            form.extend(extra.iter().copied());
            let response = srv.post_form("/token", basic, &form).await;
            assert_eq!(oauth_error(response).await, (reqwest::StatusCode::BAD_REQUEST, "invalid_grant".into()), "{extra:?}");
        }
        // None of these consumed the code.
        assert_eq!(redeem(&srv, &code, &verifier).await.status(), 200);
    }
}

#[tokio::test]
async fn client_authentication_failures_are_401_with_a_challenge() {
    for srv in TestServer::each_backend().await {
        let form = [("grant_type", "client_credentials")];
        for basic in [Some(("service", "wrong-secret")), Some(("nobody", SERVICE_SECRET)), None] {
            let response = srv.post_form("/token", basic, &form).await;
            // The Basic challenge answers a Basic attempt (RFC 6749 §5.2), nothing else.
            let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().starts_with("Basic"));
            assert_eq!(challenge, basic.map(|_| true), "{basic:?}");
            assert_eq!(oauth_error(response).await, (reqwest::StatusCode::UNAUTHORIZED, "invalid_client".into()), "{basic:?}");
        }
        // A client registered for Basic may also put its secret in the body (libraries
        // differ in their default), but it must present it.
        let response = srv
            .post_form("/token", None, &[("grant_type", "client_credentials"), ("client_id", "service"), ("client_secret", SERVICE_SECRET)])
            .await;
        assert_eq!(response.status(), 200);
        let response = srv.post_form("/token", None, &[("grant_type", "client_credentials"), ("client_id", "service")]).await;
        assert_eq!(oauth_error(response).await.1, "invalid_client");
        // A public client has no secret to present.
        let response = srv.post_form("/token", Some(("mobile", "guess")), &[("grant_type", "refresh_token"), ("refresh_token", "x")]).await;
        assert_eq!(oauth_error(response).await.1, "invalid_client");
        // Two methods at once.
        let response = srv.post_form("/token", Some(("service", SERVICE_SECRET)), &[("grant_type", "client_credentials"), ("client_secret", "x")]).await;
        assert_eq!(oauth_error(response).await.1, "invalid_request");
        // A malformed Authorization header.
        let response = srv.http().post(srv.url("/token")).header("authorization", "Basic %%%").form(&form).send().await.unwrap();
        assert_eq!(oauth_error(response).await.1, "invalid_client");
    }
}

#[tokio::test]
async fn basic_credentials_are_form_urlencoded() {
    let secret = "s3cret with space+plus:colon%percent/and-more-than-32-chars";
    let srv = TestServer::start_with(crate::common::Backend::Sqlite, |config| {
        let mut odd = config.clients.iter().find(|c| c.id == "service").unwrap().clone();
        odd.id = "odd.client~1".into();
        odd.secret = Some(secret.into());
        config.clients.push(odd);
    })
    .await;
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    use base64::Engine;
    let header = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", encode("odd.client~1"), encode(secret)));
    let response = srv
        .http()
        .post(srv.url("/token"))
        .header("authorization", format!("Basic {header}"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn client_credentials_issue_a_self_contained_token_for_the_client() {
    for srv in TestServer::each_backend().await {
        let response = srv.post_form("/token", Some(("service", SERVICE_SECRET)), &[("grant_type", "client_credentials"), ("scope", "messages:read")]).await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["scope"], "messages:read");
        assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
        let claims = jwt_claims(body["access_token"].as_str().unwrap());
        assert_eq!(claims["sub"], "service");
        assert_eq!(claims["client_id"], "service");
        let active = introspect(&srv, body["access_token"].as_str().unwrap()).await;
        assert_eq!(active["active"], true);
        assert_eq!(active["scope"], "messages:read");

        // No scope: everything the client may have; user scopes and others: refused.
        let all = srv.post_form("/token", Some(("service", SERVICE_SECRET)), &[("grant_type", "client_credentials")]).await;
        assert_eq!(all.json::<serde_json::Value>().await.unwrap()["scope"], "messages:read messages:write");
        for scope in ["openid", "messages:delete"] {
            let refused = srv.post_form("/token", Some(("service", SERVICE_SECRET)), &[("grant_type", "client_credentials"), ("scope", scope)]).await;
            assert_eq!(oauth_error(refused).await.1, "invalid_scope");
        }
        // A client without the grant.
        let web = srv.post_form("/token", Some(("web", WEB_SECRET)), &[("grant_type", "client_credentials")]).await;
        assert_eq!(oauth_error(web).await.1, "unauthorized_client");
    }
}

#[tokio::test]
async fn malformed_token_requests_are_invalid_request_never_a_crash() {
    let srv = TestServer::start().await;
    let basic = Some(("service", SERVICE_SECRET));
    let unsupported = srv.post_form("/token", basic, &[("grant_type", "password"), ("username", "a"), ("password", "b")]).await;
    assert_eq!(oauth_error(unsupported).await, (reqwest::StatusCode::BAD_REQUEST, "unsupported_grant_type".into()));
    let implicit = srv.post_form("/token", basic, &[("grant_type", "implicit")]).await;
    assert_eq!(oauth_error(implicit).await.1, "unsupported_grant_type");
    let missing = srv.post_form("/token", basic, &[("scope", "messages:read")]).await;
    assert_eq!(oauth_error(missing).await.1, "invalid_request");
    let repeated = srv.post_form("/token", basic, &[("grant_type", "client_credentials"), ("scope", "messages:read"), ("scope", "messages:write")]).await;
    assert_eq!(oauth_error(repeated).await.1, "invalid_request");
    let json = srv
        .http()
        .post(srv.url("/token"))
        .basic_auth("service", Some(SERVICE_SECRET))
        .header("content-type", "application/json")
        .body(r#"{"grant_type":"client_credentials"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error(json).await.1, "invalid_request");
    let garbage = srv
        .http()
        .post(srv.url("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', b'&', b'%', b'z', b'z'])
        .send()
        .await
        .unwrap();
    assert!(garbage.status().is_client_error());
    let huge = srv
        .http()
        .post(srv.url("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=client_credentials&pad={}", "a".repeat(200_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error(huge).await.1, "invalid_request");
    assert_eq!(srv.http().get(srv.url("/token")).send().await.unwrap().status(), 405);
}

#[tokio::test]
async fn the_user_password_never_reaches_the_audit_log() {
    let srv = TestServer::start().await;
    web_code(&srv, &srv.browser()).await;
    let store = &srv.state.ctx().store;
    store.flush_audit().await;
    for event in store.recent_audit_events(100).await.unwrap() {
        assert!(!event.detail.contains(ALICE.1), "{event:?}");
    }
}

#[tokio::test]
async fn racing_redemptions_of_one_code_issue_at_most_once() {
    for srv in TestServer::each_backend().await {
        let (code, verifier) = web_code(&srv, &srv.browser()).await;
        let attempts = (0..6).map(|_| redeem(&srv, &code, &verifier));
        let responses = futures_join_all(attempts).await;
        let mut issued = Vec::new();
        for response in responses {
            if response.status() == 200 {
                issued.push(response.json::<serde_json::Value>().await.unwrap());
            } else {
                assert_eq!(oauth_error(response).await.1, "invalid_grant");
            }
        }
        assert_eq!(issued.len(), 1, "exactly one redemption wins");
        // The others were replays: what the winner got is revoked too.
        let access = issued[0]["access_token"].as_str().unwrap();
        assert_eq!(introspect(&srv, access).await["active"], false);
    }
}
