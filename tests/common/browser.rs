//! A browser stand-in: keeps cookies, follows our redirects, stops when a redirect
//! leaves for a client, and fills in our forms (login, consent, logout).

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::Jar;

use super::TestServer;

pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    issuer: String,
}

/// Where a navigation ended.
#[derive(Debug)]
pub enum Landing {
    /// One of our pages.
    Page { url: String, status: StatusCode, headers: reqwest::header::HeaderMap, body: String },
    /// A redirect away from us (to a client).
    Left(String),
}

impl Landing {
    pub fn body(&self) -> &str {
        match self {
            Landing::Page { body, .. } => body,
            Landing::Left(url) => panic!("expected a page, got a redirect to {url}"),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Landing::Page { status, .. } => *status,
            Landing::Left(url) => panic!("expected a page, got a redirect to {url}"),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Landing::Page { url, .. } => url,
            Landing::Left(url) => url,
        }
    }

    /// The client redirect this navigation ended with.
    pub fn left(&self) -> &str {
        match self {
            Landing::Left(url) => url,
            Landing::Page { url, status, body, .. } => panic!("expected a redirect to the client, got page {url} ({status}):\n{body}"),
        }
    }

    pub fn is_login_page(&self) -> bool {
        matches!(self, Landing::Page { body, .. } if body.contains("name=\"password\""))
    }

    pub fn is_consent_page(&self) -> bool {
        matches!(self, Landing::Page { body, .. } if body.contains("name=\"decision\""))
    }
}

/// The value of the hidden input `name` in an HTML page.
pub fn hidden(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(html_unescape(&body[start..end]))
}

/// The hidden fields of the form whose action ends with `action`, as a browser
/// would send them.
pub fn form_fields(body: &str, action: &str) -> Vec<(String, String)> {
    let form = body
        .split("<form")
        .skip(1)
        .find(|f| f.split('>').next().is_some_and(|tag| html_unescape(tag).contains(&format!("{action}\""))))
        .unwrap_or_else(|| panic!("no form to {action} in:\n{body}"));
    let form = form.split("</form>").next().unwrap_or_default();
    form.split("<input")
        .skip(1)
        .filter(|input| input.contains("type=\"hidden\""))
        .filter_map(|input| {
            let attr = |name: &str| {
                let marker = format!("{name}=\"");
                let start = input.find(&marker)? + marker.len();
                Some(html_unescape(&input[start..start + input[start..].find('"')?]))
            };
            Some((attr("name")?, attr("value").unwrap_or_default()))
        })
        .collect()
}

pub fn html_unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&#x27;", "'").replace("&#x2f;", "/").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

impl Browser {
    pub fn new(srv: &TestServer) -> Browser {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .expect("browser client");
        Browser { client, jar, issuer: srv.issuer.clone() }
    }

    /// Paths are relative to the issuer, as in `open("/login")`.
    fn absolute(&self, location: &str) -> String {
        if location.starts_with('/') { format!("{}{location}", self.issuer) } else { location.to_string() }
    }

    /// Follows redirects while they stay on our server.
    async fn follow(&self, mut response: reqwest::Response) -> Landing {
        loop {
            let url = response.url().to_string();
            if response.status().is_redirection() {
                let location = response.headers().get("location").expect("redirect has a Location").to_str().expect("ASCII Location");
                let next = response.url().join(location).expect("valid Location").to_string();
                if !next.starts_with(&self.issuer) {
                    return Landing::Left(next);
                }
                response = self.client.get(&next).send().await.expect("GET");
                continue;
            }
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.text().await.expect("body");
            return Landing::Page { url, status, headers, body };
        }
    }

    pub async fn open(&self, url: &str) -> Landing {
        let response = self.client.get(self.absolute(url)).send().await.expect("GET");
        self.follow(response).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Landing {
        let response = self.client.post(self.absolute(path)).form(form).send().await.expect("POST");
        self.follow(response).await
    }

    /// Posts a file form (`multipart/form-data`) to `path`: text `fields` and one file.
    pub async fn upload(&self, path: &str, fields: &[(&str, &str)], (name, bytes, mime): (&str, Vec<u8>, &str)) -> Landing {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let part = reqwest::multipart::Part::bytes(bytes).file_name("upload").mime_str(mime).expect("mime type");
        form = form.part(name.to_string(), part);
        let response = self.client.post(self.absolute(path)).multipart(form).send().await.expect("POST");
        self.follow(response).await
    }

    /// Submits the form to `action` shown on `page`: its hidden fields, a solved
    /// proof of work when it asks for one, and `fields`.
    pub async fn submit(&self, page: &Landing, action: &str, fields: &[(&str, &str)]) -> Landing {
        let mut form = form_fields(page.body(), action);
        if let Some((_, challenge)) = form.iter().find(|(k, _)| k == "pow_challenge").cloned() {
            let nonce = oneid::auth::pow::solve(&challenge);
            form.retain(|(k, _)| k != "pow_nonce");
            form.push(("pow_nonce".into(), nonce));
        }
        for (name, value) in fields {
            form.retain(|(k, _)| k != name);
            form.push((name.to_string(), value.to_string()));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(action, &form).await
    }

    /// Submits the login form shown on `page`.
    pub async fn submit_login(&self, page: &Landing, email: &str, password: &str) -> Landing {
        let body = page.body();
        let csrf = hidden(body, "csrf").unwrap_or_else(|| panic!("login form has a CSRF token: {body}"));
        let mut form = vec![("csrf", csrf), ("email", email.to_string()), ("password", password.to_string())];
        if let Some(request) = hidden(body, "request") {
            form.push(("request", request));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post("/login", &form).await
    }

    /// Answers the consent form shown on `page`.
    pub async fn submit_consent(&self, page: &Landing, allow: bool) -> Landing {
        let body = page.body();
        let csrf = hidden(body, "csrf").expect("consent form has a CSRF token");
        let request = hidden(body, "request").expect("consent form names the request");
        let decision = if allow { "allow" } else { "deny" };
        self.post("/consent", &[("csrf", &csrf), ("request", &request), ("decision", decision)]).await
    }

    /// Goes through login (and consent, allowing) until the flow returns to the client;
    /// returns the client redirect URL.
    pub async fn sign_in(&self, authorize_url: &str, (email, password): (&str, &str)) -> String {
        let mut landing = self.open(authorize_url).await;
        for _ in 0..4 {
            landing = if landing.is_login_page() {
                self.submit_login(&landing, email, password).await
            } else if landing.is_consent_page() {
                self.submit_consent(&landing, true).await
            } else {
                break;
            };
        }
        landing.left().to_string()
    }
}
