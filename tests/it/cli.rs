//! The `oneid` command line, run as a process against a server's database.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::rp::Rp;
use crate::common::{Backend, TestServer};

/// Runs `oneid ARGS` with the configuration of `srv` (same database and master key). The
/// process is waited for off the test's runtime, which also runs the server: blocking it
/// would freeze the server, maybe holding the database's write lock the command needs.
async fn oneid(srv: &TestServer, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let config = &srv.state.ctx().config;
    let mut command = Command::new(env!("CARGO_BIN_EXE_oneid"));
    command
        .args(args)
        .env_clear()
        .env("ONEID_ISSUER", config.issuer())
        .env("ONEID_DATABASE__URL", &config.database.url)
        .env("ONEID_KEYS__MASTER_KEY", config.keys.master_key.as_deref().unwrap())
        .env("ONEID_HASHING__MEMORY_KIB", "8192")
        .env("ONEID_MAIL__OUTBOX_DIR", &config.mail.outbox_dir)
        .env("ONEID_SMS__OUTBOX_DIR", &config.sms.outbox_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let input = stdin.map(str::to_string);
    let output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("oneid runs");
        if let Some(input) = input {
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into(), String::from_utf8_lossy(&output.stderr).into())
}

fn line_value(output: &str, label: &str) -> String {
    output.lines().find_map(|l| l.strip_prefix(label)).unwrap_or_else(|| panic!("no {label} in {output}")).trim().to_string()
}

/// A server whose clients are managed by the CLI only (none in its config file).
async fn server() -> TestServer {
    TestServer::start_with(Backend::Sqlite, |c| c.clients.clear()).await
}

#[tokio::test]
async fn clients_added_with_the_cli_work_and_secrets_rotate() {
    let srv = server().await;
    let (code, out, err) = oneid(
        &srv,
        &["clients", "add", "--id", "billing", "--grant-type", "client_credentials", "--scope", "invoices:read"],
        None,
    ).await;
    assert_eq!(code, 0, "{err}");
    let secret = line_value(&out, "client_secret:");
    assert_eq!(secret.len(), 43, "a 256-bit secret");
    let token = |secret: String| {
        let srv = &srv;
        async move { srv.post_form("/token", Some(("billing", &secret)), &[("grant_type", "client_credentials")]).await }
    };
    assert_eq!(token(secret.clone()).await.status(), 200);

    let (_, list, _) = oneid(&srv, &["clients", "list"], None).await;
    assert!(list.contains("billing") && list.contains("client_credentials"), "{list}");
    assert!(!list.contains(&secret), "secrets are never listed");

    let (code, out, err) = oneid(&srv, &["clients", "rotate-secret", "billing"], None).await;
    assert_eq!(code, 0, "{err}");
    let rotated = line_value(&out, "client_secret:");
    srv.state.ctx().clients.reload().await.unwrap(); // what the server's refresh tick does
    assert_eq!(token(secret).await.status(), 401, "the old secret stops working");
    assert_eq!(token(rotated).await.status(), 200);

    let (code, _, err) = oneid(&srv, &["clients", "add", "--id", "billing", "--redirect-uri", "https://x.example.com/cb"], None).await;
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = oneid(&srv, &["clients", "add", "--id", "bad", "--redirect-uri", "http://x.example.com/cb"], None).await;
    assert_eq!(code, 1);
    assert!(err.contains("must use https"), "{err}");

    let (code, _, _) = oneid(&srv, &["clients", "remove", "billing"], None).await;
    assert_eq!(code, 0);
    srv.state.ctx().clients.reload().await.unwrap();
    assert_eq!(token(String::from("x")).await.status(), 401);
}

#[tokio::test]
async fn a_public_client_from_the_cli_signs_a_user_in() {
    let srv = server().await;
    let (code, out, err) = oneid(&srv, &["clients", "add", "--id", "app", "--public", "--redirect-uri", "com.example.app:/cb", "--name", "The App"], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("client_secret"), "public clients have no secret");
    let rp = Rp::new(&srv, "app", None, "com.example.app:/cb").await;
    rp.sign_in(&srv, &srv.browser(), crate::common::ALICE, &["email"]).await;
}

#[tokio::test]
async fn users_are_added_listed_disabled_and_enabled() {
    let srv = server().await;
    let (code, out, err) = oneid(&srv, &["users", "add", "--email", "Carol@Example.com", "--given-name", "Carol", "--password-stdin"], Some("a perfectly long password\n")).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created carol@example.com"), "{out}");
    let (_, list, _) = oneid(&srv, &["users", "list"], None).await;
    assert!(list.contains("carol@example.com") && list.contains("Carol"), "{list}");

    let rp = Rp::web_like_client(&srv).await;
    let browser = srv.browser();
    let signed = rp.sign_in(&srv, &browser, ("carol@example.com", "a perfectly long password"), &["email"]).await;
    let access = crate::common::rp::access_token_of(&signed.tokens);
    let introspect = |token: String| {
        let srv = &srv;
        async move {
            let response = srv.post_form("/introspect", Some(("portal", crate::common::WEB_SECRET)), &[("token", &token)]).await;
            response.json::<serde_json::Value>().await.unwrap()["active"] == true
        }
    };
    assert!(introspect(access.clone()).await);

    let (code, _, _) = oneid(&srv, &["users", "disable", "carol@example.com"], None).await;
    assert_eq!(code, 0);
    // Another process revoked the grant: the server learns it from the database within
    // its sync interval (one second), without a restart.
    let mut active = true;
    for _ in 0..50 {
        active = introspect(access.clone()).await;
        if !active {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!active, "the access token of a disabled user is inactive");
    let silent = browser.open(&format!("{}&prompt=none", rp.start(&["email"]).url)).await;
    assert_eq!(crate::common::query(silent.left())["error"], "login_required", "disabling ended the session");
    let login = srv.browser().open(&rp.start(&["email"]).url).await;
    let refused = srv.browser().submit_login(&login, "carol@example.com", "a perfectly long password").await;
    assert!(refused.is_login_page());

    let (code, _, _) = oneid(&srv, &["users", "enable", "carol@example.com"], None).await;
    assert_eq!(code, 0);
    let (code, out, err) = oneid(&srv, &["users", "unlock", "carol@example.com"], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("unlocked"), "{out}");
    rp.sign_in(&srv, &srv.browser(), ("carol@example.com", "a perfectly long password"), &["email"]).await;

    let (code, _, err) = oneid(&srv, &["users", "add", "--email", "dave@example.com", "--password-stdin"], Some("short\n")).await;
    assert_eq!(code, 1);
    assert!(err.contains("password: must be 8"), "{err}");
}

#[tokio::test]
async fn the_first_administrator_is_made_from_the_cli() {
    let srv = server().await;
    let (code, out, err) = oneid(&srv, &["users", "grant-admin", "Alice@Example.com"], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("is an administrator") && out.contains("/admin"), "{out}");
    let alice = srv.state.ctx().store.user_by_email(crate::common::ALICE.0).await.unwrap().unwrap();
    assert!(alice.admin);
    let (_, list, _) = oneid(&srv, &["users", "list"], None).await;
    assert!(list.lines().any(|l| l.contains("alice@example.com") && l.contains("admin")), "{list}");
    let (code, _, err) = oneid(&srv, &["users", "revoke-admin", "alice@example.com"], None).await;
    assert_eq!(code, 1, "the last administrator keeps the role");
    assert!(err.contains("last administrator"), "{err}");
    let (code, _, err) = oneid(&srv, &["users", "grant-admin", "nobody@example.com"], None).await;
    assert_eq!(code, 1);
    assert!(err.contains("no account for nobody@example.com"), "{err}");
    srv.state.ctx().store.flush_audit().await;
    let filter = oneid::store::AuditFilter { actor: Some("cli".into()), user_id: Some(alice.id.clone()), ..Default::default() };
    let events = srv.state.ctx().store.audit_events(&filter, 10, 0).await.unwrap().0;
    assert_eq!(events.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(), ["admin_granted", "user_created"]);
    let detail: serde_json::Value = serde_json::from_str(&events[0].detail).unwrap();
    assert_eq!(detail, serde_json::json!({ "before": { "admin": false }, "after": { "admin": true } }));
}

#[tokio::test]
async fn keys_rotate_and_list_from_the_cli() {
    let srv = server().await;
    let (code, out, err) = oneid(&srv, &["keys", "rotate"], None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("new signing keys"));
    let (_, list, _) = oneid(&srv, &["keys", "list"], None).await;
    assert_eq!(list.matches("active, published; signs in").count(), 2, "new keys sign once every instance publishes them: {list}");
    assert_eq!(list.matches("retired, published for").count(), 2, "{list}");
    srv.state.ctx().keys.refresh(srv.clock_now()).await.unwrap();
    let jwks: serde_json::Value = srv.http().get(srv.url("/jwks")).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 4, "the running server sees the rotation");
}

#[tokio::test]
async fn config_check_and_migrate() {
    let srv = server().await;
    let (code, out, _) = oneid(&srv, &["config", "check"], None).await;
    assert_eq!(code, 0);
    assert!(out.contains("configuration is valid"));
    let (code, out, _) = oneid(&srv, &["migrate"], None).await;
    assert_eq!((code, out.trim()), (0, "database is up to date"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("oneid.toml");
    std::fs::write(&file, "issuer = \"http://id.example.com\"\n[tokens]\ncode_ttl = 0\nunknown = 1\n").unwrap();
    let (code, _, err) = oneid(&srv, &["--config", file.to_str().unwrap(), "config", "check"], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("tokens.unknown: unknown key; expected one of: signing_alg"), "{err}");
    // Every problem at once; the environment (ONEID_ISSUER here) overrides the file.
    std::fs::write(&file, "issuer = \"http://id.example.com\"\n[tokens]\ncode_ttl = 0\n[log]\nformat = \"xml\"\n").unwrap();
    let (code, _, err) = oneid(&srv, &["--config", file.to_str().unwrap(), "config", "check"], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("tokens.code_ttl: must be between 5 and 600") && err.contains("log.format"), "{err}");
    assert!(!err.contains("issuer"), "{err}");
    let (code, _, err) = oneid(&srv, &["--config", "/nonexistent/oneid.toml", "config", "check"], None).await;
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
}

#[tokio::test]
async fn serve_starts_on_defaults_logs_json_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    // Port 0: the server picks a free port and logs it, so no other test can take it
    // between choosing and binding.
    let mut child = Command::new(env!("CARGO_BIN_EXE_oneid"))
        .current_dir(dir.path())
        .env_clear()
        .env("ONEID_BIND", "127.0.0.1:0")
        .env("ONEID_LOG__LEVEL", "info,oneid::http=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oneid serve runs");
    // Wait for the "ready" log line, then check the server answers.
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufRead::lines(stderr).map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = Vec::new();
    while !log.last().is_some_and(|l: &String| l.contains("oneid is ready")) {
        match lines_rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(line) => log.push(line),
            Err(e) => panic!("the server did not log that it is ready ({e}):\n{}", log.join("\n")),
        }
    }
    let ready: serde_json::Value = serde_json::from_str(log.last().unwrap()).unwrap();
    let port = ready["fields"]["bind"].as_str().and_then(|b| b.rsplit(':').next()).unwrap().to_string();
    let health = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.expect("healthz");
    assert_eq!(health.status(), 200);
    // The embedded defaults: a SQLite file under data/ and a private key-encryption key.
    assert!(dir.path().join("data/oneid.db").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("keys/master.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    reader.join().unwrap();
    log.extend(lines_rx.try_iter());
    assert!(status.success(), "clean exit: {status:?}\n{}", log.join("\n"));
    let lines: Vec<serde_json::Value> = log.iter().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect();
    assert!(lines.iter().any(|l| l["fields"]["message"].as_str().is_some_and(|m| m.contains("sign in at http://localhost"))));
    assert!(lines.iter().any(|l| l["span"]["request_id"].as_str().is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))), "request ids in logs");
    assert!(lines.iter().any(|l| l["fields"]["message"] == "oneid stopped"));
}

#[tokio::test]
async fn support_checks_a_callers_security_answer_from_the_cli() {
    let srv = server().await;
    oneid(&srv, &["users", "add", "--email", "erin@example.com", "--password-stdin"], Some("a perfectly long password\n")).await;
    let (code, _, err) = oneid(&srv, &["users", "check-answer", "erin@example.com"], Some("golf\n")).await;
    assert_eq!(code, 1);
    assert!(err.contains("no security question"), "{err}");

    let browser = srv.browser();
    let login = browser.open("/account/question").await;
    let page = browser.submit(&login, "/login", &[("email", "erin@example.com"), ("password", "a perfectly long password")]).await;
    let wrong = browser.submit(&page, "/account/question", &[("question", "first-car"), ("answer", "Golf  GTI"), ("current_password", "nope nope nope")]).await;
    assert!(wrong.body().contains("current_password-error"));
    let saved = browser.submit(&page, "/account/question", &[("question", "first-car"), ("answer", "Golf  GTI"), ("current_password", "a perfectly long password")]).await;
    assert!(saved.body().contains("Your security question is saved"), "{}", saved.body());

    let (code, out, _) = oneid(&srv, &["users", "check-answer", "erin@example.com"], Some("  golf gti \n")).await;
    assert_eq!(code, 0, "case and spacing do not matter");
    assert!(out.contains("matches"));
    let (code, _, err) = oneid(&srv, &["users", "check-answer", "erin@example.com"], Some("polo\n")).await;
    assert_eq!(code, 1);
    assert!(err.contains("does not match"));
    // It is not a way in: the login page knows nothing of it.
    assert!(!browser.open("/login").await.body().contains("question"));
}
