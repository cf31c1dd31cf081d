//! The device authorization grant (RFC 8628) as a car meets it: codes, the person
//! approving in a browser, polling answers, tokens through the openidconnect crate.

use openidconnect::core::{CoreClient, CoreDeviceAuthorizationResponse, CoreProviderMetadata};
use openidconnect::{ClientId, DeviceAuthorizationUrl, IssuerUrl, OAuth2TokenResponse, Scope, TokenResponse};

use crate::common::{ALICE, TestServer, jwt_claims, oauth_error};

async fn poll(srv: &TestServer, device_code: &str) -> reqwest::Response {
    srv.post_form("/token", None, &[("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", device_code), ("client_id", "car")]).await
}

#[tokio::test]
async fn a_car_signs_a_user_in_through_the_device_flow() {
    for srv in TestServer::each_backend().await {
        let http = srv.http();
        let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(srv.issuer.clone()).unwrap(), &http).await.expect("discovery");
        let discovery: serde_json::Value = http.get(srv.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
        let endpoint = discovery["device_authorization_endpoint"].as_str().expect("device endpoint in discovery").to_string();
        let car = CoreClient::from_provider_metadata(metadata, ClientId::new("car".into()), None)
            .set_device_authorization_url(DeviceAuthorizationUrl::new(endpoint).unwrap());
        let details: CoreDeviceAuthorizationResponse = car
            .exchange_device_code()
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("offline_access".into()))
            .request_async(&http)
            .await
            .expect("device authorization");
        let user_code = details.user_code().secret().clone();
        assert!(user_code.len() == 9 && user_code.as_bytes()[4] == b'-', "{user_code}");
        let complete = details.verification_uri_complete().expect("a complete URI").secret().clone();
        assert!(complete.starts_with(&format!("{}/device?user_code=", srv.issuer)));
        let device_code = details.device_code().secret().clone();

        // Before anyone approves: pending, then slow_down for polling too fast.
        assert_eq!(oauth_error(poll(&srv, &device_code).await).await.1, "authorization_pending");
        assert_eq!(oauth_error(poll(&srv, &device_code).await).await.1, "slow_down");

        // The person types the code (in lower case, with a space), signs in, approves.
        let browser = srv.browser();
        let page = browser.open("/device").await;
        let typed = user_code.to_lowercase().replace('-', " ");
        let login = browser.submit(&page, "/device", &[("user_code", &typed)]).await;
        assert!(login.is_login_page(), "sign in first");
        let confirm = browser.submit(&login, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
        assert!(confirm.body().contains(&user_code), "the code to compare: {}", confirm.body());
        assert!(confirm.body().contains(">MINI</header>"), "the car's brand");
        let done = browser.submit(&confirm, "/device/decide", &[("decision", "allow")]).await;
        assert!(done.body().contains("your device is signed in"), "{}", done.body());

        let tokens = car
            .exchange_device_access_token(&details)
            .expect("token endpoint")
            .request_async(&http, tokio::time::sleep, None)
            .await
            .expect("tokens after approval");
        let claims = jwt_claims(&tokens.id_token().expect("an ID token").to_string());
        assert_eq!(claims["aud"], "car");
        assert_eq!(claims["email"], ALICE.0);
        assert!(tokens.refresh_token().is_some(), "the car keeps its sign-in");
        // The device code worked once.
        assert_eq!(oauth_error(poll(&srv, &device_code).await).await.1, "invalid_grant");
    }
}

#[tokio::test]
async fn denied_expired_and_unknown_codes() {
    let srv = TestServer::start().await;
    let start = || srv.post_form("/device_authorization", None, &[("client_id", "car"), ("scope", "openid email")]);
    let first: serde_json::Value = start().await.json().await.unwrap();
    let browser = srv.browser();
    let login = browser.open(first["verification_uri_complete"].as_str().unwrap().strip_prefix(&srv.issuer).unwrap()).await;
    let confirm = browser.submit(&login, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    browser.submit(&confirm, "/device/decide", &[("decision", "deny")]).await;
    assert_eq!(oauth_error(poll(&srv, first["device_code"].as_str().unwrap()).await).await.1, "access_denied");

    let second: serde_json::Value = start().await.json().await.unwrap();
    srv.clock.advance(601);
    assert_eq!(oauth_error(poll(&srv, second["device_code"].as_str().unwrap()).await).await.1, "expired_token");
    let late = browser.open(second["verification_uri_complete"].as_str().unwrap().strip_prefix(&srv.issuer).unwrap()).await;
    assert_eq!(late.status(), 400, "an expired code cannot be approved");

    let wrong = browser.open("/device?user_code=BCDF-GHJK").await;
    assert!(wrong.body().contains("not valid or has expired"));
    // Only clients registered for the grant may use it.
    let refused = srv.post_form("/device_authorization", Some(("web", crate::common::WEB_SECRET)), &[("scope", "openid")]).await;
    assert_eq!(oauth_error(refused).await.1, "unauthorized_client");
}
