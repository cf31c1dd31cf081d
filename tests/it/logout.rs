//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) and what ending a
//! browser session does to tokens.

use openidconnect::TokenResponse;

use crate::common::rp::{Rp, refresh_token_of};
use crate::common::{ALICE, TestServer, WEB_LOGOUT_REDIRECT, query};

fn logout_url(srv: &TestServer, params: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    format!("{}?{query}", srv.url("/logout"))
}

#[tokio::test]
async fn rp_initiated_logout_with_an_id_token_hint_ends_the_session_and_returns() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let signed = rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
        let id_token = signed.tokens.id_token().expect("id token").to_string();

        let landing = browser
            .open(&logout_url(&srv, &[("id_token_hint", &id_token), ("post_logout_redirect_uri", WEB_LOGOUT_REDIRECT), ("state", "bye-1")]))
            .await;
        let back = landing.left();
        assert!(back.starts_with(WEB_LOGOUT_REDIRECT), "{back}");
        assert_eq!(query(back)["state"], "bye-1");

        // The session is gone: prompt=none now needs a login.
        let silent = browser.open(&format!("{}&prompt=none", rp.start(&["email"]).url)).await;
        assert_eq!(query(silent.left())["error"], "login_required");
        // And so is the refresh token that lived with it.
        let refused = rp.refresh(&refresh_token_of(&signed.tokens)).await.expect_err("session-bound refresh token revoked");
        assert!(refused.contains("invalid_grant"), "{refused}");
    }
}

#[tokio::test]
async fn a_client_may_post_the_logout_request() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    let signed = rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
    let id_token = signed.tokens.id_token().expect("id token").to_string();
    let back = browser.post("/logout", &[("id_token_hint", &id_token), ("post_logout_redirect_uri", WEB_LOGOUT_REDIRECT), ("state", "p")]).await;
    assert_eq!(query(back.left())["state"], "p");
    let silent = browser.open(&format!("{}&prompt=none", rp.start(&["email"]).url)).await;
    assert_eq!(query(silent.left())["error"], "login_required");
}

#[tokio::test]
async fn offline_access_survives_logout() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    let signed = rp.sign_in(&srv, &browser, ALICE, &["email", "offline_access"]).await;
    let id_token = signed.tokens.id_token().expect("id token").to_string();
    browser.open(&logout_url(&srv, &[("id_token_hint", &id_token)])).await;
    rp.refresh(&refresh_token_of(&signed.tokens)).await.expect("offline refresh token still works");
}

#[tokio::test]
async fn logout_without_a_hint_asks_the_user_first() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    rp.sign_in(&srv, &browser, ALICE, &["email"]).await;

    let confirm = browser
        .open(&logout_url(&srv, &[("client_id", "web"), ("post_logout_redirect_uri", WEB_LOGOUT_REDIRECT), ("state", "s")]))
        .await;
    assert_eq!(confirm.status(), 200);
    assert!(confirm.body().contains("Sign out?"), "{}", confirm.body());
    assert!(confirm.body().contains(ALICE.0));
    // Still signed in until the user confirms.
    assert!(browser.open(&format!("{}&prompt=none", rp.start(&["email"]).url)).await.left().contains("code="));

    let csrf = crate::common::browser::hidden(confirm.body(), "csrf").expect("csrf");
    let done = browser
        .post("/logout", &[("csrf", &csrf), ("client_id", "web"), ("post_logout_redirect_uri", WEB_LOGOUT_REDIRECT), ("state", "s")])
        .await;
    assert_eq!(query(done.left())["state"], "s");
    let silent = browser.open(&format!("{}&prompt=none", rp.start(&["email"]).url)).await;
    assert_eq!(query(silent.left())["error"], "login_required");
    assert!(srv.audit_events().await.contains(&"session_ended".to_string()));
}

#[tokio::test]
async fn an_unregistered_post_logout_redirect_is_never_followed() {
    let srv = TestServer::start().await;
    let rp = Rp::web(&srv).await;
    let browser = srv.browser();
    let signed = rp.sign_in(&srv, &browser, ALICE, &["email"]).await;
    let id_token = signed.tokens.id_token().expect("id token").to_string();
    let page = browser.open(&logout_url(&srv, &[("id_token_hint", &id_token), ("post_logout_redirect_uri", "https://evil.example.com/")])).await;
    assert_eq!(page.status(), 400);
    assert!(page.body().contains("not registered"));
    let forged = browser.open(&logout_url(&srv, &[("id_token_hint", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")])).await;
    assert_eq!(forged.status(), 400);
    // Without a client the redirect cannot be checked: the user just signs out here.
    let plain = browser.open(&logout_url(&srv, &[("post_logout_redirect_uri", "https://evil.example.com/")])).await;
    assert!(plain.body().contains("Sign out?"));
}

#[tokio::test]
async fn the_home_page_shows_the_session_and_signs_out() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    let home = browser.open("/").await;
    assert!(home.body().contains("You are not signed in"));
    let login = browser.open("/login").await;
    let signed_in = browser.submit_login(&login, ALICE.0, ALICE.1).await;
    assert!(signed_in.body().contains(ALICE.0), "{}", signed_in.body());
    let csrf = crate::common::browser::hidden(signed_in.body(), "csrf").expect("csrf");
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert!(out.body().contains("You are signed out"));
    assert!(browser.open("/").await.body().contains("You are not signed in"));
}

#[tokio::test]
async fn the_account_lists_sessions_and_apps_and_ends_them_one_by_one() {
    let srv = TestServer::start().await;
    let me = srv.browser();
    let page = me.open("/account/sessions").await;
    me.submit(&page, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    let other = srv.browser();
    other.submit_login(&other.open("/login").await, ALICE.0, ALICE.1).await;
    let app = crate::common::rp::Rp::mobile(&srv).await;
    let signed = app.sign_in(&srv, &srv.browser(), ALICE, &["offline_access"]).await;
    let refresh = crate::common::rp::refresh_token_of(&signed.tokens);

    let list = me.open("/account/sessions").await;
    assert!(list.body().contains("this browser"), "{}", list.body());
    assert!(list.body().contains("mobile app"), "the app's own grant is listed: {}", list.body());
    assert_eq!(list.body().matches("value=\"end\"").count(), 2, "two other browsers can be signed out");
    assert_eq!(list.body().matches("· 127.0.0.1 ·").count(), 4, "three browsers and the app, each with its address: {}", list.body());

    let ended = me.submit(&list, "/account/sessions", &[("action", "end-others")]).await;
    assert!(ended.body().contains("that access has ended"));
    assert!(other.open("/account").await.is_login_page(), "the other browser is signed out");
    assert!(app.refresh(&refresh).await.is_ok(), "apps keep their own grants when browsers sign out");

    let list = me.open("/account/sessions").await;
    me.submit(&list, "/account/sessions", &[("action", "revoke")]).await;
    assert!(app.refresh(&refresh).await.unwrap_err().contains("invalid_grant"), "removing the app's access revokes its tokens");
    assert!(!me.open("/account").await.is_login_page(), "this browser stays signed in");
}
