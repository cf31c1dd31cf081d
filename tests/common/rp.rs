//! Relying parties built with the `openidconnect` crate: discovery, authorization URL
//! with PKCE and nonce, code exchange, ID token verification, userinfo, refresh,
//! revocation and introspection, all as a real client library does them.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata, CoreTokenResponse, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IntrospectionUrl, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RevocationUrl, Scope, TokenResponse,
};

use super::{Browser, TestServer};

pub type Client = CoreClient<EndpointSet, EndpointNotSet, EndpointSet, EndpointSet, EndpointMaybeSet, EndpointMaybeSet>;

pub struct Rp {
    pub client: Client,
    pub http: reqwest::Client,
    pub client_id: String,
}

/// One authorization request in flight: what the RP keeps to check the answer.
pub struct Pending {
    pub url: String,
    pub state: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
}

/// A finished code flow.
pub struct Signed {
    pub tokens: CoreTokenResponse,
    pub claims: CoreIdTokenClaims,
    pub nonce: Nonce,
}

impl Rp {
    pub async fn new(srv: &TestServer, client_id: &str, secret: Option<&str>, redirect: &str) -> Rp {
        let http = srv.http();
        let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(srv.issuer.clone()).expect("issuer URL"), &http)
            .await
            .expect("discovery");
        let client = CoreClient::from_provider_metadata(metadata, ClientId::new(client_id.into()), secret.map(|s| ClientSecret::new(s.into())))
            .set_redirect_uri(RedirectUrl::new(redirect.into()).expect("redirect URL"))
            .set_revocation_url(RevocationUrl::new(srv.url("/revoke")).expect("revocation URL"))
            .set_introspection_url(IntrospectionUrl::new(srv.url("/introspect")).expect("introspection URL"));
        Rp { client, http, client_id: client_id.into() }
    }

    pub async fn web(srv: &TestServer) -> Rp {
        Rp::new(srv, "web", Some(super::WEB_SECRET), super::WEB_REDIRECT).await
    }

    /// A confidential client registered on the fly, for servers without the test clients.
    pub async fn web_like_client(srv: &TestServer) -> Rp {
        // Registered with a secret of the test's choosing (the admin services generate them).
        let mut spec = super::client("portal", Some(super::WEB_SECRET), None, super::WEB_REDIRECT);
        spec.name = None;
        spec.skip_consent = true;
        let ctx = srv.state.ctx();
        let record = oneid::protocol::client_metadata::validate(&spec, &ctx.config, "database", srv.clock_now()).expect("valid client");
        ctx.store.insert_client(&record).await.expect("client stored");
        ctx.clients.reload().await.expect("clients reloaded");
        Rp::new(srv, "portal", Some(super::WEB_SECRET), super::WEB_REDIRECT).await
    }

    pub async fn mobile(srv: &TestServer) -> Rp {
        Rp::new(srv, "mobile", None, super::MOBILE_REDIRECT).await
    }

    pub fn start(&self, scopes: &[&str]) -> Pending {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self.client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for scope in scopes {
            request = request.add_scope(Scope::new(scope.to_string()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Pending { url: url.to_string(), state, nonce, verifier }
    }

    /// Checks the authorization response at the redirect URI and returns the code.
    pub fn code_from(&self, pending: &Pending, redirect: &str, issuer: &str) -> String {
        let params = super::query(redirect);
        assert_eq!(params.get("state"), Some(pending.state.secret()), "state comes back unchanged");
        assert_eq!(params.get("iss").map(String::as_str), Some(issuer), "RFC 9207 iss parameter");
        params.get("code").unwrap_or_else(|| panic!("no code in {redirect}")).clone()
    }

    pub async fn exchange(&self, code: &str, verifier: PkceCodeVerifier) -> Result<CoreTokenResponse, String> {
        self.client
            .exchange_code(AuthorizationCode::new(code.into()))
            .expect("token endpoint known")
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| format!("{e:?}"))
    }

    /// The whole code flow through `browser`, with the ID token verified.
    pub async fn sign_in(&self, srv: &TestServer, browser: &Browser, user: (&str, &str), scopes: &[&str]) -> Signed {
        let pending = self.start(scopes);
        let redirect = browser.sign_in(&pending.url, user).await;
        let code = self.code_from(&pending, &redirect, &srv.issuer);
        let tokens = self.exchange(&code, pending.verifier).await.expect("code exchange");
        let claims = self.verify_id_token(&tokens, &pending.nonce);
        Signed { tokens, claims, nonce: pending.nonce }
    }

    pub fn verify_id_token(&self, tokens: &CoreTokenResponse, nonce: &Nonce) -> CoreIdTokenClaims {
        let id_token = tokens.id_token().expect("an ID token");
        let verifier = self.client.id_token_verifier();
        let claims = id_token.claims(&verifier, nonce).expect("ID token verifies").clone();
        // at_hash binds the access token to the ID token (OIDC Core §3.1.3.6).
        let alg = id_token.signing_alg().expect("signing alg");
        let key = id_token.signing_key(&verifier).expect("signing key");
        let expected = openidconnect::AccessTokenHash::from_token(tokens.access_token(), alg, key).expect("at_hash computable");
        assert_eq!(claims.access_token_hash(), Some(&expected), "at_hash matches the access token");
        claims
    }

    pub async fn userinfo(&self, tokens: &CoreTokenResponse) -> Result<CoreUserInfoClaims, String> {
        self.client
            .user_info(tokens.access_token().clone(), None)
            .expect("userinfo endpoint known")
            .request_async(&self.http)
            .await
            .map_err(|e| format!("{e:?}"))
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<CoreTokenResponse, String> {
        let token = openidconnect::RefreshToken::new(refresh_token.into());
        self.client
            .exchange_refresh_token(&token)
            .expect("token endpoint known")
            .request_async(&self.http)
            .await
            .map_err(|e| format!("{e:?}"))
    }
}

pub fn refresh_token_of(tokens: &CoreTokenResponse) -> String {
    tokens.refresh_token().expect("a refresh token").secret().clone()
}

pub fn access_token_of(tokens: &CoreTokenResponse) -> String {
    tokens.access_token().secret().clone()
}
