//! Discovery, health, readiness, metrics and CORS.

use crate::common::rp::Rp;
use crate::common::{ALICE, Backend, TestServer};

#[tokio::test]
async fn discovery_describes_exactly_what_is_served() {
    let srv = TestServer::start().await;
    let doc: serde_json::Value = srv.http().get(srv.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["issuer"], srv.issuer);
    for (field, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks"),
        ("revocation_endpoint", "/revoke"),
        ("introspection_endpoint", "/introspect"),
        ("end_session_endpoint", "/logout"),
    ] {
        assert_eq!(doc[field], srv.url(path), "{field}");
    }
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(doc["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(doc["request_uri_parameter_supported"], false);
    assert_eq!(doc["id_token_signing_alg_values_supported"], serde_json::json!(["ES256", "RS256"]));
    assert!(doc["grant_types_supported"].as_array().unwrap().iter().all(|g| g != "implicit" && g != "password"));
    let rfc8414: serde_json::Value = srv.http().get(srv.url("/.well-known/oauth-authorization-server")).send().await.unwrap().json().await.unwrap();
    assert_eq!(rfc8414, doc);
}

#[tokio::test]
async fn an_issuer_with_a_path_serves_everything_under_it() {
    let srv = TestServer::start_with(Backend::Sqlite, |c| c.issuer = format!("{}/oneid", c.issuer)).await;
    assert!(srv.issuer.ends_with("/oneid"));
    let rp = Rp::web(&srv).await;
    rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
    // RFC 8414 §3.1: the metadata also sits at the host's well-known path.
    let root = srv.issuer.trim_end_matches("/oneid");
    let doc: serde_json::Value = srv.http().get(format!("{root}/.well-known/oauth-authorization-server/oneid")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["issuer"], srv.issuer);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let srv = TestServer::start().await;
    assert_eq!(srv.http().get(srv.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    let ready = srv.http().get(srv.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    Rp::web(&srv).await.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
    let metrics = srv.http().get(srv.url("/metrics")).send().await.unwrap().text().await.unwrap();
    for name in ["oneid_http_requests_total", "oneid_http_request_duration_seconds", "oneid_logins_total", "oneid_tokens_issued_total"] {
        assert!(metrics.contains(name), "{name} missing from metrics");
    }
    // Counted by route pattern, method and status.
    assert!(metrics.contains(r#"oneid_http_requests_total{method="POST",path="/token",status="200"}"#), "{metrics}");
    assert!(metrics.contains(r#"oneid_http_request_duration_seconds_bucket{method="POST",path="/token","#), "{metrics}");
}

#[tokio::test]
async fn browser_clients_may_call_token_userinfo_and_keys_cross_origin_but_not_pages() {
    let srv = TestServer::start().await;
    for path in ["/token", "/userinfo", "/jwks", "/.well-known/openid-configuration", "/revoke"] {
        let preflight = srv
            .http()
            .request(reqwest::Method::OPTIONS, srv.url(path))
            .header("origin", "https://spa.example.com")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 204, "{path}");
        assert_eq!(preflight.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some("*"), "{path}");
        let allowed = preflight.headers().get("access-control-allow-headers").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{path}: {allowed}");
    }
    let keys = srv.http().get(srv.url("/jwks")).header("origin", "https://spa.example.com").send().await.unwrap();
    assert_eq!(keys.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some("*"));
    for path in ["/login", "/authorize", "/introspect"] {
        let response = srv.http().get(srv.url(path)).header("origin", "https://spa.example.com").send().await.unwrap();
        assert!(response.headers().get("access-control-allow-origin").is_none(), "{path}");
    }
}

#[tokio::test]
async fn a_full_hashing_queue_answers_503_with_retry_after_instead_of_waiting() {
    // One hash at a time and one waiting: more sign-ins at once are turned away, not queued.
    let srv = TestServer::start_with(Backend::Sqlite, |config| {
        config.hashing.concurrency = 1;
        config.hashing.queue = 1;
        config.hashing.iterations = 40;
    })
    .await;
    let attempts: Vec<_> = (0..6)
        .map(|_| {
            let browser = srv.browser();
            tokio::spawn(async move {
                let page = browser.open("/login").await;
                browser.submit_login(&page, ALICE.0, "a wrong password, hashed all the same").await
            })
        })
        .collect();
    let mut landed = Vec::new();
    for attempt in attempts {
        landed.push(attempt.await.unwrap());
    }
    let busy: Vec<_> = landed.iter().filter(|l| l.status() == 503).collect();
    assert!(!busy.is_empty(), "six at once with room for two: {:?}", landed.iter().map(|l| l.status()).collect::<Vec<_>>());
    for page in busy {
        let crate::common::browser::Landing::Page { headers, body, .. } = page else { unreachable!() };
        assert_eq!(headers["retry-after"], "5");
        assert!(body.contains("Too busy right now") && body.contains("Wait a few seconds and try again."), "{body}");
    }
}

#[tokio::test]
async fn request_ids_come_from_trusted_proxies_only() {
    let is_ours = |id: &str| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let id_of = |response: reqwest::Response| response.headers()["x-request-id"].to_str().unwrap().to_string();
    // A client cannot choose the id that its requests leave in logs and audit events.
    let srv = TestServer::start().await;
    let answered = srv.http().get(srv.url("/healthz")).header("x-request-id", "lb-7f3a").send().await.unwrap();
    assert!(is_ours(&id_of(answered)));
    let plain = srv.http().get(srv.url("/healthz")).send().await.unwrap();
    assert!(is_ours(&id_of(plain)));
    // A trusted load balancer can, with an id that looks like one.
    let behind = TestServer::start_with(Backend::Sqlite, |config| config.trusted_proxies = vec!["127.0.0.0/8".into()]).await;
    let kept = behind.http().get(behind.url("/healthz")).header("x-request-id", "lb-7f3a:0001").send().await.unwrap();
    assert_eq!(id_of(kept), "lb-7f3a:0001");
    for odd in ["two words", "\"quoted\"", &"x".repeat(129)] {
        let replaced = behind.http().get(behind.url("/healthz")).header("x-request-id", odd).send().await.unwrap();
        assert!(is_ours(&id_of(replaced)), "{odd:?}");
    }
}
