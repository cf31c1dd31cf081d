//! Accounts as people meet them: registration from a relying party's login page,
//! activation by email (received over real SMTP), forgotten passwords, the profile,
//! email changes, export and deletion.

use openidconnect::TokenResponse;

use crate::common::browser::{Browser, Landing};
use crate::common::rp::{Rp, access_token_of, refresh_token_of};
use crate::common::{ALICE, TestServer, introspect, jwt_claims};

const CAROL: &str = "carol.nguyen@example.com";
const CAROL_PASSWORD: &str = "tramways sing under violet bridges";

/// Fills in the registration form on `page` with good values, changed by `overrides`.
async fn register(browser: &Browser, page: &Landing, email: &str, overrides: &[(&str, &str)]) -> Landing {
    let mut fields = vec![
        ("email", email),
        ("password", CAROL_PASSWORD),
        ("salutation", "ms"),
        ("given_name", "Carol"),
        ("family_name", "Nguyen"),
        ("country", "FR"),
        ("locale", "en"),
        ("phone_number", "+33 6 12 34 56 78"),
        ("street_address", "1 rue de Rivoli"),
        ("postal_code", "75001"),
        ("locality", "Paris"),
        ("terms", "accepted"),
    ];
    for (name, value) in overrides {
        fields.retain(|(k, _)| k != name);
        fields.push((name, value));
    }
    browser.submit(page, "/register", &fields).await
}

/// A login on the plain login page, in a new browser.
async fn login_attempt(srv: &TestServer, email: &str, password: &str) -> Landing {
    let browser = srv.browser();
    let page = browser.open("/login").await;
    browser.submit_login(&page, email, password).await
}

/// The path and query of an absolute link of ours.
fn local(srv: &TestServer, link: &str) -> String {
    link.strip_prefix(&srv.issuer).unwrap_or_else(|| panic!("{link} is not ours")).to_string()
}

#[tokio::test]
async fn registration_from_a_client_activates_by_email_and_lands_back_at_the_client() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let pending = rp.start(&["profile", "email", "phone", "address"]);
        let login = browser.open(&pending.url).await;
        let form = browser.open(&login_link(login.body(), "/register")).await;
        assert!(form.body().contains("autocomplete=\"new-password\""));
        let sent = register(&browser, &form, "Carol.Nguyen@Example.com", &[]).await;
        assert_eq!(sent.status(), 200);
        assert!(sent.body().contains(CAROL), "the page names the address: {}", sent.body());

        // Not active yet: the right password is refused with a way to get a new link.
        let early = login_attempt(&srv, CAROL, CAROL_PASSWORD).await;
        assert!(early.body().contains("not activated"), "{}", early.body());
        assert!(early.body().contains("/register/resend"));

        let mail = srv.mail.wait_for(CAROL, 1).await;
        assert_eq!(mail.subject(), "Activate your oneid");
        assert!(mail.html().contains("Activate now"));
        let link = mail.link(&format!("{}/register/activate?token=", srv.issuer));
        // Opening the link does not use it (mail scanners open links); the button does.
        let confirm = browser.open(&local(&srv, &link)).await;
        let other = srv.browser();
        let confirm_again = other.open(&local(&srv, &link)).await;
        assert_eq!(confirm_again.status(), 200);
        let consent = browser.submit(&confirm, "/register/activate", &[]).await;
        assert!(consent.is_consent_page(), "activation continues the sign-in: {}", consent.body());
        let back = browser.submit_consent(&consent, true).await;
        let code = rp.code_from(&pending, back.left(), &srv.issuer);
        let tokens = rp.exchange(&code, pending.verifier).await.expect("code exchange");
        let claims = rp.verify_id_token(&tokens, &pending.nonce);
        assert_eq!(claims.email().map(|e| e.as_str()), Some(CAROL));
        let raw = jwt_claims(&tokens.id_token().expect("id token").to_string());
        assert_eq!(raw["amr"], serde_json::json!(["otp"]));

        let info = rp.userinfo(&tokens).await.expect("userinfo");
        assert_eq!(info.email_verified(), Some(true));
        assert_eq!(info.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("Carol"));
        assert_eq!(info.family_name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("Nguyen"));
        assert_eq!(info.phone_number().map(|p| p.as_str()), Some("+33612345678"));
        let address = info.address().expect("address claim");
        assert_eq!(address.locality.as_ref().map(|l| l.as_str()), Some("Paris"));
        assert_eq!(address.country.as_ref().map(|c| c.as_str()), Some("FR"));

        // The link worked once.
        let reused = other.submit(&confirm_again, "/register/activate", &[]).await;
        assert_eq!(reused.status(), 400);
        assert!(reused.body().contains("cannot be used"));
        // And the password now signs in.
        let later = rp.sign_in(&srv, &srv.browser(), (CAROL, CAROL_PASSWORD), &["email"]).await;
        assert!(later.tokens.id_token().is_some());
    }
}

/// The `href` of the login page's link to `path`.
fn login_link(body: &str, path: &str) -> String {
    let start = body.find(&format!("href=\"{path}")).unwrap_or_else(|| panic!("no link to {path} in {body}")) + 6;
    crate::common::browser::html_unescape(&body[start..start + body[start..].find('"').unwrap()])
}

/// The language switch's link to `lang`.
fn switch_link(body: &str, lang: &str) -> String {
    let marker = format!("\" hreflang=\"{lang}\"");
    let end = body.find(&marker).unwrap_or_else(|| panic!("no switch to {lang} in {body}"));
    let start = body[..end].rfind("href=\"").unwrap() + 6;
    crate::common::browser::html_unescape(&body[start..end])
}

#[tokio::test]
async fn registering_a_taken_address_looks_the_same_and_warns_its_owner() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    let fresh = register(&browser, &browser.open("/register").await, CAROL, &[]).await;
    let taken = register(&browser, &browser.open("/register").await, ALICE.0, &[]).await;
    assert_eq!(fresh.status(), taken.status());
    let strip = |b: &str, email: &str| b.replace(email, "EMAIL");
    assert_eq!(strip(fresh.body(), CAROL), strip(taken.body(), ALICE.0), "no user enumeration");
    let warning = srv.mail.wait_for(ALICE.0, 1).await;
    assert_eq!(warning.subject(), "Someone tried to register with your address");
    assert!(warning.link(&srv.issuer).contains("/password/forgot"));
    srv.mail.wait_for(CAROL, 1).await;
    assert_eq!(srv.mail.messages().len(), 2);
}

#[tokio::test]
async fn every_field_is_checked_on_the_server_and_hostile_input_is_escaped() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    // (fields changed, the field's error id, what the error says)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (&[("password", "password123")], "password-error", "too easy to guess"),
        (&[("password", "short")], "password-error", "at least 8 characters"),
        (&[("password", "carol nguyen rides the tram")], "password-error", "email address or name"),
        (&[("given_name", "")], "given_name-error", "fill in this field"),
        (&[("family_name", "<script>alert(1)</script>")], "family_name-error", "not allowed"),
        (&[("country", "XX")], "country-error", "Choose a country"),
        (&[("phone_number", "0612")], "phone_number-error", "country code"),
        (&[("terms", "")], "terms-error", "accept the terms"),
        (&[("email", "\"><svg onload=alert(1)>@x")], "email-error", "email address like"),
        (&[("pow_nonce", "not-a-solution")], "pow-error", "security check"),
    ];
    for (overrides, error_id, text) in cases {
        let form = browser.open("/register").await;
        let page = register(&browser, &form, CAROL, overrides).await;
        assert_eq!(page.status(), 200, "{overrides:?}");
        let body = page.body();
        assert!(body.contains(&format!("id=\"{error_id}\"")), "{overrides:?}: {body}");
        assert!(body.contains(text), "{overrides:?} says {text:?}");
        assert!(!body.contains("<svg") && !body.contains("<script>alert"), "input is escaped");
        assert!(!body.contains(CAROL_PASSWORD), "passwords are never echoed");
    }
    // A spent challenge does not work twice.
    let fresh = browser.open("/register").await;
    let first = register(&browser, &fresh, CAROL, &[("password", "short")]).await;
    assert!(first.body().contains("id=\"password-error\""));
    let replay = register(&browser, &fresh, CAROL, &[]).await;
    assert!(replay.body().contains("id=\"pow-error\""));
    assert!(srv.mail.messages().is_empty(), "nothing was registered");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_email_and_every_session_ends() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let signed = rp.sign_in(&srv, &srv.browser(), ALICE, &["email", "offline_access"]).await;
        let old_refresh = refresh_token_of(&signed.tokens);
        let access = access_token_of(&signed.tokens);

        let browser = srv.browser();
        let unknown = browser.submit(&browser.open("/password/forgot").await, "/password/forgot", &[("email", "nobody@example.com")]).await;
        let known = browser.submit(&browser.open("/password/forgot").await, "/password/forgot", &[("email", ALICE.0)]).await;
        assert_eq!(unknown.status(), known.status());
        assert_eq!(unknown.body(), known.body(), "the same answer for every address");

        let mail = srv.mail.wait_for_subject(ALICE.0, "Reset your").await;
        assert_eq!(mail.subject(), "Reset your oneid password");
        let link = local(&srv, &mail.link(&format!("{}/password/reset?token=", srv.issuer)));
        let form = browser.open(&link).await;
        let weak = browser.submit(&form, "/password/reset", &[("password", "12345678")]).await;
        assert!(weak.body().contains("id=\"password-error\""), "{}", weak.body());
        let done = browser.submit(&form, "/password/reset", &[("password", "a brand new sentence of words")]).await;
        assert!(done.body().contains("Your password was changed"), "{}", done.body());

        assert!(rp.refresh(&old_refresh).await.unwrap_err().contains("invalid_grant"), "refresh tokens end");
        assert_eq!(introspect(&srv, &access).await["active"], false, "access tokens end");
        let refused = login_attempt(&srv, ALICE.0, ALICE.1).await;
        assert!(refused.body().contains("not correct"));
        rp.sign_in(&srv, &srv.browser(), (ALICE.0, "a brand new sentence of words"), &["email"]).await;
        assert_eq!(srv.mail.wait_for_subject(ALICE.0, "password was changed").await.subject(), "Your oneid password was changed");
        let again = browser.open(&link).await;
        assert_eq!(again.status(), 400, "the link works once");
    }
}

/// Signs `user` in on `browser` through the login page, for `/account`.
async fn account_session(srv: &TestServer, browser: &Browser, (email, password): (&str, &str)) -> Landing {
    let login = browser.open("/account").await;
    assert!(login.is_login_page(), "the account asks to sign in first");
    let page = browser.submit(&login, "/login", &[("email", email), ("password", password)]).await;
    assert!(page.url().ends_with("/account"), "and comes back: {}", page.url());
    let _ = srv;
    page
}

#[tokio::test]
async fn the_profile_changes_personal_data_password_and_email() {
    let srv = TestServer::start().await;
    let browser = srv.browser();
    let account = account_session(&srv, &browser, ALICE).await;
    assert!(account.body().contains(ALICE.0));

    let fields = [("given_name", "Alicia"), ("family_name", "Example"), ("country", "DE"), ("locale", "de"), ("salutation", ""), ("phone_number", ""), ("street_address", ""), ("postal_code", ""), ("locality", "")];
    let saved = browser.submit(&account, "/account", &fields).await;
    assert!(saved.body().contains("value=\"Alicia\""), "{}", saved.body());
    assert!(saved.body().contains("lang=\"de\""), "the page follows the new preferred language");

    // Email change: nothing happens until the new address confirms.
    let email_form = browser.open("/account/email").await;
    let wrong = browser.submit(&email_form, "/account/email", &[("email", "alice@new.example.com"), ("current_password", "nope nope nope")]).await;
    assert!(wrong.body().contains("id=\"current_password-error\""));
    browser.submit(&email_form, "/account/email", &[("email", "alice@new.example.com"), ("current_password", ALICE.1)]).await;
    let confirm = srv.mail.wait_for("alice@new.example.com", 1).await;
    assert!(srv.state.ctx().store.user_by_email(ALICE.0).await.unwrap().is_some(), "not yet changed");
    let link = local(&srv, &confirm.link(&format!("{}/account/email/confirm?token=", srv.issuer)));
    let page = browser.open(&link).await;
    browser.submit(&page, "/account/email/confirm", &[]).await;
    assert!(srv.state.ctx().store.user_by_email("alice@new.example.com").await.unwrap().is_some());
    // Alice chose German above, so her notifications are in German.
    let told = srv.mail.wait_for_subject(ALICE.0, "E-Mail-Adresse Ihrer oneid wurde geändert").await;
    assert!(told.text().contains("alice@new.example.com"), "the old address is told: {}", told.text());

    // Password change ends the other sessions, not this one.
    let other = srv.browser();
    account_session(&srv, &other, ("alice@new.example.com", ALICE.1)).await;
    let password_form = browser.open("/account/password").await;
    let changed = browser
        .submit(&password_form, "/account/password", &[("current_password", ALICE.1), ("password", "violet bridges hum at dawn")])
        .await;
    assert!(changed.url().contains("/account"), "{}", changed.url());
    assert!(other.open("/account").await.is_login_page(), "the other session ended");
    assert!(!browser.open("/account").await.is_login_page(), "this one goes on");
}

#[tokio::test]
async fn deleting_the_account_erases_it_and_revokes_its_tokens() {
    for srv in TestServer::each_backend().await {
        let rp = Rp::web(&srv).await;
        let browser = srv.browser();
        let signed = rp.sign_in(&srv, &browser, ALICE, &["email", "offline_access"]).await;
        let refresh = refresh_token_of(&signed.tokens);
        let access = access_token_of(&signed.tokens);

        let export = browser.client.get(srv.url("/account/export")).send().await.unwrap();
        assert!(export.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let data: serde_json::Value = export.json().await.unwrap();
        assert_eq!(data["profile"]["email"], ALICE.0);
        assert_eq!(data["consents"][0]["client_id"], "web");
        assert!(!data["sessions"].as_array().unwrap().is_empty());
        assert!(data["events"].as_array().unwrap().iter().any(|e| e["event"] == "login_succeeded"));
        assert!(!data.to_string().contains("argon2"), "no secrets in the export");

        let form = browser.open("/account/delete").await;
        let wrong = browser.submit(&form, "/account/delete", &[("current_password", "wrong password!")]).await;
        assert!(wrong.body().contains("id=\"current_password-error\""));
        let gone = browser.submit(&form, "/account/delete", &[("current_password", ALICE.1)]).await;
        assert!(gone.body().contains("Your account is deleted"));

        assert_eq!(srv.mail.wait_for_subject(ALICE.0, "was deleted").await.subject(), "Your oneid was deleted");
        assert!(rp.refresh(&refresh).await.unwrap_err().contains("invalid_grant"));
        assert_eq!(introspect(&srv, &access).await["active"], false);
        assert!(srv.state.ctx().store.user_by_email(ALICE.0).await.unwrap().is_none());
        let login = login_attempt(&srv, ALICE.0, ALICE.1).await;
        assert!(login.body().contains("not correct"));
    }
}

#[tokio::test]
async fn pages_and_emails_wear_the_clients_brand_and_language() {
    let srv = TestServer::start().await;
    let catalogs = oneid::i18n::Catalogs::default();
    let rp = Rp::new(&srv, "mini-portal", Some(crate::common::WEB_SECRET), "https://mini.example.com/callback").await;
    let browser = srv.browser();
    let login = browser.open(&format!("{}&ui_locales=fr-CA", rp.start(&["email"]).url)).await;
    let body = login.body();
    assert!(body.contains("<html lang=\"fr\">"), "{body}");
    assert!(body.contains(&catalogs.message("fr", "login-title", &[])));
    assert!(body.contains("brand-mini.css") && body.contains(">MINI</header>"));
    let css = srv.http().get(srv.url("/static/brand-mini.css")).send().await.unwrap().text().await.unwrap();
    assert!(css.contains("--accent: #000000"));

    // The switch keeps the flow and sticks.
    let german = browser.open(&switch_link(body, "de")).await;
    assert!(german.is_login_page());
    assert!(german.body().contains("<html lang=\"de\">"));
    let register_page = browser.open(&login_link(german.body(), "/register")).await;
    assert!(register_page.body().contains("<html lang=\"de\">"), "the choice is remembered");
    assert!(register_page.body().contains(&catalogs.message("de", "country-FR", &[])));

    register(&browser, &register_page, CAROL, &[("locale", "de"), ("given_name", "Zoë \"Z\" O'Neil & Co")]).await;
    let mail = srv.mail.wait_for(CAROL, 1).await;
    assert!(mail.html().contains("Zoë &quot;Z&quot; O&#x27;Neil &amp; Co"), "names are escaped in HTML mail: {}", mail.html());
    assert!(mail.text().contains("Zoë \"Z\" O'Neil & Co"), "and plain in text mail");
    assert_eq!(mail.subject(), catalogs.message("de", "email-activation-subject", &[("brand", "MINI ID".into())]));
    assert!(mail.header("from").unwrap().contains("no-reply@mini.example.com"));
    let link = mail.link(&format!("{}/register/activate", srv.issuer));
    assert!(link.contains("brand=mini") && link.contains("lang=de"), "{link}");
    let page = srv.browser().open(&local(&srv, &link)).await;
    assert!(page.body().contains("<html lang=\"de\">") && page.body().contains(">MINI</header>"));
}
