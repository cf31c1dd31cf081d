//! The "My Account" story end to end, as a person meets it: oneid, the portal
//! (`examples/account_portal`), the message center (`examples/message_center`) and an
//! SMTP sink. Registration from the portal's sign-in, activation by email, the
//! overview, linking an agreement only after a sign-in confirmed on the device (an
//! emailed code), a message with an attachment, the service team's reply and its
//! email, back-channel and RP-initiated logout.

use std::sync::Arc;

use reqwest::header::LOCATION;

use crate::common::browser::form_fields;
use crate::common::{ALICE, Backend, TestServer, wait_until};

// The example's own modules, compiled into this test (paths relative to tests/it/).
#[path = "../../examples/account_portal/agreements.rs"]
mod agreements;
#[path = "../../examples/account_portal/app.rs"]
mod app;
#[path = "../../examples/account_portal/backchannel.rs"]
mod backchannel;
#[path = "../../examples/account_portal/messages.rs"]
mod messages;
#[path = "../../examples/account_portal/vin.rs"]
mod vin;

use super::message_center::{self as center, reply};

const SECRET: &str = "portal-secret-0123456789abcdefghijklmnopqrstu";

/// A browser for both servers: keeps cookies and follows redirects between them.
struct Visitor {
    http: reqwest::Client,
    cookies: Arc<reqwest::cookie::Jar>,
}

impl Visitor {
    fn new() -> Visitor {
        let cookies = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder().cookie_provider(cookies.clone()).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Visitor { http, cookies }
    }

    /// The cookies the visitor would send to `url`.
    fn cookies_for(&self, url: &str) -> String {
        use reqwest::cookie::CookieStore;
        self.cookies.cookies(&url.parse().unwrap()).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }

    /// Follows redirects to the end; returns the final URL, status and body.
    async fn go(&self, mut response: reqwest::Response) -> (String, u16, String) {
        loop {
            if response.status().is_redirection() {
                let next = response.url().join(response.headers()[LOCATION].to_str().unwrap()).unwrap();
                response = self.http.get(next).send().await.unwrap();
                continue;
            }
            let url = response.url().to_string();
            let status = response.status().as_u16();
            return (url, status, response.text().await.unwrap());
        }
    }

    async fn get(&self, url: &str) -> (String, u16, String) {
        let response = self.http.get(url).send().await.unwrap();
        self.go(response).await
    }

    /// Submits the form to `action` on `body` (at `url`) with its hidden fields and `fields`.
    async fn submit(&self, url: &str, body: &str, action: &str, fields: &[(&str, &str)]) -> (String, u16, String) {
        let target = reqwest::Url::parse(url).unwrap().join(action).unwrap();
        let response = self.http.post(target).form(&filled(body, action, fields)).send().await.unwrap();
        self.go(response).await
    }

    /// Submits a file-upload form the same way, with `file` (name, type, bytes) attached.
    async fn upload(&self, url: &str, body: &str, action: &str, fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> (String, u16, String) {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in filled(body, action, fields) {
            form = form.text(name, value);
        }
        let (name, content_type, bytes) = file;
        form = form.part("attachment", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()).mime_str(content_type).unwrap());
        let target = reqwest::Url::parse(url).unwrap().join(action).unwrap();
        let response = self.http.post(target).multipart(form).send().await.unwrap();
        self.go(response).await
    }
}

/// The hidden fields of the form to `action` in `body`, with `fields` set and its proof
/// of work (oneid's public forms) solved.
fn filled(body: &str, action: &str, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = form_fields(body, action);
    if let Some((_, challenge)) = form.iter().find(|(k, _)| k == "pow_challenge").cloned() {
        form.retain(|(k, _)| k != "pow_nonce");
        form.push(("pow_nonce".into(), oneid::auth::pow::solve(&challenge)));
    }
    form.retain(|(k, _)| !fields.iter().any(|(name, _)| name == k));
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form
}

/// The first `href` in `body` that starts with `prefix`.
fn link(body: &str, prefix: &str) -> String {
    let start = body.find(&format!("href=\"{prefix}")).unwrap_or_else(|| panic!("no link to {prefix} in {body}")) + 6;
    crate::common::browser::html_unescape(&body[start..start + body[start..].find('"').unwrap()])
}

const CAROL: (&str, &str) = ("carol.nguyen@example.com", "tramways sing under violet bridges");

#[tokio::test]
async fn my_account_from_registration_to_the_service_teams_reply() {
    let portal_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", portal_listener.local_addr().unwrap().port());
    let center_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let audience = format!("http://localhost:{}", center_listener.local_addr().unwrap().port());
    let (portal_base, uri) = (base.clone(), audience.clone());
    let srv = TestServer::start_with(Backend::Sqlite, move |config| {
        let mut portal = crate::common::client("portal", Some(SECRET), None, &format!("{portal_base}/callback"));
        portal.post_logout_redirect_uris = vec![format!("{portal_base}/")];
        portal.backchannel_logout_uri = Some(format!("{portal_base}/backchannel-logout"));
        portal.scopes = Some(["openid", "profile", "email", "messages:read", "messages:write"].map(String::from).to_vec());
        portal.skip_consent = true;
        config.clients.push(portal);
        config.resources = vec![center::resource(&uri)];
    })
    .await;
    let (center_url, center_state) = center::start(&srv, &audience, center_listener).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("portal.db").display());
    let settings = app::Settings { issuer: &srv.issuer, client_id: "portal", secret: SECRET, base: &base, database: &database, messages: &audience };
    let portal = app::Portal::new(settings).await.expect("the portal discovers oneid and opens its database");
    let router = app::router(Arc::new(portal));
    tokio::spawn(async move { axum::serve(portal_listener, router).await });

    // Carol registers from the portal's sign-in, activates by email, and lands at the portal.
    let visitor = Visitor::new();
    let (url, _, login) = visitor.get(&format!("{base}/login")).await;
    // The sign-in page is /authorize's answer itself, no redirect further.
    assert!(url.starts_with(&srv.url("/authorize?")) && login.contains("name=\"password\""), "{url}: {login}");
    let (url, _, form) = visitor.get(&srv.url(&link(&login, "/register"))).await;
    let details = [
        ("email", CAROL.0), ("password", CAROL.1), ("salutation", "ms"), ("given_name", "Carol"), ("family_name", "Nguyen"), ("country", "DE"), ("locale", "en"),
        ("terms", "accepted"),
    ];
    let (_, status, sent) = visitor.submit(&url, &form, "/register", &details).await;
    assert!(status == 200 && sent.contains("carol.nguyen@example.com") , "{sent}");
    let activation = srv.mail.wait_for(CAROL.0, 1).await.link(&format!("{}/register/activate?token=", srv.issuer));
    let (url, _, confirm) = visitor.get(&activation).await;
    let (url, status, overview) = visitor.submit(&url, &confirm, "/register/activate", &[]).await;
    assert_eq!((url.as_str(), status), (format!("{base}/").as_str(), 200), "{overview}");
    assert!(overview.contains("Carol Nguyen · carol.nguyen@example.com"), "name and address from UserInfo: {overview}");

    // Linking first asks oneid for a sign-in on a linked device: a code by email.
    let (url, _, body) = visitor.get(&format!("{base}/link")).await;
    assert!(body.contains("name=\"password\""), "a fresh sign-in: {url}");
    let (url, _, body) = visitor.submit(&url, &body, "/login", &[("email", CAROL.0), ("password", CAROL.1)]).await;
    assert!(url.ends_with("/login/device"), "{url}");
    let (url, _, body) = visitor.submit(&url, &body, "/login/device", &[("action", "send"), ("channel", "email")]).await;
    let mail = srv.mail.wait_for_subject(CAROL.0, "security code").await;
    let code = mail.text().split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_string();
    let (url, status, body) = visitor.submit(&url, &body, "/login/device", &[("action", "verify"), ("channel", "email"), ("code", &code)]).await;
    assert_eq!((url.as_str(), status), (format!("{base}/link").as_str(), 200), "{body}");

    // Wrong details are refused without saying which; a forged form is refused; the
    // customer ID links the agreement.
    let (_, status, refused) = visitor.submit(&url, &body, "/link", &[("given_name", "Carol"), ("family_name", "Nguyen"), ("birth_date", "1990-04-01"), ("vin", "WMW11DJ0102T12345"), ("last_payment", "389.50")]).await;
    assert_eq!(status, 422);
    assert!(refused.contains("No agreement matches these details."), "{refused}");
    let (_, status, refused) = visitor.submit(&url, &body, "/link", &[("vin", "WMW11DJ0102T1234O"), ("last_payment", "1")]).await;
    assert_eq!(status, 422);
    assert!(refused.contains("never contains I, O or Q"), "{refused}");
    let (_, status, _) = visitor.submit(&url, &body, "/link", &[("csrf", "forged"), ("customer_id", "C-112233")]).await;
    assert_eq!(status, 403, "a form without the session's CSRF token");
    let (url, status, overview) = visitor.submit(&url, &body, "/link", &[("customer_id", "C-112233")]).await;
    assert_eq!((url.as_str(), status), (format!("{base}/").as_str(), 200));
    assert!(overview.contains("FA-1002 · BMW i4 eDrive40") && overview.contains("612.00 EUR"), "{overview}");

    // A message about the agreement, with a PDF attached, through the portal's pages.
    let (url, status, inbox) = visitor.get(&format!("{base}/messages")).await;
    assert_eq!(status, 200, "{inbox}");
    assert!(inbox.contains("No messages yet.") && inbox.contains("<option value=\"FA-1002\" selected>"), "{inbox}");
    let pdf = b"%PDF-1.4\n% the statement\n";
    let fields = [("topic", "payment"), ("account", "FA-1002"), ("text", "Can I move my payment date to the 20th?")];
    let (_, status, wrong) = visitor.upload(&url, &inbox, "/messages", &fields, ("statement.pdf", "application/x-msdownload", b"MZ\x90\x00")).await;
    assert_eq!(status, 422);
    assert!(wrong.contains("attachment: only PDF, PNG or JPEG files"), "{wrong}");
    assert!(wrong.contains(">Can I move my payment date to the 20th?</textarea>") && wrong.contains("<option value=\"payment\" selected>"), "what was typed stays: {wrong}");
    let (_, status, _) = visitor.upload(&url, &inbox, "/messages", &[("account", "FA-1001"), ("text", "not mine")], ("a.pdf", "application/pdf", pdf)).await;
    assert_eq!(status, 422, "only one's own agreements");
    let (thread_url, status, thread) = visitor.upload(&url, &inbox, "/messages", &fields, ("statement.pdf", "application/pdf", pdf)).await;
    assert_eq!(status, 200, "{thread}");
    assert!(thread.contains("Can I move my payment date to the 20th?") && thread.contains("statement.pdf"), "{thread}");
    let id = thread_url.rsplit('/').next().unwrap().parse::<u64>().unwrap();
    let (_, _, file) = visitor.get(&format!("{base}{}", link(&thread, &format!("/messages/{id}/attachments/")))).await;
    assert_eq!(file.as_bytes(), pdf);

    // The service team answers (the `reply` command); Carol gets an email with the link.
    let mail = oneid::config::MailConfig { smtp_url: Some(srv.mail.url()), ..Default::default() };
    let notifier = reply::Notifier::new(&mail, "Service team <service@example.com>", &base).unwrap();
    let waiting = center_state.store.awaiting_reply().await.unwrap();
    assert_eq!((waiting.len(), waiting[0].email.as_deref()), (1, Some(CAROL.0)), "the thread awaits a reply, to her address from her token");
    let missing = reply::reply(&center_state.store, &notifier, 999, "hello", 0).await;
    assert_eq!(missing.err().as_deref(), Some("there is no thread 999"));
    reply::reply(&center_state.store, &notifier, id, "Yes: from January your payments are due on the 20th.", center::token::system_now()).await.expect("the reply is saved and sent");
    let notice = srv.mail.wait_for_subject(CAROL.0, "reply from the service team").await;
    assert!(notice.text().contains(&thread_url) && !notice.text().contains("20th"), "a link, not the message: {}", notice.text());
    let (_, _, answered) = visitor.get(&thread_url).await;
    assert!(answered.contains("Service team") && answered.contains("from January your payments are due on the 20th."), "{answered}");

    // Oneid's own sign-out reaches the portal by the back channel.
    let (url, _, home) = visitor.get(&srv.url("/")).await;
    visitor.submit(&url, &home, "/logout", &[]).await;
    wait_until("the portal hears of the sign-out", || async { visitor.get(&format!("{base}/")).await.2.contains("Sign in") }).await;
    // The email's link asks her to sign in, then shows the thread.
    let (url, _, login) = visitor.get(&thread_url).await;
    assert!(login.contains("name=\"password\""), "{url}");
    let (url, status, again) = visitor.submit(&url, &login, "/login", &[("email", CAROL.0), ("password", CAROL.1)]).await;
    assert_eq!((url.as_str(), status), (thread_url.as_str(), 200), "{again}");

    center::refuses_foreign_tokens(&srv, &center_url, &audience).await;
}

#[tokio::test]
async fn the_portal_signs_out_through_oneid() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let portal_base = base.clone();
    let srv = TestServer::start_with(Backend::Sqlite, move |config| {
        let mut portal = crate::common::client("portal", Some(SECRET), None, &format!("{portal_base}/callback"));
        portal.post_logout_redirect_uris = vec![format!("{portal_base}/")];
        portal.scopes = Some(["openid", "profile", "email", "messages:read", "messages:write"].map(String::from).to_vec());
        portal.skip_consent = true;
        config.clients.push(portal);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("portal.db").display());
    let settings = app::Settings { issuer: &srv.issuer, client_id: "portal", secret: SECRET, base: &base, database: &database, messages: "http://127.0.0.1:9" };
    let router = app::router(Arc::new(app::Portal::new(settings).await.unwrap()));
    tokio::spawn(async move { axum::serve(listener, router).await });

    let visitor = Visitor::new();
    // Cancelled at oneid: the portal says so and offers to sign in.
    let (url, _, body) = visitor.get(&format!("{base}/login")).await;
    let (_, status, cancelled) = visitor.submit(&url, &body, "/authorize/cancel", &[]).await;
    assert!(status == 200 && cancelled.contains("You cancelled the sign-in.") && cancelled.contains("href=\"/login\""), "{cancelled}");
    // A session id the portal did not make is not used; signing in changes the one it made.
    visitor.cookies.add_cookie_str("portal_session=chosen-by-an-attacker", &base.parse().unwrap());
    let (url, _, body) = visitor.get(&format!("{base}/login")).await;
    let before = visitor.cookies_for(&base);
    assert!(!before.contains("chosen-by-an-attacker"), "{before}");
    let (_, _, overview) = visitor.submit(&url, &body, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    assert!(overview.contains("Alice Example · alice@example.com"), "{overview}");
    assert_ne!(visitor.cookies_for(&base), before, "a new session id once signed in");
    let headers = visitor.http.get(format!("{base}/")).send().await.unwrap().headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains(&format!("form-action 'self' {}", srv.issuer)) && headers["x-frame-options"] == "DENY", "{csp}");
    // Without its CSRF token the sign-out form does nothing.
    assert_eq!(visitor.http.post(format!("{base}/logout")).form(&[("csrf", "")]).send().await.unwrap().status(), 403);
    // Sign-out goes on to oneid's end-session endpoint with the ID token as hint.
    let form = filled(&overview, "/logout", &[]);
    let response = visitor.http.post(format!("{base}/logout")).form(&form).send().await.unwrap();
    let location = response.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with(&srv.url("/logout?")) && location.contains("id_token_hint=") && location.contains("post_logout_redirect_uri="), "{location}");
    let (back, _, after) = visitor.get(&location).await;
    assert_eq!(back, format!("{base}/"));
    assert!(after.contains("Sign in"), "the portal's session is over: {after}");
    // And oneid's: a new sign-in asks for the password again.
    let (url, _, page) = visitor.get(&format!("{base}/login")).await;
    assert!(page.contains("name=\"password\""), "{url}");
}

#[tokio::test]
async fn an_agreement_is_linked_to_one_account_only() {
    let store = agreements::Store::open("sqlite::memory:").await.unwrap();
    assert!(store.link("carol", "FA-1002").await.unwrap());
    assert!(store.link("carol", "FA-1002").await.unwrap(), "linking again is fine");
    assert!(!store.link("mallory", "FA-1002").await.unwrap(), "another account is refused");
    assert!(store.linked("mallory").await.unwrap().is_empty());
}

#[test]
fn vins_are_checked_by_form_and_north_american_check_digit() {
    assert_eq!(vin::normalise("1m8gdm9axkp042788"), Ok("1M8GDM9AXKP042788".into()), "the textbook VIN, check digit X");
    assert_eq!(vin::normalise("11111111111111111"), Ok("11111111111111111".into()));
    assert_eq!(vin::normalise("WMW 12345 6789 01"), Err("a VIN has 17 characters"));
    assert_eq!(vin::normalise("WMW 12345 6789 01234"), Ok("WMW12345678901234".into()), "spaces are dropped");
    assert!(vin::normalise("WMWXP7C5XO2A12345").unwrap_err().contains("I, O or Q"));
    assert!(vin::normalise("1M8GDM9A1KP042788").unwrap_err().contains("check digit"));
    assert_eq!(vin::normalise("WMWXP7C5X02A12345"), Ok("WMWXP7C5X02A12345".into()), "European VINs: form only");
}
