//! A real browser for the tests: Debian's chromium, headless, driven by chromedriver
//! over the W3C WebDriver protocol (plain HTTP and JSON, so reqwest is all it takes).
//! Each browser gets a fresh profile and no network beyond localhost.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// W3C element reference key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Chrome {
    driver: Child,
    base: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

/// Whether the machine has the browser; `.ci/run` installs it. Without it the browser
/// tests fail, unless `ONEID_SKIP_BROWSER=1` says to leave them out on purpose.
pub fn available() -> bool {
    let present = std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists();
    if !present && std::env::var("ONEID_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser test skipped: ONEID_SKIP_BROWSER=1 and no {CHROMIUM}");
        return false;
    }
    assert!(present, "{CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver), or set ONEID_SKIP_BROWSER=1");
    true
}

impl Chrome {
    pub async fn start() -> Chrome {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-quic".into(),
            "--window-size=1000,1400".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        }}});
        let mut chrome = Chrome { driver, base, http, _profile: profile };
        let session = chrome.call("POST", "/session", Some(capabilities)).await;
        let id = session["sessionId"].as_str().expect("a WebDriver session").to_string();
        chrome.base = format!("{}/session/{id}", chrome.base);
        chrome
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url).json(&body.unwrap_or_else(|| json!({}))),
        };
        let response: Value = request.send().await.expect("webdriver answers").json().await.expect("webdriver JSON");
        if let Some(error) = response["value"]["error"].as_str() {
            panic!("webdriver {method} {path}: {error}: {}", response["value"]["message"]);
        }
        response.get("value").cloned().unwrap_or(Value::Null)
    }

    pub async fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url }))).await;
    }

    /// Forgets a cookie of the current site (signing out without the sign-out page).
    pub async fn delete_cookie(&self, name: &str) {
        self.call("DELETE", &format!("/cookie/{name}"), None).await;
    }

    pub async fn url(&self) -> String {
        self.call("GET", "/url", None).await.as_str().unwrap_or_default().to_string()
    }

    pub async fn source(&self) -> String {
        self.call("GET", "/source", None).await.as_str().unwrap_or_default().to_string()
    }

    async fn element(&self, css: &str) -> String {
        let found = self.call("POST", "/element", Some(json!({ "using": "css selector", "value": css }))).await;
        found[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {found}")).to_string()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call("POST", &format!("/element/{id}/clear"), None).await;
        self.call("POST", &format!("/element/{id}/value"), Some(json!({ "text": text }))).await;
    }

    /// Chooses the option with `value` in the `<select>` `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]")).await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.call("POST", &format!("/element/{id}/click"), None).await;
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub async fn eval(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({ "script": script, "args": [] }))).await
    }

    /// Adds a CTAP2 platform authenticator with resident keys and user verification
    /// (WebDriver's WebAuthn extension); returns its id.
    pub async fn add_virtual_authenticator(&self) -> String {
        let options = json!({
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": true, "hasUserVerification": true,
            "isUserConsenting": true, "isUserVerified": true,
        });
        self.call("POST", "/webauthn/authenticator", Some(options)).await.as_str().expect("authenticator id").to_string()
    }

    /// Whether the virtual authenticator's user verification (fingerprint, PIN) succeeds.
    pub async fn set_user_verified(&self, authenticator: &str, verified: bool) {
        self.call("POST", &format!("/webauthn/authenticator/{authenticator}/uv"), Some(json!({ "isUserVerified": verified }))).await;
    }

    pub async fn virtual_credentials(&self, authenticator: &str) -> Vec<Value> {
        self.call("GET", &format!("/webauthn/authenticator/{authenticator}/credentials"), None).await.as_array().cloned().unwrap_or_default()
    }

    /// Waits up to ten seconds until the page's URL satisfies `done`.
    pub async fn wait_for_url(&self, done: impl Fn(&str) -> bool) -> String {
        for _ in 0..200 {
            let url = self.url().await;
            if done(&url) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the browser stayed at {}:\n{}", self.url().await, self.source().await);
    }

    /// Waits up to ten seconds until the page's source satisfies `done`.
    pub async fn wait_for_source(&self, done: impl Fn(&str) -> bool) -> String {
        for _ in 0..200 {
            let source = self.source().await;
            if done(&source) {
                return source;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page at {} never became what was expected:\n{}", self.url().await, self.source().await);
    }

    /// Saves a PNG of the viewport under `target/screenshots/` (a test artifact).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.call("GET", "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default()).expect("PNG");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("screenshot written");
        path
    }
}

impl Drop for Chrome {
    /// Ends the session (which closes chromium) with a blocking request, since drop
    /// cannot wait for async work, then stops the driver.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Some((host, path)) = self.base.strip_prefix("http://").and_then(|rest| rest.split_once('/'))
            && let Ok(mut stream) = std::net::TcpStream::connect(host) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = write!(stream, "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = stream.read_to_end(&mut Vec::new());
            }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
