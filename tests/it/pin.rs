//! The mobile app's PIN (F30): set after the password sign-in, exchanged with the
//! refresh token for fresh tokens, and three wrong ones sign the app out.

use serde_json::Value;

use crate::common::rp::{Rp, access_token_of, refresh_token_of};
use crate::common::{ALICE, Browser, TestServer, introspect, jwt_claims, oauth_error};

const PIN_GRANT: &str = "urn:oneid:params:oauth:grant-type:pin";
const PIN: &str = "4729";

/// The mobile app signs ALICE in (code flow with PKCE, offline access): (access, refresh).
async fn app_sign_in(srv: &TestServer, browser: &Browser) -> (String, String) {
    let rp = Rp::mobile(srv).await;
    let signed = rp.sign_in(srv, browser, ALICE, &["email", "offline_access"]).await;
    (access_token_of(&signed.tokens), refresh_token_of(&signed.tokens))
}

async fn set_pin(srv: &TestServer, access: &str, form: &[(&str, &str)]) -> reqwest::Response {
    srv.http().post(srv.url("/app/pin")).bearer_auth(access).form(form).send().await.expect("request sent")
}

async fn unlock(srv: &TestServer, refresh: &str, pin: &str) -> reqwest::Response {
    srv.post_form("/token", None, &[("grant_type", PIN_GRANT), ("client_id", "mobile"), ("refresh_token", refresh), ("pin", pin)]).await
}

async fn refresh(srv: &TestServer, refresh: &str) -> reqwest::Response {
    srv.post_form("/token", None, &[("grant_type", "refresh_token"), ("client_id", "mobile"), ("refresh_token", refresh)]).await
}

/// A wrong PIN's answer: `invalid_grant` with the attempts left.
async fn attempts_left(response: reqwest::Response) -> i64 {
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");
    body["pin_attempts_left"].as_i64().unwrap_or_else(|| panic!("no pin_attempts_left in {body}"))
}

async fn tokens(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_app_sets_a_pin_unlocks_with_it_and_is_signed_out_after_three_wrong_ones() {
    for srv in TestServer::each_backend().await {
        let (access, refresh_token) = app_sign_in(&srv, &srv.browser()).await;

        let status: Value = srv.http().get(srv.url("/app/pin")).bearer_auth(&access).send().await.unwrap().json().await.unwrap();
        assert_eq!(status["pin_set"], false);
        assert_eq!((status["min_length"].as_i64(), status["max_length"].as_i64(), status["max_attempts"].as_i64()), (Some(4), Some(6), Some(3)));

        // Trivial and malformed PINs are refused with a problem naming the field.
        for bad in ["1234", "0000", "1212", "987654", "12a4", "123"] {
            let refused = set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", bad)]).await;
            assert_eq!(refused.status(), 422, "{bad}");
            assert_eq!(refused.headers()["content-type"], "application/problem+json");
            let problem: Value = refused.json().await.unwrap();
            assert_eq!(problem["field"], "pin", "{bad}: {problem}");
        }
        // The refresh token must be this sign-in's.
        let foreign = set_pin(&srv, &access, &[("refresh_token", "not-a-token"), ("pin", PIN)]).await;
        assert_eq!(foreign.status(), 422);
        assert_eq!(set_pin(&srv, "not-a-token", &[("refresh_token", &refresh_token), ("pin", PIN)]).await.status(), 401);
        let set: Value = set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", PIN)]).await.json().await.unwrap();
        assert_eq!(set["pin_set"], true);

        // Opening the app: refresh token and PIN give fresh tokens, the PIN shows in amr.
        let opened = tokens(unlock(&srv, &refresh_token, PIN).await).await;
        let id = jwt_claims(opened["id_token"].as_str().unwrap());
        assert_eq!(id["amr"], serde_json::json!(["pin"]));
        assert_eq!(id["aud"], "mobile");
        let mut current = opened["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(current, refresh_token, "the refresh token rotates");

        // Two wrong, then right: the count starts over.
        assert_eq!(attempts_left(unlock(&srv, &current, "5555").await).await, 2);
        assert_eq!(attempts_left(unlock(&srv, &current, "8351").await).await, 1);
        let opened = tokens(unlock(&srv, &current, PIN).await).await;
        current = opened["refresh_token"].as_str().unwrap().to_string();
        let live_access = opened["access_token"].as_str().unwrap().to_string();

        // Three wrong: the app is signed out and the owner is told.
        assert_eq!(attempts_left(unlock(&srv, &current, "1111").await).await, 2);
        assert_eq!(attempts_left(unlock(&srv, &current, "2222").await).await, 1);
        assert_eq!(attempts_left(unlock(&srv, &current, "3333").await).await, 0);
        assert_eq!(oauth_error(unlock(&srv, &current, PIN).await).await.1, "invalid_grant", "not even the right PIN helps now");
        assert_eq!(oauth_error(refresh(&srv, &current).await).await.1, "invalid_grant");
        assert_eq!(introspect(&srv, &live_access).await["active"], false, "its access tokens die too");
        let told = srv.mail.wait_for_subject(ALICE.0, "An app was signed out").await;
        assert!(told.text().contains("mobile app"), "{}", told.text());
        let events = srv.audit_events().await;
        assert!(events.contains(&"app_pin_locked".to_string()));
    }
}

#[tokio::test]
async fn parallel_wrong_pins_never_check_more_than_the_limit() {
    for srv in TestServer::each_backend().await {
        let (access, refresh_token) = app_sign_in(&srv, &srv.browser()).await;
        set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", PIN)]).await;
        let mut guesses = tokio::task::JoinSet::new();
        for i in 0..12 {
            let (http, url, token) = (srv.http(), srv.url("/token"), refresh_token.clone());
            guesses.spawn(async move {
                let guess = format!("{:04}", 5003 + i * 7);
                let form = [("grant_type", PIN_GRANT), ("client_id", "mobile"), ("refresh_token", &token), ("pin", &guess)];
                // A guess that arrives after the sign-in was revoked finds its refresh token dead.
                let body: Value = http.post(url).form(&form).send().await.unwrap().json().await.unwrap();
                assert_eq!(body["error"], "invalid_grant", "{body}");
                body["pin_attempts_left"].as_i64().unwrap_or(0)
            });
        }
        let mut left: Vec<i64> = guesses.join_all().await;
        left.sort();
        // Exactly three PINs were checked (answers 2, 1, 0); the other nine were refused unchecked.
        assert_eq!(left.iter().filter(|l| **l > 0).count(), 2, "{left:?}");
        let events = srv.audit_events().await;
        let wrong = events.iter().filter(|e| *e == "app_pin_wrong").count();
        let locked = events.iter().filter(|e| *e == "app_pin_locked").count();
        assert_eq!((wrong, locked), (2, 1), "{events:?}");
        assert_eq!(oauth_error(refresh(&srv, &refresh_token).await).await.1, "invalid_grant");
    }
}

#[tokio::test]
async fn after_the_unlock_runs_out_the_refresh_token_needs_the_pin() {
    let srv = TestServer::start().await;
    let (access, refresh_token) = app_sign_in(&srv, &srv.browser()).await;
    set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", PIN)]).await;
    // Within the unlock the app refreshes as usual.
    let refreshed = tokens(refresh(&srv, &refresh_token).await).await;
    let current = refreshed["refresh_token"].as_str().unwrap().to_string();
    srv.clock.advance(3601);
    let locked = refresh(&srv, &current).await;
    let body: Value = locked.json().await.unwrap();
    assert_eq!((body["error"].as_str(), body["pin_required"].as_bool()), (Some("invalid_grant"), Some(true)), "{body}");
    let opened = tokens(unlock(&srv, &current, PIN).await).await;
    tokens(refresh(&srv, opened["refresh_token"].as_str().unwrap()).await).await;
}

#[tokio::test]
async fn replacing_a_pin_needs_the_current_one_or_a_recent_sign_in() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    let (access, refresh_token) = app_sign_in(&srv, &browser).await;
    set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", PIN)]).await;
    srv.clock.advance(20 * 60);
    // Long after the password sign-in (with a fresh access token), a new PIN needs the current one.
    let refreshed = tokens(refresh(&srv, &refresh_token).await).await;
    let (access, refresh_token) = (refreshed["access_token"].as_str().unwrap().to_string(), refreshed["refresh_token"].as_str().unwrap().to_string());
    let refused = set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", "8351")]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.json::<Value>().await.unwrap()["type"], "urn:oneid:problem:reauthentication-required");
    let wrong = set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", "8351"), ("current_pin", "5555")]).await;
    assert_eq!(wrong.json::<Value>().await.unwrap()["pin_attempts_left"], 2);
    let replaced = set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", "8351"), ("current_pin", PIN)]).await;
    assert_eq!(replaced.status(), 200);
    tokens(unlock(&srv, &refresh_token, "8351").await).await;
}

#[tokio::test]
async fn a_password_change_signs_apps_with_a_pin_out() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    let (access, refresh_token) = app_sign_in(&srv, &browser).await;
    set_pin(&srv, &access, &[("refresh_token", &refresh_token), ("pin", PIN)]).await;
    // The password change happens in the very browser session the app signed in with,
    // which keeps its own tokens; the app's PIN is gone all the same, and its sign-in.
    let form = browser.open("/account/password").await;
    let changed = browser.submit(&form, "/account/password", &[("current_password", ALICE.1), ("password", "violet bridges hum at dawn")]).await;
    assert!(changed.url().contains("/account"), "{}", changed.url());
    assert_eq!(oauth_error(unlock(&srv, &refresh_token, PIN).await).await.1, "invalid_grant");
    assert_eq!(oauth_error(refresh(&srv, &refresh_token).await).await.1, "invalid_grant");
}
