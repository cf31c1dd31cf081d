//! The test harness: a real oneid server on an ephemeral port, on a temporary SQLite
//! database or a fresh PostgreSQL database, a browser-like HTTP client with a cookie jar,
//! and relying parties built with the `openidconnect` crate.

#![allow(dead_code)]

pub mod browser;
pub mod jose;
pub mod openapi;
pub mod rp;
pub mod rp_server;
pub mod sms;
pub mod smtp;
pub mod totp;
pub mod webdriver;

use std::sync::Arc;

use base64::Engine;
use oneid::audit::RequestMeta;
use oneid::clock::TestClock;
use oneid::config::{ClientConfig, Config};
use oneid::state::AppState;
use sea_orm::{ConnectionTrait, Database};

pub use browser::Browser;

pub const ALICE: (&str, &str) = ("alice@example.com", "correct horse battery staple");
pub const BOB: (&str, &str) = ("bob@example.com", "another long passphrase");

pub const WEB_SECRET: &str = "web-client-secret-0123456789abcdefghijklmnop";
pub const POST_SECRET: &str = "post-client-secret-0123456789abcdefghijklmno";
pub const SERVICE_SECRET: &str = "service-client-secret-0123456789abcdefghijkl";
pub const WEB_REDIRECT: &str = "https://portal.example.com/callback";
pub const WEB_LOGOUT_REDIRECT: &str = "https://portal.example.com/signed-out";
pub const MOBILE_REDIRECT: &str = "com.example.app:/oauth/callback";

/// Which database a server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// SQLite always, PostgreSQL too when `ONEID_TEST_DATABASE_URL` names a database.
    pub fn available() -> Vec<Backend> {
        let mut backends = vec![Backend::Sqlite];
        if std::env::var("ONEID_TEST_DATABASE_URL").is_ok() {
            backends.push(Backend::Postgres);
        }
        backends
    }
}

pub struct TestServer {
    pub issuer: String,
    pub clock: Arc<TestClock>,
    pub state: AppState,
    pub backend: Backend,
    /// Receives every email the server sends.
    pub mail: smtp::SmtpSink,
    /// Receives every text message.
    pub sms: sms::SmsGateway,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    postgres_db: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// A client definition with the given credentials and one redirect URI; tests change
/// what they need and add it with `TestServer::start_with`.
pub fn client(id: &str, secret: Option<&str>, method: Option<&str>, redirect: &str) -> ClientConfig {
    ClientConfig {
        id: id.into(),
        name: Some(format!("{id} app")),
        secret: secret.map(str::to_string),
        token_endpoint_auth_method: method.map(str::to_string),
        redirect_uris: vec![redirect.into()],
        ..Default::default()
    }
}

/// The clients every test server knows.
pub fn test_clients() -> Vec<ClientConfig> {
    let mut web = client("web", Some(WEB_SECRET), None, WEB_REDIRECT);
    web.post_logout_redirect_uris = vec![WEB_LOGOUT_REDIRECT.into()];
    let mut web_rs = client("web-rs", Some(POST_SECRET), Some("client_secret_post"), "https://rs.example.com/callback");
    web_rs.id_token_signed_response_alg = Some("RS256".into());
    let mut mobile = client("mobile", None, None, MOBILE_REDIRECT);
    mobile.redirect_uris.push("http://127.0.0.1/callback".into());
    let mut first_party = client("first-party", Some(WEB_SECRET), None, "https://first.example.com/callback");
    first_party.skip_consent = true;
    let mut service = client("service", Some(SERVICE_SECRET), None, "https://unused.example.com/cb");
    service.redirect_uris = vec![];
    service.grant_types = Some(vec!["client_credentials".into()]);
    service.scopes = Some(vec!["messages:read".into(), "messages:write".into()]);
    let mut mini = client("mini-portal", Some(WEB_SECRET), None, "https://mini.example.com/callback");
    mini.brand = Some("mini".into());
    let mut bmw = client("bmw-portal", Some(WEB_SECRET), None, "https://bmw.example.com/callback");
    bmw.brand = Some("bmw".into());
    // The car's screen: a public client on the device authorization grant.
    let mut car = client("car", None, None, "https://unused.example.com/cb");
    car.redirect_uris = vec![];
    car.grant_types = Some(vec!["urn:ietf:params:oauth:grant-type:device_code".into(), "refresh_token".into()]);
    car.brand = Some("mini".into());
    vec![web, web_rs, mobile, first_party, service, mini, bmw, car]
}

impl TestServer {
    /// A server on every configured backend: SQLite always, PostgreSQL too when
    /// `ONEID_TEST_DATABASE_URL` is set.
    pub async fn each_backend() -> Vec<TestServer> {
        let mut servers = Vec::new();
        for backend in Backend::available() {
            servers.push(TestServer::start_on(backend).await);
        }
        servers
    }

    pub async fn start() -> TestServer {
        TestServer::start_on(Backend::Sqlite).await
    }

    pub async fn start_on(backend: Backend) -> TestServer {
        TestServer::start_with(backend, |_| {}).await
    }

    /// Starts a server after `adjust` has changed its configuration.
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("oneid=debug,warn").try_init();
        let dir = tempfile::tempdir().expect("temp dir");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut config = Config { issuer: format!("http://127.0.0.1:{port}"), bind: listener.local_addr().expect("addr"), ..Config::default() };
        let key: [u8; 32] = rand::random();
        config.keys.master_key = Some(base64::engine::general_purpose::STANDARD.encode(key));
        config.keys.master_key_file = dir.path().join("master.key");
        config.clients = test_clients();
        config.log.format = "text".into();
        let mail = smtp::SmtpSink::start().await;
        config.mail.smtp_url = Some(mail.url());
        config.mail.outbox_dir = dir.path().join("outbox");
        let sms = sms::SmsGateway::start().await;
        config.sms.gateway_url = Some(sms.url.clone());
        config.sms.gateway_authorization = Some(sms::GATEWAY_AUTHORIZATION.into());
        config.sms.outbox_dir = dir.path().join("sms-outbox");
        // A real puzzle, small enough for unoptimised test builds.
        config.accounts.pow_difficulty = 8;
        let postgres_db = match backend {
            Backend::Sqlite => {
                config.database.url = format!("sqlite://{}", dir.path().join("oneid.db").display());
                None
            }
            Backend::Postgres => {
                let (url, name, admin) = fresh_postgres_database().await;
                config.database.url = url;
                Some((name, admin))
            }
        };
        adjust(&mut config);
        config.validate().expect("test configuration is valid");
        let clock = Arc::new(TestClock::new());
        let state = oneid::build(config, clock.clone()).await.expect("server starts");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(oneid::serve(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        let issuer = state.ctx().config.issuer().to_string();
        let server = TestServer { issuer, clock, state, backend, mail, sms, shutdown: Some(tx), postgres_db, _dir: dir };
        server.add_user(ALICE.0, ALICE.1).await;
        server.add_user(BOB.0, BOB.1).await;
        // The set-up's audit events are stored before the test acts, as another process
        // (the CLI) would find them.
        server.state.ctx().store.flush_audit().await;
        eprintln!("test server on {:?} at {}", backend, server.issuer);
        server
    }

    /// A second instance behind the same issuer, on the same database and master key
    /// (as behind a load balancer), with its own port and clock.
    pub async fn another_instance(&self) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let mut config = self.state.ctx().config.clone();
        config.bind = listener.local_addr().expect("addr");
        let clock = Arc::new(TestClock::new());
        clock.advance(self.clock_now() - { use oneid::clock::Clock; clock.now() });
        let state = oneid::build(config, clock.clone()).await.expect("second instance starts");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(oneid::serve(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        let port = state.ctx().config.bind.port();
        eprintln!("second instance on port {port} for {}", self.issuer);
        TestServer {
            issuer: format!("http://127.0.0.1:{port}"),
            clock,
            state,
            backend: self.backend,
            mail: self.mail.clone(),
            sms: self.sms.clone(),
            shutdown: Some(tx),
            postgres_db: None,
            _dir: dir,
        }
    }

    pub fn clock_now(&self) -> i64 {
        use oneid::clock::Clock;
        self.clock.now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    pub async fn add_user(&self, email: &str, password: &str) -> oneid::store::User {
        let new = oneid::admin::users::NewUser {
            email: email.into(),
            password: password.into(),
            given_name: Some("Alice".into()).filter(|_| email.starts_with("alice")),
            family_name: Some("Example".into()),
            locale: Some("en".into()),
        };
        oneid::admin::users::create(self.state.ctx(), new, &oneid::admin::Actor::Cli, &RequestMeta::cli()).await.expect("user created")
    }

    /// The id (`sub`) of the account with this email.
    pub async fn user_id(&self, email: &str) -> String {
        self.state.ctx().store.user_by_email(email).await.expect("store").expect("account exists").id
    }

    pub fn browser(&self) -> Browser {
        Browser::new(self)
    }

    /// A plain HTTP client that never follows redirects.
    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("http client")
    }

    /// POSTs a form to one of our endpoints, with optional Basic credentials.
    pub async fn post_form(&self, path: &str, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.http().post(self.url(path)).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        request.send().await.expect("request sent")
    }

    /// Audit events, newest first, once everything queued is stored.
    pub async fn audit_events(&self) -> Vec<String> {
        let store = &self.state.ctx().store;
        store.flush_audit().await;
        store.recent_audit_events(1000).await.expect("audit events").into_iter().map(|e| e.event).collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some((name, admin_url)) = self.postgres_db.take() {
            // Best effort; a leftover database is dropped by the next CI run.
            let dropper = std::thread::spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                runtime.block_on(async move {
                    if let Ok(db) = Database::connect(&admin_url).await {
                        let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                    }
                });
            });
            let _ = dropper.join();
        }
    }
}

/// Creates an empty database next to the one `ONEID_TEST_DATABASE_URL` names.
async fn fresh_postgres_database() -> (String, String, String) {
    let admin_url = std::env::var("ONEID_TEST_DATABASE_URL").expect("ONEID_TEST_DATABASE_URL");
    let name = format!("oneid_t_{}", uuid::Uuid::new_v4().simple());
    let db = Database::connect(&admin_url).await.expect("connect to ONEID_TEST_DATABASE_URL");
    db.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("ONEID_TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    (url.to_string(), name, admin_url)
}

/// Waits (up to ten seconds) until `check` holds: for what the server's background
/// work writes in its own time.
pub async fn wait_until<F: Future<Output = bool>>(what: &str, check: impl Fn() -> F) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("waited ten seconds for {what}");
}

/// The decoded payload of a JWT, without checking anything.
pub fn jwt_claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).expect("JWT payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

/// The decoded header of a JWT.
pub fn jwt_header(jwt: &str) -> serde_json::Value {
    let header = jwt.split('.').next().expect("JWT header");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).expect("base64url header");
    serde_json::from_slice(&bytes).expect("JSON header")
}

/// The query parameters of a URL.
pub fn query(url: &str) -> std::collections::HashMap<String, String> {
    let parsed = url::Url::parse(url).expect("absolute URL");
    parsed.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A PKCE pair (RFC 7636): verifier and S256 challenge.
pub fn pkce_pair() -> (String, String) {
    use sha2::Digest;
    let verifier = oneid::crypto::random_token();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// An authorization URL for `client_id` with PKCE, built by hand (for malformed
/// requests the RP library would refuse to make).
pub fn authorize_url(srv: &TestServer, params: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    format!("{}?{query}", srv.url("/authorize"))
}

/// Status and OAuth `error` code of an error response.
pub async fn oauth_error(response: reqwest::Response) -> (reqwest::StatusCode, String) {
    let status = response.status();
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    (status, body["error"].as_str().unwrap_or_else(|| panic!("no error code in {body}")).to_string())
}

/// Authorization request parameters with a fresh PKCE challenge for the web client.
pub fn web_request(challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", "web".into()),
        ("redirect_uri", WEB_REDIRECT.into()),
        ("scope", "openid email".into()),
        ("state", "xyz".into()),
        ("code_challenge", challenge.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

/// `web_request` with some parameters replaced (empty value: removed).
pub fn web_request_with(challenge: &str, changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut params = web_request(challenge);
    for (name, value) in changes {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, value.to_string()));
        }
    }
    params
}

pub fn url_with(srv: &TestServer, params: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    authorize_url(srv, &pairs)
}

/// Signs ALICE in with the web client through `browser` and returns (code, verifier).
pub async fn web_code(srv: &TestServer, browser: &Browser) -> (String, String) {
    let (verifier, challenge) = pkce_pair();
    let redirect = browser.sign_in(&url_with(srv, &web_request(&challenge)), ALICE).await;
    let params = query(&redirect);
    (params.get("code").unwrap_or_else(|| panic!("no code in {redirect}")).clone(), verifier)
}

/// Redeems a code for the web client with a raw token request.
pub async fn redeem(srv: &TestServer, code: &str, verifier: &str) -> reqwest::Response {
    srv.post_form(
        "/token",
        Some(("web", WEB_SECRET)),
        &[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", WEB_REDIRECT), ("code_verifier", verifier)],
    )
    .await
}

pub async fn introspect(srv: &TestServer, token: &str) -> serde_json::Value {
    let response = srv.post_form("/introspect", Some(("web", WEB_SECRET)), &[("token", token)]).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("introspection JSON")
}

/// Runs futures concurrently on this task (no extra dependency for join_all).
pub async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => outputs[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}
