//! The "My Account" example (`examples/account_portal`) against a real oneid: sign-in
//! through oneid, the overview, linking an agreement only after a sign-in confirmed on
//! the device (an emailed code), and RP-initiated logout.

use std::sync::Arc;

use reqwest::header::LOCATION;

use crate::common::browser::form_fields;
use crate::common::{ALICE, Backend, TestServer};

// The example's own modules, compiled into this test (paths relative to tests/it/).
#[path = "../../examples/account_portal/agreements.rs"]
mod agreements;
#[path = "../../examples/account_portal/app.rs"]
mod app;
#[path = "../../examples/account_portal/vin.rs"]
mod vin;

const SECRET: &str = "portal-secret-0123456789abcdefghijklmnopqrstu";

/// A browser for both servers: keeps cookies and follows redirects between them.
struct Visitor {
    http: reqwest::Client,
}

impl Visitor {
    fn new() -> Visitor {
        let http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Visitor { http }
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
        let mut form = form_fields(body, action);
        form.retain(|(k, _)| !fields.iter().any(|(name, _)| name == k));
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let target = reqwest::Url::parse(url).unwrap().join(action).unwrap();
        let response = self.http.post(target).form(&form).send().await.unwrap();
        self.go(response).await
    }
}

#[tokio::test]
async fn my_account_signs_in_links_an_agreement_after_the_device_check_and_signs_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let portal_base = base.clone();
    let srv = TestServer::start_with(Backend::Sqlite, move |config| {
        let mut portal = crate::common::client("portal", Some(SECRET), None, &format!("{portal_base}/callback"));
        portal.post_logout_redirect_uris = vec![format!("{portal_base}/")];
        portal.skip_consent = true;
        config.clients.push(portal);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("portal.db").display());
    let portal = app::Portal::new(&srv.issuer, "portal", SECRET, &base, &database).await.expect("the portal discovers oneid and opens its database");
    let router = app::router(Arc::new(portal));
    tokio::spawn(async move { axum::serve(listener, router).await });

    // Sign in through oneid; the overview shows who signed in.
    let visitor = Visitor::new();
    let (url, _, body) = visitor.get(&format!("{base}/login")).await;
    assert!(url.contains("/login?request="), "{url}");
    let (url, status, body) = visitor.submit(&url, &body, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    assert_eq!((url.as_str(), status), (format!("{base}/").as_str(), 200), "{body}");
    assert!(body.contains("Alice Example · alice@example.com"), "{body}");

    // Linking first asks oneid for a sign-in on a linked device: a code by email.
    let (url, _, body) = visitor.get(&format!("{base}/link")).await;
    assert!(url.contains("/login?request="), "a fresh sign-in: {url}");
    let (url, _, body) = visitor.submit(&url, &body, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    assert!(url.ends_with("/login/device"), "{url}");
    let (url, _, body) = visitor.submit(&url, &body, "/login/device", &[("action", "send"), ("channel", "email")]).await;
    let mail = srv.mail.wait_for_subject(ALICE.0, "security code").await;
    let code = mail.text().split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_string();
    let (url, status, body) = visitor.submit(&url, &body, "/login/device", &[("action", "verify"), ("channel", "email"), ("code", &code)]).await;
    assert_eq!((url.as_str(), status), (format!("{base}/link").as_str(), 200), "{body}");

    // Wrong details are refused without saying which; the right ones link the agreement.
    let (_, status, refused) = visitor.submit(&url, &body, "/link", &[("given_name", "Alice"), ("family_name", "Example"), ("birth_date", "1990-04-01"), ("vin", "WMW11DJ0102T12345"), ("last_payment", "389.00")]).await;
    assert_eq!(status, 422);
    assert!(refused.contains("No agreement matches these details."), "{refused}");
    let (_, status, refused) = visitor.submit(&url, &body, "/link", &[("vin", "WMW11DJ0102T1234O"), ("last_payment", "1")]).await;
    assert_eq!(status, 422);
    assert!(refused.contains("never contains I, O or Q"), "{refused}");
    let (url, status, overview) = visitor.submit(&url, &body, "/link", &[("given_name", "Alice"), ("family_name", "Example"), ("birth_date", "1990-04-01"), ("vin", "wmw11dj0102t12345"), ("last_payment", "389,5")]).await;
    assert_eq!((url.as_str(), status), (format!("{base}/").as_str(), 200));
    assert!(overview.contains("FA-1001 · MINI Cooper SE") && overview.contains("389.50 EUR"), "{overview}");

    // Sign-out goes on to oneid's end-session endpoint with the ID token as hint.
    let response = visitor.http.post(format!("{base}/logout")).send().await.unwrap();
    let location = response.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with(&srv.url("/logout?")) && location.contains("id_token_hint=") && location.contains("post_logout_redirect_uri="), "{location}");
    let (_, _, after) = visitor.get(&format!("{base}/")).await;
    assert!(after.contains("Sign in"), "the portal's session is over: {after}");
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
