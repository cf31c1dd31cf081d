//! Complete authorization code flows as relying parties see them.

use openidconnect::{OAuth2TokenResponse, TokenResponse};

use crate::common::rp::{Rp, access_token_of};
use crate::common::{ALICE, TestServer, jwt_claims, jwt_header};

#[tokio::test]
async fn confidential_client_signs_in_with_pkce_and_reads_userinfo() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let signed = rp.sign_in(&srv, &browser, ALICE, &["profile", "email"]).await;

        let claims = &signed.claims;
        assert_eq!(claims.issuer().as_str(), srv.issuer);
        assert_eq!(claims.audiences().len(), 1);
        assert_eq!(claims.audiences()[0].as_str(), "web");
        assert_eq!(claims.authorized_party().map(|a| a.as_str()), Some("web"));
        assert_eq!(claims.email().map(|e| e.as_str()), Some(ALICE.0));
        assert!(claims.auth_time().is_some(), "auth_time is always present");
        assert_eq!(claims.nonce().map(|n| n.secret()), Some(signed.nonce.secret()));
        let raw = jwt_claims(&signed.tokens.id_token().expect("id token").to_string());
        assert!(raw["sid"].as_str().is_some_and(|s| !s.is_empty()), "sid in {raw}");
        assert_eq!(raw["acr"], "urn:oneid:acr:1fa");
        assert_eq!(raw["amr"], serde_json::json!(["pwd"]));
        let id_header = jwt_header(&signed.tokens.id_token().expect("id token").to_string());
        assert_eq!(id_header["alg"], "ES256");

        // The access token is an RFC 9068 JWT.
        let access = access_token_of(&signed.tokens);
        assert_eq!(jwt_header(&access)["typ"], "at+jwt");
        let at = jwt_claims(&access);
        assert_eq!(at["client_id"], "web");
        assert_eq!(at["sub"], claims.subject().as_str());
        assert!(signed.tokens.refresh_token().is_some());
        assert_eq!(signed.tokens.expires_in().map(|d| d.as_secs()), Some(600));

        let info = rp.userinfo(&signed.tokens).await.expect("userinfo");
        assert_eq!(info.subject(), claims.subject());
        assert_eq!(info.email().map(|e| e.as_str()), Some(ALICE.0));
        assert_eq!(info.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("Alice"));
    }
}
