//! The command line: `oneid serve` (the default) and the administrative subcommands,
//! which work directly on the database the configuration points to.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::admin::{self, Actor, users::NewUser};
use crate::audit::RequestMeta;
use crate::clock::{Clock, SystemClock};
use crate::config::{ClientConfig, Config};
use crate::error::AppError;
use crate::protocol::client_metadata;
use crate::state::Ctx;
use crate::{paths, telemetry};

#[derive(Parser)]
#[command(name = "oneid", version, about = "A standalone OAuth 2.0 / OpenID Connect identity provider")]
pub struct Cli {
    /// Configuration file (default: oneid.toml when it exists).
    #[arg(long, global = true, env = "ONEID_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Check the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage OAuth clients (relying parties).
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Measure argon2id on this machine and print [hashing] settings for a target time.
    #[command(name = "argon2-tune")]
    Argon2Tune(Argon2Tune),
}

#[derive(Args)]
pub struct Argon2Tune {
    /// How long one password hash should take, in milliseconds.
    #[arg(long, default_value_t = 250)]
    target_ms: u32,
    /// Memory per hash in KiB (default: the configured hashing.memory_kib).
    #[arg(long)]
    memory_kib: Option<u32>,
    /// Lanes per hash (default: the configured hashing.parallelism).
    #[arg(long)]
    parallelism: Option<u32>,
}

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration (file and environment) and print the result.
    Check,
}

#[derive(Subcommand)]
pub enum ClientsCommand {
    /// Register a client; prints its secret once.
    Add(Box<AddClient>),
    /// List registered clients.
    List,
    /// Remove a client and everything issued to it.
    Remove { id: String },
    /// Replace a confidential client's secret; prints the new one once.
    RotateSecret { id: String },
}

#[derive(Args)]
pub struct AddClient {
    /// The client_id.
    #[arg(long)]
    id: String,
    /// Display name shown on the login and consent pages.
    #[arg(long)]
    name: Option<String>,
    /// Allowed redirect URI (exact match); repeat for several.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// Allowed post-logout redirect URI; repeat for several.
    #[arg(long = "post-logout-redirect-uri")]
    post_logout_redirect_uris: Vec<String>,
    /// A public client (mobile or single-page app): no secret, PKCE only.
    #[arg(long, conflicts_with = "auth_method")]
    public: bool,
    /// How a confidential client authenticates (private_key_jwt needs --jwks-uri or --jwks-file).
    #[arg(long, value_parser = ["client_secret_basic", "client_secret_post", "private_key_jwt"])]
    auth_method: Option<String>,
    /// private_key_jwt: where the client publishes its public keys (a JWK Set).
    #[arg(long, conflicts_with = "jwks_file")]
    jwks_uri: Option<String>,
    /// private_key_jwt: a file with the client's public keys (a JWK Set in JSON).
    #[arg(long)]
    jwks_file: Option<std::path::PathBuf>,
    /// OIDC Back-Channel Logout: where oneid POSTs logout tokens.
    #[arg(long)]
    backchannel_logout_uri: Option<String>,
    /// Accept authorization requests only through the PAR endpoint (RFC 9126).
    #[arg(long)]
    require_par: bool,
    /// Require a DPoP proof with every token request (RFC 9449).
    #[arg(long)]
    require_dpop: bool,
    /// Allowed scope; repeat for several (default: openid profile email phone address offline_access).
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// Allowed grant type; repeat for several (default: authorization_code refresh_token).
    #[arg(long = "grant-type")]
    grant_types: Vec<String>,
    #[arg(long)]
    brand: Option<String>,
    /// ID token signing algorithm (ES256, RS256, EdDSA).
    #[arg(long)]
    id_token_alg: Option<String>,
    /// Do not ask users for consent (first-party clients).
    #[arg(long)]
    skip_consent: bool,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create an account; asks for the password (or reads it from stdin).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        given_name: Option<String>,
        #[arg(long)]
        family_name: Option<String>,
        #[arg(long)]
        locale: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// Disable an account: ends its sessions and revokes its tokens.
    Disable { email: String },
    /// Enable a disabled account.
    Enable { email: String },
    /// Lift a lockout caused by wrong passwords.
    Unlock { email: String },
    /// Give the account the admin role: the settings console and the admin API.
    GrantAdmin { email: String },
    /// Take the admin role away (the last administrator keeps it).
    RevokeAdmin { email: String },
    /// Check a caller's answer to the account's security question (read from standard
    /// input, never from the command line); exits 0 when it matches.
    CheckAnswer { email: String },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List signing keys and their state.
    List,
    /// Add new signing keys; the current ones stay published until their tokens expire.
    Rotate,
}

/// Runs the command line; the exit code is the result.
pub async fn run(cli: Cli) -> i32 {
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration error:\n{e}");
            return 2;
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Config(ConfigCommand::Check) => check(&config),
        Command::Migrate => open(config).await.map(|_| println!("database is up to date")),
        Command::Clients(command) => with_ctx(config, |ctx| Box::pin(clients(ctx, command))).await,
        Command::Users(command) => with_ctx(config, |ctx| Box::pin(users(ctx, command))).await,
        Command::Keys(command) => with_ctx(config, |ctx| Box::pin(keys(ctx, command))).await,
        Command::Argon2Tune(tune) => argon2_tune(&config, tune),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                AppError::BadRequest(_) | AppError::Conflict(_) | AppError::Forbidden(_) | AppError::NotFound(_) => 1,
                AppError::Internal(_) => 3,
            }
        }
    }
}

fn argon2_tune(config: &Config, tune: Argon2Tune) -> Result<(), AppError> {
    if !(10..=10_000).contains(&tune.target_ms) {
        return Err(AppError::bad_request("--target-ms: 10 to 10000"));
    }
    let memory_kib = tune.memory_kib.unwrap_or(config.hashing.memory_kib);
    let parallelism = tune.parallelism.unwrap_or(config.hashing.parallelism);
    let found = crate::auth::password::tune(f64::from(tune.target_ms), memory_kib, parallelism).map_err(|e| AppError::bad_request(e.to_string()))?;
    for (passes, millis) in &found.measured {
        println!("# {memory_kib} KiB, {passes} pass(es), {parallelism} lane(s): {millis:.1} ms");
    }
    let cores = config.hashing_concurrency();
    println!("# about {:.0} ms per hash; with {cores} hashes at once (hashing.concurrency) about {:.0} password checks per second,", found.millis, cores as f64 * 1000.0 / found.millis);
    println!("# and up to {} MiB for hashing", cores as u64 * u64::from(memory_kib) / 1024);
    println!("[hashing]\nmemory_kib = {}\niterations = {}\nparallelism = {}", found.memory_kib, found.iterations, found.parallelism);
    Ok(())
}

async fn open(config: Config) -> Result<Ctx, AppError> {
    Ctx::open(config, Arc::new(SystemClock)).await.map_err(|e| AppError::Internal(e.to_string()))
}

async fn with_ctx<F>(config: Config, command: F) -> Result<(), AppError>
where
    F: for<'a> FnOnce(&'a Ctx) -> std::pin::Pin<Box<dyn Future<Output = Result<(), AppError>> + 'a>>,
{
    let ctx = open(config).await?;
    let result = command(&ctx).await;
    ctx.mailer.flush().await;
    ctx.store.flush_audit().await;
    result
}

async fn serve(config: Config) -> Result<(), AppError> {
    telemetry::init_logging(&config.log);
    let bind = config.bind;
    let state = crate::build(config, Arc::new(SystemClock)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| AppError::Internal(format!("cannot listen on {bind}: {e}")))?;
    let issuer = state.ctx().config.issuer().to_string();
    // The address actually bound (port 0 picks a free one).
    let bind = listener.local_addr().unwrap_or(bind);
    tracing::info!(%bind, %issuer, "oneid is ready; sign in at {issuer}{}", paths::LOGIN);
    if state.ctx().store.count_users().await.unwrap_or(1) == 0 {
        tracing::info!("no accounts yet: register at {issuer}{} or run `oneid users add --email you@example.com`", paths::REGISTER);
    }
    crate::serve(state, listener, shutdown_signal()).await.map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!("oneid stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down: finishing requests in flight");
}

fn check(config: &Config) -> Result<(), AppError> {
    let problems: Vec<String> = config
        .clients
        .iter()
        .filter_map(|spec| client_metadata::validate(spec, config, client_metadata::MANAGED_BY_CONFIG, 0).err().map(|p| (spec, p)))
        .flat_map(|(spec, problems)| problems.into_iter().map(move |p| format!("clients[{}].{p}", spec.id)))
        .collect();
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems));
    }
    println!("configuration is valid");
    println!("  issuer:   {}", config.issuer());
    println!("  bind:     {}", config.bind);
    println!("  database: {}", redact_url(&config.database.url));
    println!("  clients:  {} declared in the file", config.clients.len());
    Ok(())
}

/// A database URL without its password.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

async fn clients(ctx: &Ctx, command: ClientsCommand) -> Result<(), AppError> {
    let meta = RequestMeta::cli();
    match command {
        ClientsCommand::Add(add) => {
            let jwks = match &add.jwks_file {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| AppError::bad_request(format!("--jwks-file {}: {e}", path.display())))?;
                    Some(serde_json::from_str(&text).map_err(|e| AppError::bad_request(format!("--jwks-file {}: not JSON ({e})", path.display())))?)
                }
                None => None,
            };
            let spec = ClientConfig {
                id: add.id,
                name: add.name,
                token_endpoint_auth_method: Some(if add.public { "none".into() } else { add.auth_method.unwrap_or_else(|| "client_secret_basic".into()) }),
                redirect_uris: add.redirect_uris,
                post_logout_redirect_uris: add.post_logout_redirect_uris,
                scopes: (!add.scopes.is_empty()).then_some(add.scopes.iter().flat_map(|s| s.split_whitespace()).map(String::from).collect()),
                grant_types: (!add.grant_types.is_empty()).then_some(add.grant_types),
                brand: add.brand,
                id_token_signed_response_alg: add.id_token_alg,
                skip_consent: add.skip_consent,
                jwks,
                jwks_uri: add.jwks_uri,
                backchannel_logout_uri: add.backchannel_logout_uri,
                require_pushed_authorization_requests: add.require_par,
                dpop_bound_access_tokens: add.require_dpop,
                ..Default::default()
            };

            let created = admin::clients::create(ctx, spec, &Actor::Cli, &meta).await?;
            println!("client_id:     {}", created.client.id);
            if let Some(secret) = created.client_secret {
                println!("client_secret: {secret}");
                println!("(the secret is shown only now; store it safely)");
            }
            println!("discovery:     {}{}", ctx.config.issuer(), paths::DISCOVERY);
        }
        ClientsCommand::List => {
            println!("{:<24} {:<20} {:<20} {:<8} REDIRECT URIS", "CLIENT ID", "AUTH METHOD", "GRANT TYPES", "SOURCE");
            for c in ctx.store.all_clients().await?.iter().map(admin::clients::ClientView::from) {
                println!("{:<24} {:<20} {:<20} {:<8} {}", c.id, c.token_endpoint_auth_method, c.grant_types.join(","), c.managed_by, c.redirect_uris.join(" "));
            }
        }
        ClientsCommand::Remove { id } => {
            admin::clients::remove(ctx, &id, &Actor::Cli, &meta).await?;
            println!("client {id} removed");
        }
        ClientsCommand::RotateSecret { id } => {
            let secret = admin::clients::rotate_secret(ctx, &id, &Actor::Cli, &meta).await?;
            println!("client_secret: {secret}");
            println!("(the old secret stops working within a few seconds on running servers)");
        }
    }
    Ok(())
}

async fn users(ctx: &Ctx, command: UsersCommand) -> Result<(), AppError> {
    let meta = RequestMeta::cli();
    match command {
        UsersCommand::Add { email, given_name, family_name, locale, password_stdin } => {
            let password = read_password(password_stdin)?;
            let user = admin::users::create(ctx, NewUser { email, password, given_name, family_name, locale }, &Actor::Cli, &meta).await?;
            println!("created {} (sub {})", user.email, user.id);
        }
        UsersCommand::List { limit, offset } => {
            println!("{:<36} {:<32} {:<8} NAME", "SUB", "EMAIL", "STATUS");
            for u in ctx.store.list_users(limit, offset).await? {
                let name = [u.given_name.as_deref(), u.family_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                let status = match (u.disabled, u.admin) {
                    (true, _) => "disabled",
                    (false, true) => "admin",
                    (false, false) => "active",
                };
                println!("{:<36} {:<32} {:<8} {}", u.id, u.email, status, name);
            }
        }
        UsersCommand::Disable { email } => {
            let user = admin::users::find_by_email(ctx, &email).await?;
            admin::users::set_disabled(ctx, &user.id, true, &Actor::Cli, &meta).await?;
            println!("{email} disabled; its sessions and tokens are revoked");
        }
        UsersCommand::Enable { email } => {
            let user = admin::users::find_by_email(ctx, &email).await?;
            admin::users::set_disabled(ctx, &user.id, false, &Actor::Cli, &meta).await?;
            println!("{email} enabled");
        }
        UsersCommand::CheckAnswer { email } => {
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer).map_err(|e| AppError::Internal(format!("cannot read the answer: {e}")))?;
            match admin::users::check_answer(ctx, &email, answer.trim_end_matches(['\r', '\n']), &meta).await? {
                Some(true) => println!("the answer matches"),
                Some(false) => return Err(AppError::Forbidden("the answer does not match".into())),
                None => return Err(AppError::NotFound(format!("{email} has no security question"))),
            }
        }
        UsersCommand::Unlock { email } => {
            let user = admin::users::find_by_email(ctx, &email).await?;
            let cleared = admin::users::unlock(ctx, &user.id, &Actor::Cli, &meta).await?;
            println!("{email} unlocked ({cleared} counters cleared)");
        }
        UsersCommand::GrantAdmin { email } => {
            let user = admin::users::find_by_email(ctx, &email).await?;
            admin::users::set_admin(ctx, &user.id, true, &Actor::Cli, &meta).await?;
            println!("{email} is an administrator");
            println!("settings console: {}{} (sign in with a passkey or an authenticator app)", ctx.config.issuer(), paths::ADMIN);
        }
        UsersCommand::RevokeAdmin { email } => {
            let user = admin::users::find_by_email(ctx, &email).await?;
            admin::users::set_admin(ctx, &user.id, false, &Actor::Cli, &meta).await?;
            println!("{email} is no longer an administrator");
        }
    }
    Ok(())
}

fn read_password(from_stdin: bool) -> Result<String, AppError> {
    let io = |e: std::io::Error| AppError::Internal(format!("cannot read the password: {e}"));
    if from_stdin || !std::io::stdin().is_terminal() {
        if !from_stdin {
            return Err(AppError::bad_request("standard input is not a terminal: pass --password-stdin to read the password from it"));
        }
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(io)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ").map_err(io)?;
    let second = rpassword::prompt_password("Repeat password: ").map_err(io)?;
    std::io::stdout().flush().map_err(io)?;
    if first != second {
        return Err(AppError::bad_request("the passwords do not match"));
    }
    Ok(first)
}

async fn keys(ctx: &Ctx, command: KeysCommand) -> Result<(), AppError> {
    match command {
        KeysCommand::List => {
            let now = SystemClock.now();
            println!("{:<44} {:<6} {:<12} STATE", "KID", "ALG", "CREATED");
            for k in admin::keys::list(ctx).await? {
                let state = match (k.state.as_str(), k.publish_until) {
                    ("active", _) if crate::keys::seasoned(k.created_at, now) => "active (signing)".to_string(),
                    ("active", _) => format!("active, published; signs in {} seconds", k.created_at + crate::keys::SIGN_AFTER - now),
                    ("published", Some(until)) => format!("retired, published for {} more seconds", until - now),
                    _ => "retired, no longer published".to_string(),
                };
                println!("{:<44} {:<6} {:<12} {state}", k.kid, k.alg, k.created_at);
            }
        }
        KeysCommand::Rotate => {
            let kids = admin::keys::rotate(ctx, &Actor::Cli, &RequestMeta::cli()).await?;
            println!("new signing keys: {}", kids.join(", "));
            println!("running servers switch to them within a few seconds; the previous keys stay published until their tokens expire");
        }
    }
    Ok(())
}
