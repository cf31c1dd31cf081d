//! Load generator for whole sign-ins: browsers that go through oneid's authorization
//! code flow as a person's browser does (the login page, its CSRF token, the password
//! POST, the redirects, PKCE, the code exchange). Written in Rust so that the driver
//! takes little of the CPU it shares with the server it measures.
//!
//!   signin tokens ISSUER CLIENT SECRET REDIRECT PASSWORD EMAIL N DIR
//!       signs EMAIL in once and writes DIR/access_token and DIR/refresh_tokens: N
//!       refresh tokens from N grants (the later ones silently, with prompt=none).
//!   signin latency ISSUER CLIENT SECRET REDIRECT PASSWORD USERS N
//!       N sign-ins one after another, each a random one of the USERS seeded accounts
//!       (user0000001@bench.example.com ...) in a new browser.
//!   signin load ISSUER CLIENT SECRET REDIRECT PASSWORD USERS BROWSERS SECONDS
//!       BROWSERS browsers signing in again and again for SECONDS, each as its own
//!       account on a browser it used before (a returning user).
//!
//! latency and load print one line: "sign-ins/s p50_ms p99_ms errors".

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response, StatusCode, Url};
use sha2::{Digest, Sha256};

/// Where a browser signs in, and as which client.
struct Site {
    http: Client,
    issuer: String,
    client_id: String,
    basic: String,
    redirect_uri: String,
    password: String,
}

/// One browser: its cookies (one host, so a name is enough).
#[derive(Default)]
struct Browser {
    cookies: BTreeMap<String, String>,
}

type Failure = String;

/// Where a sequence of redirects ended.
enum Landing {
    Page(Response),
    Client(Url),
}

impl Browser {
    async fn send(&mut self, request: reqwest::RequestBuilder) -> Result<Response, Failure> {
        let cookie = self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ");
        let request = if cookie.is_empty() { request } else { request.header(COOKIE, cookie) };
        let response = request.send().await.map_err(|e| e.to_string())?;
        for set in response.headers().get_all(SET_COOKIE) {
            let Some((name, rest)) = set.to_str().ok().and_then(|s| s.split_once('=')) else { continue };
            let value = rest.split(';').next().unwrap_or_default();
            let expired = rest.to_ascii_lowercase().contains("max-age=0");
            if value.is_empty() || expired {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        Ok(response)
    }

    /// Signs out of oneid, keeping the device cookie (a returning user).
    fn forget_session(&mut self) {
        self.cookies.remove("oneid_session");
    }

    /// A code and its PKCE verifier from /authorize: through the login form, or
    /// silently (prompt=none) on a signed-in browser.
    async fn code(&mut self, site: &Site, email: Option<&str>) -> Result<(String, String), Failure> {
        let verifier = oneid::crypto::random_token();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let mut params = vec![
            ("response_type", "code"), ("client_id", &site.client_id), ("redirect_uri", &site.redirect_uri), ("state", "s"),
            ("scope", "openid email offline_access"), ("code_challenge", &challenge), ("code_challenge_method", "S256"),
        ];
        if email.is_none() {
            params.push(("prompt", "none"));
        }
        let url = Url::parse_with_params(&format!("{}/authorize", site.issuer), &params).map_err(|e| e.to_string())?;
        let response = self.send(site.http.get(url)).await?;
        let landing = match (self.follow(site, response).await?, email) {
            (Landing::Page(page), Some(email)) => self.log_in(site, page, email).await?,
            (landing, _) => landing,
        };
        match landing {
            Landing::Client(url) => match url.query_pairs().find(|(name, _)| name == "code") {
                Some((_, code)) => Ok((code.into_owned(), verifier)),
                None => Err(format!("no code: {url}")),
            },
            Landing::Page(page) => Err(format!("{} instead of a code", page.status())),
        }
    }

    /// Fills in and sends the login form on `page`.
    async fn log_in(&mut self, site: &Site, page: Response, email: &str) -> Result<Landing, Failure> {
        let page = page.text().await.map_err(|e| e.to_string())?;
        let (Some(csrf), Some(request)) = (hidden(&page, "csrf"), hidden(&page, "request")) else {
            return Err("no login form".into());
        };
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("csrf", csrf.as_str()), ("request", request.as_str()), ("email", email), ("password", &site.password)])
            .finish();
        let post = site.http.post(format!("{}/login", site.issuer)).header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(form);
        let response = self.send(post).await?;
        self.follow(site, response).await
    }

    /// Follows redirects within the issuer, up to the page they end at or the
    /// redirect to the client, which ends the flow.
    async fn follow(&mut self, site: &Site, mut response: Response) -> Result<Landing, Failure> {
        for _ in 0..5 {
            let Some(location) = response.headers().get(LOCATION).filter(|_| response.status().is_redirection()) else {
                return Ok(Landing::Page(response));
            };
            let location = location.to_str().map_err(|e| e.to_string())?;
            let url = Url::parse(&site.issuer).and_then(|base| base.join(location)).map_err(|e| e.to_string())?;
            if url.as_str().starts_with(&site.redirect_uri) {
                return Ok(Landing::Client(url));
            }
            response = self.send(site.http.get(url)).await?;
        }
        Err("too many redirects".into())
    }

    async fn exchange(&mut self, site: &Site, (code, verifier): (String, String)) -> Result<serde_json::Value, Failure> {
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &site.redirect_uri), ("code_verifier", &verifier)])
            .finish();
        let request = site.http.post(format!("{}/token", site.issuer)).header(AUTHORIZATION, &site.basic).header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(form);
        let response = self.send(request).await?;
        if response.status() != StatusCode::OK {
            return Err(format!("token endpoint: {}", response.status()));
        }
        response.json().await.map_err(|e| e.to_string())
    }

    /// The whole flow; returns how long it took.
    async fn sign_in(&mut self, site: &Site, email: &str) -> Result<Duration, Failure> {
        let started = Instant::now();
        let code = self.code(site, Some(email)).await?;
        let tokens = self.exchange(site, code).await?;
        tokens.get("access_token").ok_or("no access token")?;
        Ok(started.elapsed())
    }
}

/// The value of the hidden form field `name`, unescaped.
fn hidden(page: &str, name: &str) -> Option<String> {
    let start = page.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    let value = &page[start..start + page[start..].find('"')?];
    Some(value.replace("&quot;", "\"").replace("&#x27;", "'").replace("&#x2f;", "/").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
}

fn email(i: usize) -> String {
    format!("user{i:07}@bench.example.com")
}

/// "sign-ins/s p50_ms p99_ms errors" for sign-ins that took `times` over `elapsed`.
fn summary(mut times: Vec<Duration>, elapsed: Duration, errors: usize) -> String {
    times.sort();
    let at = |p: f64| times.get(((times.len() as f64 * p) as usize).min(times.len().saturating_sub(1))).map_or(0.0, |t| t.as_secs_f64() * 1000.0);
    format!("{:.1} {:.1} {:.1} {errors}", times.len() as f64 / elapsed.as_secs_f64(), at(0.5), at(0.99))
}

async fn run(mode: &str, site: Site, rest: &[String]) -> Result<String, Failure> {
    let number = |i: usize| rest.get(i).and_then(|n| n.parse::<usize>().ok()).ok_or(format!("argument {} is not a number", i + 7));
    match mode {
        "tokens" => {
            let (email, count, dir) = (rest.first().ok_or("EMAIL")?, number(1)?, rest.get(2).ok_or("DIR")?);
            let mut browser = Browser::default();
            let code = browser.code(&site, Some(email)).await?;
            let first = browser.exchange(&site, code).await?;
            let mut refresh_tokens = vec![first["refresh_token"].as_str().ok_or("no refresh token")?.to_string()];
            while refresh_tokens.len() < count {
                let code = browser.code(&site, None).await?;
                refresh_tokens.push(browser.exchange(&site, code).await?["refresh_token"].as_str().ok_or("no refresh token")?.to_string());
            }
            std::fs::write(format!("{dir}/access_token"), first["access_token"].as_str().ok_or("no access token")?).map_err(|e| e.to_string())?;
            std::fs::write(format!("{dir}/refresh_tokens"), refresh_tokens.join("\n") + "\n").map_err(|e| e.to_string())?;
            Ok(String::new())
        }
        "latency" => {
            let (users, n) = (number(0)?, number(1)?);
            let (mut times, mut errors, started) = (Vec::new(), 0, Instant::now());
            for _ in 0..n {
                let account = email(rand::random_range(1..=users));
                match Browser::default().sign_in(&site, &account).await {
                    Ok(took) => times.push(took),
                    Err(e) => {
                        errors += 1;
                        eprintln!("error: {e}");
                    }
                }
            }
            Ok(summary(times, started.elapsed(), errors))
        }
        "load" => {
            let (users, browsers, seconds) = (number(0)?, number(1)?, number(2)?);
            let site = std::sync::Arc::new(site);
            let mut all = Vec::new();
            // Each browser signs in once first, so that it is a known browser.
            for i in 0..browsers {
                let mut browser = Browser::default();
                browser.sign_in(&site, &email(i % users + 1)).await?;
                all.push(browser);
            }
            let started = Instant::now();
            let deadline = started + Duration::from_secs(seconds as u64);
            let tasks: Vec<_> = all
                .into_iter()
                .enumerate()
                .map(|(i, mut browser)| {
                    let site = site.clone();
                    tokio::spawn(async move {
                        let (mut times, mut errors) = (Vec::new(), 0);
                        while Instant::now() < deadline {
                            browser.forget_session();
                            match browser.sign_in(&site, &email(i % users + 1)).await {
                                Ok(took) => times.push(took),
                                Err(e) => {
                                    errors += 1;
                                    eprintln!("error: {e}");
                                }
                            }
                        }
                        (times, errors)
                    })
                })
                .collect();
            let (mut times, mut errors) = (Vec::new(), 0);
            for task in tasks {
                let (t, e) = task.await.map_err(|e| e.to_string())?;
                times.extend(t);
                errors += e;
            }
            Ok(summary(times, started.elapsed(), errors))
        }
        other => Err(format!("unknown mode {other}")),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [mode, issuer, client_id, secret, redirect_uri, password, rest @ ..] = args.as_slice() else {
        eprintln!("usage: signin tokens|latency|load ISSUER CLIENT SECRET REDIRECT PASSWORD ...   (run by benches/load.sh)");
        std::process::exit(2);
    };
    let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("HTTP client");
    let site = Site {
        http,
        issuer: issuer.clone(),
        basic: format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}"))),
        client_id: client_id.clone(),
        redirect_uri: redirect_uri.clone(),
        password: password.clone(),
    };
    // One thread: the driver should take as little as it can of the machine it measures.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    match runtime.block_on(run(mode, site, rest)) {
        Ok(line) if line.is_empty() => {}
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("signin: {e}");
            std::process::exit(1);
        }
    }
}
