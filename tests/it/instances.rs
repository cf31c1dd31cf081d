//! Two instances behind one issuer on one database (F62): a sign-in on one is redeemed
//! on the other, a refresh and a revocation travel between them, wrong passwords count
//! across both, a key rotation on one shows in the other's JWKS before its key signs,
//! and the per-address limit on sign-in forms counts requests to both.

use serde_json::Value;

use crate::common::{self, BOB, TestServer, WEB_REDIRECT, WEB_SECRET, introspect, wait_until};

#[tokio::test]
async fn two_instances_share_codes_tokens_lockouts_and_keys() {
    for a in TestServer::each_backend().await {
        let b = a.another_instance().await;

        // Signed in on A, the code is redeemed on B.
        let (code, verifier) = common::web_code(&a, &a.browser()).await;
        let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", WEB_REDIRECT), ("code_verifier", verifier.as_str())];
        let response = b.post_form("/token", Some(("web", WEB_SECRET)), &form).await;
        assert_eq!(response.status(), 200, "{:?}", a.backend);
        let tokens: Value = response.json().await.unwrap();

        // Refreshed on A; the old refresh token, replayed on B later, is refused.
        let refresh = tokens["refresh_token"].as_str().expect("a refresh token").to_string();
        let renewed: Value = a.post_form("/token", Some(("web", WEB_SECRET)), &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await.json().await.unwrap();
        let renewed_access = renewed["access_token"].as_str().unwrap_or_else(|| panic!("refreshed on A: {renewed}")).to_string();
        a.clock.advance(10);
        b.clock.advance(10);
        let replay = b.post_form("/token", Some(("web", WEB_SECRET)), &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
        assert_eq!(common::oauth_error(replay).await.1, "invalid_grant");

        // The code replayed on B is refused and revokes what it issued, on A too.
        assert_eq!(b.post_form("/token", Some(("web", WEB_SECRET)), &form).await.status(), 400, "the code is single use across instances");
        wait_until("A sees the revocation", || async { introspect(&a, &renewed_access).await["active"] == false }).await;

        // Revoked on B: inactive on both (A learns it from the database within a second).
        let fresh = common::web_code(&a, &a.browser()).await;
        let form = [("grant_type", "authorization_code"), ("code", fresh.0.as_str()), ("redirect_uri", WEB_REDIRECT), ("code_verifier", fresh.1.as_str())];
        let live: Value = a.post_form("/token", Some(("web", WEB_SECRET)), &form).await.json().await.unwrap();
        let live = live["access_token"].as_str().unwrap().to_string();
        assert_eq!(introspect(&a, &live).await["active"], true);
        assert_eq!(b.post_form("/revoke", Some(("web", WEB_SECRET)), &[("token", &live)]).await.status(), 200);
        assert_eq!(introspect(&b, &live).await["active"], false);
        wait_until("A sees B's revocation", || async { introspect(&a, &live).await["active"] == false }).await;

        // Wrong passwords count across both: five in all lock Bob out on either.
        for (n, srv) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
            let browser = srv.browser();
            let page = browser.open("/login").await;
            let answer = browser.submit_login(&page, BOB.0, &format!("wrong password {n}")).await;
            assert!(answer.is_login_page());
        }
        let browser = b.browser();
        let page = browser.open("/login").await;
        let locked = browser.submit_login(&page, BOB.0, BOB.1).await;
        assert!(locked.body().contains("Too many failed sign-in attempts") || locked.body().contains("security check"), "Bob is locked (or asked for a proof of work) on B: {}", locked.body());

        // Keys rotated on A are published by B within its refresh interval.
        let kids = oneid::admin::keys::rotate(a.state.ctx(), &oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli()).await.unwrap();
        wait_until("B publishes A's new keys", || async {
            let jwks: Value = b.http().get(b.url("/jwks")).send().await.unwrap().json().await.unwrap();
            kids.iter().all(|kid| jwks.to_string().contains(kid.as_str()))
        })
        .await;
        // Only then do they sign; B knows them and takes A's tokens.
        a.clock.advance(oneid::keys::SIGN_AFTER);
        b.clock.advance(oneid::keys::SIGN_AFTER);
        a.state.ctx().keys.refresh(a.clock_now()).await.unwrap();
        let issued: Value = a.post_form("/token", Some(("service", common::SERVICE_SECRET)), &[("grant_type", "client_credentials")]).await.json().await.unwrap();
        let token = issued["access_token"].as_str().unwrap();
        assert!(kids.iter().any(|kid| common::jwt_header(token)["kid"] == kid.as_str()), "A signs with a new key");
        assert_eq!(introspect(&b, token).await["active"], true, "{:?}", a.backend);
    }
}

#[tokio::test]
async fn the_per_address_form_limit_holds_across_instances_and_behind_trusted_proxies() {
    for backend in common::Backend::available() {
        // The tests reach both instances from 127.0.0.1: let it act as the load balancer.
        let a = TestServer::start_with(backend, |config| {
            config.lockout.per_ip_per_minute = 4;
            config.trusted_proxies = vec!["127.0.0.0/8".into()];
        })
        .await;
        let b = a.another_instance().await;
        // Each login POST of a client counts, whatever it says and whichever instance gets it.
        let post = |srv: &TestServer, client: &str| {
            let request = srv.http().post(srv.url("/login")).header("x-forwarded-for", client).form(&[("email", "x")]);
            async move { request.send().await.unwrap() }
        };
        let started = a.clock_now();
        // The instances write their counts once a second; a round run here ends when
        // the instance's counts are written (and, for B, the total is back).
        for srv in [&a, &a, &b, &b] {
            assert_ne!(post(srv, "203.0.113.9").await.status(), 429, "{backend:?}: within the limit");
            oneid::auth::rate_limit::flush(srv.state.ctx()).await;
        }
        // Without the shared count, B would still have two of its own four left.
        let refused = post(&b, "203.0.113.9").await;
        assert_eq!(refused.status(), 429, "{backend:?}: the fifth in a minute, across both");
        let wait: i64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        // Another client behind the same proxy has its own allowance; so does the next minute.
        assert_ne!(post(&a, "198.51.100.4").await.status(), 429, "{backend:?}");
        let next_minute = 60 - started.rem_euclid(60);
        a.clock.advance(next_minute);
        b.clock.advance(next_minute);
        assert_ne!(post(&a, "203.0.113.9").await.status(), 429, "{backend:?}: a new minute");
    }
}
