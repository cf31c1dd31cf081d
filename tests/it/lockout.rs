//! Brute-force protection as an attacker and the account's owner meet it.

use crate::common::browser::{Browser, Landing};
use crate::common::{ALICE, Backend, TestServer};

fn strict(c: &mut oneid::config::Config) {
    c.lockout.threshold = 5;
    c.lockout.pow_after = 100;
    c.lockout.per_ip_per_minute = 10_000;
}

async fn attempt(browser: &Browser, email: &str, password: &str) -> Landing {
    let page = browser.open("/login").await;
    browser.submit(&page, "/login", &[("email", email), ("password", password)]).await
}

fn refused_as(landing: &Landing) -> &'static str {
    match landing {
        Landing::Page { body, .. } if body.contains("Too many failed sign-in attempts") => "locked",
        Landing::Page { body, .. } if body.contains("not correct") => "wrong",
        Landing::Page { .. } => "other",
        Landing::Left(_) => "signed in",
    }
}

#[tokio::test]
async fn fifty_parallel_guesses_check_only_the_threshold_and_the_owner_still_gets_in() {
    for backend in Backend::available() {
        let srv = TestServer::start_with(backend, strict).await;
        // The owner signed in on this browser before the attack: a known device.
        let owner = srv.browser();
        assert!(attempt(&owner, ALICE.0, ALICE.1).await.url().ends_with('/'));

        let attacker = srv.browser();
        let page = attacker.open("/login").await;
        let form = crate::common::browser::form_fields(page.body(), "/login");
        let mut guesses = tokio::task::JoinSet::new();
        for n in 0..50 {
            let (client, url, mut form) = (attacker.client.clone(), srv.url("/login"), form.clone());
            form.push(("email".into(), ALICE.0.into()));
            form.push(("password".into(), format!("guess number {n}")));
            guesses.spawn(async move { client.post(url).form(&form).send().await.unwrap().text().await.unwrap() });
        }
        let mut outcomes = Vec::new();
        while let Some(body) = guesses.join_next().await {
            let body = body.unwrap();
            outcomes.push(refused_as(&Landing::Page { url: String::new(), status: reqwest::StatusCode::OK, headers: Default::default(), body }));
        }
        assert!(!outcomes.contains(&"signed in"));
        assert_eq!(outcomes.iter().filter(|o| **o == "wrong").count() + outcomes.iter().filter(|o| **o == "locked").count(), 50, "{outcomes:?}");
        let events = srv.audit_events().await;
        assert_eq!(events.iter().filter(|e| *e == "login_failed").count(), 5, "exactly the threshold of passwords was checked");
        assert_eq!(events.iter().filter(|e| *e == "account_locked").count(), 1);

        // The right password from an unknown browser waits for the lock to end...
        assert_eq!(refused_as(&attempt(&srv.browser(), ALICE.0, ALICE.1).await), "locked");
        // ...but the owner's browser has its own count.
        assert!(attempt(&owner, ALICE.0, ALICE.1).await.url().ends_with('/'), "the known device signs in");
        let warning = srv.mail.wait_for_subject(ALICE.0, "locked").await;
        assert!(warning.subject().contains("locked"), "{}", warning.subject());
        assert!(warning.link(&srv.issuer).contains("/password/forgot"));
    }
}

#[tokio::test]
async fn locks_grow_end_with_time_and_lift_with_a_reset_or_an_administrator() {
    let srv = TestServer::start_with(Backend::Sqlite, strict).await;
    let browser = srv.browser();
    let lock = |srv: &TestServer| {
        let browser = srv.browser();
        async move {
            let mut last = "";
            for _ in 0..6 {
                last = refused_as(&attempt(&browser, ALICE.0, "not my password at all").await);
            }
            last
        }
    };
    assert_eq!(lock(&srv).await, "locked");
    let locked = attempt(&browser, ALICE.0, ALICE.1).await;
    assert!(locked.body().contains("Try again in 1 minutes") && locked.body().contains("/password/forgot"), "{}", locked.body());

    srv.clock.advance(61);
    assert_eq!(refused_as(&attempt(&browser, ALICE.0, "not my password at all").await), "wrong", "the lock ended");
    for _ in 0..4 {
        attempt(&browser, ALICE.0, "not my password at all").await;
    }
    let second = attempt(&srv.browser(), ALICE.0, ALICE.1).await;
    assert!(second.body().contains("Try again in 2 minutes"), "the second lock lasts twice as long: {}", second.body());

    oneid::admin::users::unlock(srv.state.ctx(), &srv.user_id(ALICE.0).await, &oneid::admin::Actor::Cli, &oneid::audit::RequestMeta::cli()).await.unwrap();
    assert!(attempt(&srv.browser(), ALICE.0, ALICE.1).await.url().ends_with('/'), "an administrator lifted the lock");

    assert_eq!(lock(&srv).await, "locked");
    let forgot = browser.open("/password/forgot").await;
    browser.submit(&forgot, "/password/forgot", &[("email", ALICE.0)]).await;
    let mail = srv.mail.wait_for_subject(ALICE.0, "Reset").await;
    let link = mail.link(&format!("{}/password/reset?token=", srv.issuer));
    let form = browser.open(link.strip_prefix(&srv.issuer).unwrap()).await;
    browser.submit(&form, "/password/reset", &[("password", "a brand new sentence of words")]).await;
    assert!(attempt(&srv.browser(), ALICE.0, "a brand new sentence of words").await.url().ends_with('/'), "a reset lifted the lock");
}

#[tokio::test]
async fn unknown_addresses_lock_exactly_like_real_ones() {
    let srv = TestServer::start_with(Backend::Sqlite, strict).await;
    let browser = srv.browser();
    let mut outcomes = Vec::new();
    for email in ["nobody@example.com", ALICE.0] {
        let mut seen = Vec::new();
        for _ in 0..6 {
            seen.push(refused_as(&attempt(&browser, email, "not my password at all").await));
        }
        outcomes.push(seen);
    }
    assert_eq!(outcomes[0], outcomes[1], "no difference tells which address has an account");
    assert_eq!(outcomes[0].last(), Some(&"locked"));
    // Only the real owner is told.
    srv.mail.wait_for_subject(ALICE.0, "locked").await;
    assert!(srv.mail.messages_to("nobody@example.com").is_empty());
}

#[tokio::test]
async fn after_a_few_failures_the_next_attempt_needs_a_proof_of_work() {
    // On both databases: the rule is part of the statement that counts the attempt.
    for backend in Backend::available() {
        let srv = TestServer::start_with(backend, |c| {
            strict(c);
            c.lockout.pow_after = 2;
            c.lockout.threshold = 3;
        })
        .await;
        let browser = srv.browser();
        for _ in 0..2 {
            assert_eq!(refused_as(&attempt(&browser, ALICE.0, "not my password at all").await), "wrong");
        }
        let page = browser.open("/login").await;
        let csrf = crate::common::browser::hidden(page.body(), "csrf").unwrap();
        // Without a solution the password is not even checked, nor the attempt counted
        // (one more would reach the threshold).
        let mut asked = None;
        for _ in 0..3 {
            let page = browser.post("/login", &[("csrf", &csrf), ("email", ALICE.0), ("password", ALICE.1)]).await;
            assert!(page.body().contains("data-pow=") && page.body().contains("security check"), "{}", page.body());
            asked = Some(page);
        }
        let asked = asked.unwrap();
        // Submitted as the browser would (the page's puzzle solved), it goes through.
        let done = browser.submit(&asked, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
        assert!(done.url().ends_with('/'), "{}", done.url());
    }
}

#[tokio::test]
async fn with_pow_after_zero_even_the_first_attempt_needs_a_proof_of_work() {
    let srv = TestServer::start_with(Backend::Sqlite, |c| {
        strict(c);
        c.lockout.pow_after = 0;
    })
    .await;
    let browser = srv.browser();
    let page = browser.open("/login").await;
    let csrf = crate::common::browser::hidden(page.body(), "csrf").unwrap();
    let asked = browser.post("/login", &[("csrf", &csrf), ("email", ALICE.0), ("password", ALICE.1)]).await;
    assert!(asked.body().contains("data-pow="), "{}", asked.body());
    let done = browser.submit(&asked, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    assert!(done.url().ends_with('/'), "{}", done.url());
}

#[tokio::test]
async fn one_address_sending_too_many_forms_is_slowed_down() {
    let srv = TestServer::start_with(Backend::Sqlite, |c| c.lockout.per_ip_per_minute = 3).await;
    let browser = srv.browser();
    let page = browser.open("/login").await;
    let csrf = crate::common::browser::hidden(page.body(), "csrf").unwrap();
    for _ in 0..3 {
        let _ = browser.post("/login", &[("csrf", &csrf), ("email", "x@example.com"), ("password", "whatever it is")]).await;
    }
    let response = browser.client.post(srv.url("/login")).form(&[("csrf", csrf.as_str()), ("email", "x@example.com"), ("password", "p")]).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_some());
    assert!(response.text().await.unwrap().contains("Too many requests"));
    assert_eq!(browser.open("/login").await.status(), 200, "pages still load");
}

#[tokio::test]
async fn a_sign_in_from_a_new_browser_is_told_and_this_wasnt_me_ends_it() {
    let srv = TestServer::start().await;
    let known = srv.browser();
    assert!(attempt(&known, ALICE.0, ALICE.1).await.url().ends_with('/'));
    let notice = srv.mail.wait_for_subject(ALICE.0, "New sign-in").await;
    assert!(notice.text().contains("127.0.0.1"), "{}", notice.text());
    // The same browser again: nothing new to tell.
    attempt(&known, ALICE.0, ALICE.1).await;
    // An intruder elsewhere.
    let intruder = srv.browser();
    attempt(&intruder, ALICE.0, ALICE.1).await;
    let mut reports = Vec::new();
    for _ in 0..100 {
        reports = srv.mail.messages_to(ALICE.0).into_iter().filter(|m| m.subject().contains("New sign-in")).collect();
        if reports.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(reports.len(), 2, "the known browser's second sign-in was not reported");
    let link = reports[1].link(&format!("{}/account/not-me?token=", srv.issuer));
    let owner = srv.browser();
    let confirm = owner.open(link.strip_prefix(&srv.issuer).unwrap()).await;
    let reset = owner.submit(&confirm, "/account/not-me", &[]).await;
    assert!(reset.body().contains("name=\"password\""), "on to a new password: {}", reset.body());
    assert!(intruder.open("/account").await.is_login_page(), "the reported session ended");
    let done = owner.submit(&reset, "/password/reset", &[("password", "a brand new sentence of words")]).await;
    assert!(done.url().contains("/login"), "{}", done.url());
}
