//! Refresh token rotation with reuse detection (RFC 9700 §4.14.2), revocation
//! (RFC 7009) and introspection (RFC 7662).

use openidconnect::TokenResponse;

use crate::common::rp::{Rp, access_token_of, refresh_token_of};
use crate::common::{ALICE, TestServer, WEB_SECRET, futures_join_all, introspect, jwt_claims};

#[tokio::test]
async fn refresh_rotates_and_reusing_an_old_token_revokes_the_family() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        let first = refresh_token_of(&signed.tokens);

        let second_tokens = rp.refresh(&first).await.expect("refresh works");
        let second = refresh_token_of(&second_tokens);
        assert_ne!(first, second, "a new refresh token every time");
        let id_token = second_tokens.id_token().expect("a fresh ID token on refresh").to_string();
        let claims = jwt_claims(&id_token);
        assert_eq!(claims["sub"], signed.claims.subject().as_str());
        assert_eq!(claims["auth_time"], signed.claims.auth_time().unwrap().timestamp());
        assert!(claims.get("nonce").is_none());
        let third_tokens = rp.refresh(&second).await.expect("the new token works");

        // Long after its rotation, the first token shows up again: theft.
        srv.clock.advance(10);
        let reuse = rp.refresh(&first).await.expect_err("a rotated token is refused");
        assert!(reuse.contains("invalid_grant"), "{reuse}");
        let current = refresh_token_of(&third_tokens);
        assert!(rp.refresh(&current).await.expect_err("the family is revoked").contains("invalid_grant"));
        assert_eq!(introspect(&srv, &access_token_of(&third_tokens)).await["active"], false);
        assert!(srv.audit_events().await.contains(&"refresh_token_reuse".to_string()));
    }
}

#[tokio::test]
async fn a_refresh_token_of_the_earlier_form_keeps_working() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        let first = refresh_token_of(&signed.tokens);
        // Tokens are now stored under a time-ordered key; one issued before, a bare random
        // token stored by its digest alone, is put in as the first one's successor.
        let store = &srv.state.ctx().store;
        let grant_id = store.refresh_token_with_grant(&oneid::crypto::token_key(&first)).await.unwrap().expect("first token stored").grant.id;
        let earlier = oneid::crypto::random_token();
        let now = srv.clock_now();
        let record = oneid::store::RefreshTokenRecord {
            token_hash: oneid::crypto::token_hash(&earlier),
            grant_id,
            created_at: now,
            expires_at: now + 3600,
            parent_hash: Some(oneid::crypto::token_key(&first)),
        };
        store.rotate_refresh_token(&record, now, now).await.unwrap();

        let next = rp.refresh(&earlier).await.expect("the earlier form refreshes");
        assert!(refresh_token_of(&next).contains('.'), "its successor is of the new form");
        assert!(rp.refresh(&earlier).await.is_ok(), "within the grace window, a duplicate is no theft");
    }
}

#[tokio::test]
async fn a_concurrent_duplicate_refresh_within_the_grace_window_is_not_theft() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        let token = refresh_token_of(&signed.tokens);
        let (a, b) = tokio::join!(rp.refresh(&token), rp.refresh(&token));
        let (a, b) = (a.expect("first of two concurrent refreshes"), b.expect("second of two concurrent refreshes"));
        // Both successors stay usable: the family was not revoked.
        rp.refresh(&refresh_token_of(&a)).await.expect("successor a");
        rp.refresh(&refresh_token_of(&b)).await.expect("successor b");
        assert!(!srv.audit_events().await.contains(&"refresh_token_reuse".to_string()));
    }
}

#[tokio::test]
async fn rotations_of_many_families_at_once_are_each_decided_on_their_own() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        // Six sign-ins of one browser session: six families.
        let mut tokens = Vec::new();
        for _ in 0..6 {
            tokens.push(refresh_token_of(&rp.sign_in(&srv, &browser, ALICE, &["email"]).await.tokens));
        }

        // All at once (stored together), with a client's duplicate of the first.
        let rotated = futures_join_all(tokens.iter().chain([&tokens[0]]).map(|t| rp.refresh(t))).await;
        let successors: Vec<String> = rotated.iter().map(|r| refresh_token_of(r.as_ref().expect("each rotation succeeds"))).collect();
        assert_eq!(successors.iter().collect::<std::collections::HashSet<_>>().len(), 7, "every rotation has its own successor");

        // Later, again all at once, and the second family's first token comes back: theft.
        srv.clock.advance(10);
        let again = futures_join_all(successors[..6].iter().chain([&tokens[1]]).map(|t| rp.refresh(t))).await;
        assert!(again[6].as_ref().expect_err("the rotated token is refused").contains("invalid_grant"));
        for (i, outcome) in again[..6].iter().enumerate().filter(|(i, _)| *i != 1) {
            let next = refresh_token_of(outcome.as_ref().unwrap_or_else(|e| panic!("family {i} is untouched: {e}")));
            rp.refresh(&next).await.unwrap_or_else(|e| panic!("family {i} goes on: {e}"));
        }
        // The stolen family is over, whichever of its two uses came first.
        let latest = again[1].as_ref().map(refresh_token_of).unwrap_or_else(|_| successors[1].clone());
        assert!(rp.refresh(&latest).await.expect_err("the family is revoked").contains("invalid_grant"));
    }
}

#[tokio::test]
async fn refresh_can_narrow_but_not_widen_the_scope() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email", "profile"]).await;
    let token = refresh_token_of(&signed.tokens);
    let narrowed = srv
        .post_form("/token", Some(("web", WEB_SECRET)), &[("grant_type", "refresh_token"), ("refresh_token", &token), ("scope", "openid email")])
        .await;
    let body: serde_json::Value = narrowed.json().await.unwrap();
    assert_eq!(body["scope"], "email openid");
    let next = body["refresh_token"].as_str().unwrap();
    let widened = srv
        .post_form("/token", Some(("web", WEB_SECRET)), &[("grant_type", "refresh_token"), ("refresh_token", next), ("scope", "openid phone")])
        .await;
    assert_eq!(crate::common::oauth_error(widened).await.1, "invalid_scope");
}

#[tokio::test]
async fn a_refresh_token_belongs_to_its_client() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
    let token = refresh_token_of(&signed.tokens);
    let stolen = srv.post_form("/token", Some(("first-party", WEB_SECRET)), &[("grant_type", "refresh_token"), ("refresh_token", &token)]).await;
    assert_eq!(crate::common::oauth_error(stolen).await.1, "invalid_grant");
    assert_eq!(introspect(&srv, &token).await["active"], true, "the owner's token still works");
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_access_tokens_too() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        let (access, refresh) = (access_token_of(&signed.tokens), refresh_token_of(&signed.tokens));
        let refresh_info = introspect(&srv, &refresh).await;
        assert_eq!(refresh_info["active"], true);
        assert_eq!(refresh_info["token_type"], "refresh_token");

        let revoked = srv.post_form("/revoke", Some(("web", WEB_SECRET)), &[("token", &refresh), ("token_type_hint", "refresh_token")]).await;
        assert_eq!(revoked.status(), 200);
        assert_eq!(introspect(&srv, &refresh).await, serde_json::json!({ "active": false }));
        assert_eq!(introspect(&srv, &access).await, serde_json::json!({ "active": false }));
        assert!(rp.userinfo(&signed.tokens).await.is_err());
        // Revoking again, or an unknown token, is not an error (RFC 7009 §2.2).
        assert_eq!(srv.post_form("/revoke", Some(("web", WEB_SECRET)), &[("token", &refresh)]).await.status(), 200);
        assert_eq!(srv.post_form("/revoke", Some(("web", WEB_SECRET)), &[("token", "no-such-token")]).await.status(), 200);
    }
}

#[tokio::test]
async fn revoking_an_access_token_then_introspecting_says_inactive() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        let access = access_token_of(&signed.tokens);
        let info = introspect(&srv, &access).await;
        assert_eq!(info["active"], true);
        assert_eq!(info["client_id"], "web");
        assert_eq!(info["sub"], signed.claims.subject().as_str());
        assert_eq!(info["iss"], srv.issuer);

        // (The openidconnect crate refuses a plain-http revocation URL, so this request is raw.)
        let revoked = srv.post_form("/revoke", Some(("web", WEB_SECRET)), &[("token", &access), ("token_type_hint", "access_token")]).await;
        assert_eq!(revoked.status(), 200);
        assert_eq!(introspect(&srv, &access).await["active"], false);
        let userinfo = srv.http().get(srv.url("/userinfo")).bearer_auth(&access).send().await.unwrap();
        assert_eq!(userinfo.status(), 401);
        assert!(userinfo.headers()["www-authenticate"].to_str().unwrap().contains("error=\"invalid_token\""));
        // The refresh token lives on.
        rp.refresh(&refresh_token_of(&signed.tokens)).await.expect("refresh still works");
    }
}

#[tokio::test]
async fn only_the_owner_revokes_and_only_confidential_clients_introspect() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
    let access = access_token_of(&signed.tokens);
    let other = srv.post_form("/revoke", Some(("first-party", WEB_SECRET)), &[("token", &access)]).await;
    assert_eq!(crate::common::oauth_error(other).await.1, "invalid_request");
    assert_eq!(introspect(&srv, &access).await["active"], true);
    let public = srv.post_form("/introspect", None, &[("token", &access), ("client_id", "mobile")]).await;
    assert_eq!(crate::common::oauth_error(public).await.0, reqwest::StatusCode::UNAUTHORIZED);
    let anonymous = srv.post_form("/introspect", None, &[("token", &access)]).await;
    assert_eq!(crate::common::oauth_error(anonymous).await.1, "invalid_client");
}

#[tokio::test]
async fn userinfo_accepts_get_and_post_and_reports_bearer_errors() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
    let access = access_token_of(&signed.tokens);
    let post = srv.http().post(srv.url("/userinfo")).form(&[("access_token", access.as_str())]).send().await.unwrap();
    assert_eq!(post.status(), 200);
    let body: serde_json::Value = post.json().await.unwrap();
    assert_eq!(body["email"], ALICE.0);
    assert!(body.get("given_name").is_none(), "profile was not granted");

    let none = srv.http().get(srv.url("/userinfo")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer realm=\"oneid\"");
    let forged = srv.http().get(srv.url("/userinfo")).bearer_auth(format!("{access}x")).send().await.unwrap();
    assert_eq!(forged.status(), 401);
    let both = srv.http().post(srv.url("/userinfo")).bearer_auth(&access).form(&[("access_token", access.as_str())]).send().await.unwrap();
    assert_eq!(both.status(), 400);
    // A client-credentials token has no user.
    let service = srv
        .post_form("/token", Some(("service", crate::common::SERVICE_SECRET)), &[("grant_type", "client_credentials")])
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let machine = srv.http().get(srv.url("/userinfo")).bearer_auth(service["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(machine.status(), 403);
    // An expired token.
    srv.clock.advance(601);
    assert_eq!(srv.http().get(srv.url("/userinfo")).bearer_auth(&access).send().await.unwrap().status(), 401);
}
