//! Signing keys: RFC 7638 key ids, and rotation that keeps earlier tokens verifiable.

use openidconnect::TokenResponse;

use crate::common::rp::{Rp, access_token_of};
use crate::common::{ALICE, TestServer, introspect, jwt_header};

async fn jwks(srv: &TestServer) -> serde_json::Value {
    let response = srv.http().get(srv.url("/jwks")).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/jwk-set+json");
    response.json().await.unwrap()
}

fn kids(jwks: &serde_json::Value) -> Vec<String> {
    jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn key_ids_are_rfc_7638_thumbprints_and_no_private_parts_are_published() {
    use base64::Engine;
    use sha2::Digest;
    let srv = TestServer::start().await;
    let set = jwks(&srv).await;
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "ES256 and RS256");
    for key in keys {
        assert!(key.get("d").is_none() && key.get("p").is_none(), "no private members: {key}");
        assert_eq!(key["use"], "sig");
        let canonical = match key["kty"].as_str().unwrap() {
            "EC" => format!(r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#, key["crv"].as_str().unwrap(), key["x"].as_str().unwrap(), key["y"].as_str().unwrap()),
            "RSA" => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, key["e"].as_str().unwrap(), key["n"].as_str().unwrap()),
            other => panic!("unexpected key type {other}"),
        };
        let thumbprint = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical.as_bytes()));
        assert_eq!(key["kid"], thumbprint);
    }
}

#[tokio::test]
async fn tokens_signed_before_a_rotation_still_verify_after_it() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let before = rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        let old_kid = jwt_header(&before.tokens.id_token().unwrap().to_string())["kid"].as_str().unwrap().to_string();

        let new_kids = oneid::admin::keys::rotate(srv.state.ctx(), &oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli()).await.expect("rotation");
        let published = kids(&jwks(&srv).await);
        assert_eq!(published.len(), 4, "two new keys, two previous ones");
        assert!(published.contains(&old_kid));
        assert!(new_kids.iter().all(|k| published.contains(k)));

        // A relying party that fetches the keys now still accepts the earlier token…
        let fresh_rp = Rp::web(&srv).await;
        fresh_rp.verify_id_token(&before.tokens, &before.nonce);
        assert_eq!(introspect(&srv, &access_token_of(&before.tokens)).await["active"], true);
        // …and the old key signs on until every instance publishes the new one…
        let meanwhile = fresh_rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        assert_eq!(jwt_header(&meanwhile.tokens.id_token().unwrap().to_string())["kid"], old_kid.as_str());
        // …then new tokens come from a new key.
        srv.clock.advance(oneid::keys::SIGN_AFTER);
        srv.state.ctx().keys.refresh(srv.clock_now()).await.expect("refresh");
        let after = fresh_rp.sign_in(&srv, &srv.browser(), ALICE, &["email"]).await;
        let new_kid = jwt_header(&after.tokens.id_token().unwrap().to_string())["kid"].as_str().unwrap().to_string();
        assert!(new_kids.contains(&new_kid));

        // Once every token of the old keys has expired, they are withdrawn.
        srv.clock.advance(srv.state.ctx().config.max_jwt_ttl() + 301);
        srv.state.ctx().keys.refresh(srv.clock_now()).await.expect("refresh");
        let remaining = kids(&jwks(&srv).await);
        assert!(!remaining.contains(&old_kid));
        assert_eq!(remaining.len(), 2);
    }
}
