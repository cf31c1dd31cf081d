//! What serde cannot check in the configuration: URLs, ranges, names and how the
//! sections fit together. Every problem is reported, not just the first.

use url::Url;

use super::{Config, ConfigError, MAX_JWT_TTL};

impl Config {
    /// Checks what serde cannot: URLs, ranges and algorithm names.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if let Err(e) = issuer_url(&self.issuer) {
            problems.push(format!("issuer: {e}"));
        }
        let db = &self.database.url;
        if !(db.starts_with("sqlite:") || db.starts_with("postgres://") || db.starts_with("postgresql://")) {
            problems.push(format!("database.url: expected sqlite://FILE or postgres://..., got {db:?}"));
        }
        if let Some(key) = &self.keys.master_key
            && crate::keys::kek::parse_master_key(key).is_err() {
                problems.push("keys.master_key: must be 32 bytes in base64 (generate one with `openssl rand -base64 32`)".into());
            }
        if !(2048..=4096).contains(&self.keys.rsa_bits) {
            problems.push("keys.rsa_bits: must be between 2048 and 4096".into());
        }
        let algs: &[&str] = if self.keys.eddsa { &["ES256", "RS256", "EdDSA"] } else { &["ES256", "RS256"] };
        if !algs.contains(&self.tokens.signing_alg.as_str()) {
            problems.push(format!("tokens.signing_alg: must be one of {}", algs.join(", ")));
        }
        let t = &self.tokens;
        for (name, value, min, max) in [
            ("tokens.access_token_ttl", t.access_token_ttl, 30, MAX_JWT_TTL),
            ("tokens.id_token_ttl", t.id_token_ttl, 30, MAX_JWT_TTL),
            ("tokens.code_ttl", t.code_ttl, 5, 600),
            ("tokens.refresh_token_idle_ttl", t.refresh_token_idle_ttl, 60, 400 * 86_400),
            ("tokens.refresh_token_max_ttl", t.refresh_token_max_ttl, 60, 400 * 86_400),
            ("tokens.refresh_reuse_grace", t.refresh_reuse_grace, 0, 60),
            ("tokens.authorization_request_ttl", t.authorization_request_ttl, 60, 86_400),
            ("session.ttl", self.session.ttl, 60, 400 * 86_400),
            ("accounts.activation_ttl", self.accounts.activation_ttl, 300, 30 * 86_400),
            ("accounts.reset_ttl", self.accounts.reset_ttl, 300, 86_400),
            ("accounts.email_change_ttl", self.accounts.email_change_ttl, 300, 30 * 86_400),
            ("accounts.resend_cooldown", self.accounts.resend_cooldown, 0, 86_400),
            ("pin.unlock_ttl", self.pin.unlock_ttl, 60, 30 * 86_400),
        ] {
            if !(min..=max).contains(&value) {
                problems.push(format!("{name}: must be between {min} and {max} seconds, got {value}"));
            }
        }
        if self.hashing.queue == 0 {
            problems.push("hashing.queue: must be at least 1".into());
        }
        let h = &self.hashing;
        if let Err(e) = argon2::Params::new(h.memory_kib, h.iterations, h.parallelism, None) {
            problems.push(format!("hashing: invalid argon2id parameters ({e})"));
        } else if h.memory_kib < 8 * 1024 {
            problems.push("hashing.memory_kib: must be at least 8192 (8 MiB)".into());
        }
        if !matches!(self.log.format.as_str(), "json" | "text") {
            problems.push(format!("log.format: must be \"json\" or \"text\", got {:?}", self.log.format));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            problems.push(format!("log.level: {:?} is not a valid filter", self.log.level));
        }
        if !(8..=64).contains(&self.accounts.password_min_length) {
            problems.push("accounts.password_min_length: must be between 8 and 64".into());
        }
        if self.accounts.pow_difficulty > 24 {
            problems.push("accounts.pow_difficulty: must be at most 24 bits (higher takes minutes on a phone)".into());
        }
        if !(1..=400).contains(&self.devices.remember_days) {
            problems.push("devices.remember_days: must be between 1 and 400".into());
        }
        let p = &self.pin;
        if !(4..=12).contains(&p.min_length) || !(p.min_length..=12).contains(&p.max_length) {
            problems.push("pin.min_length and pin.max_length: 4 ≤ min_length ≤ max_length ≤ 12".into());
        }
        if !(1..=10).contains(&p.max_attempts) {
            problems.push("pin.max_attempts: must be between 1 and 10".into());
        }
        let l = &self.lockout;
        if !(1..=100).contains(&l.threshold) || !(1..=100).contains(&l.known_device_threshold) {
            problems.push("lockout.threshold and lockout.known_device_threshold: must be between 1 and 100".into());
        }
        if l.base_duration < 1 || l.max_duration < l.base_duration || !(1..=10).contains(&l.growth) {
            problems.push("lockout: base_duration ≥ 1, max_duration ≥ base_duration, growth between 1 and 10".into());
        }
        if l.pow_after < 0 || l.per_ip_per_minute == 0 {
            problems.push("lockout: pow_after ≥ 0 and per_ip_per_minute ≥ 1".into());
        }
        if let Some(url) = &self.sms.gateway_url
            && !(url.starts_with("https://") || url.starts_with("http://localhost") || url.starts_with("http://127.0.0.1")) {
                problems.push("sms.gateway_url: must be https (plain http only to localhost)".into());
            }
        if self.mail.max_attempts == 0 {
            problems.push("mail.max_attempts: must be at least 1".into());
        }
        if let Some(url) = &self.mail.smtp_url
            && crate::mail::smtp_transport(url).is_err() {
                problems.push("mail.smtp_url: must be smtp://[user:password@]host[:port][?tls=required] or smtps://...".into());
            }
        if let Some(url) = &self.accounts.terms_url
            && !url.starts_with("https://") && !url.starts_with("http://") {
                problems.push("accounts.terms_url: must be an http(s) URL".into());
            }
        for id in self.second_factor.brands.iter().chain(&self.second_factor.clients) {
            if id.is_empty() || id.len() > 128 || id.contains(char::is_whitespace) {
                problems.push(format!("second_factor: {id:?} is not a brand or client id"));
            }
        }
        for proxy in &self.trusted_proxies {
            if let Err(e) = crate::http::client_addr::Network::parse(proxy) {
                problems.push(format!("trusted_proxies: {e}"));
            }
        }
        for resource in &self.resources {
            if let Err(e) = crate::protocol::audience::check_uri(&resource.uri) {
                problems.push(format!("resources: {:?} {e}", resource.uri));
            }
            if resource.uri.trim_end_matches('/') == self.issuer() {
                problems.push("resources: the issuer itself is not a resource of its own".into());
            }
            let oneids_own = |s: &str| crate::protocol::scopes::USER_SCOPES.contains(&s) || s == crate::account::api::SCOPE || s.starts_with("oneid:");
            if resource.scopes.is_empty() || resource.scopes.iter().any(|s| s.is_empty() || s.contains(' ') || oneids_own(s)) {
                problems.push(format!("resources: {:?} needs its own scopes (not openid, profile, …)", resource.uri));
            }
            if let Some(claim) = resource.claims.iter().find(|c| !crate::protocol::claims::USER.contains(&c.as_str())) {
                problems.push(format!("resources: {:?} cannot carry {claim:?}; claims about the person are {}", resource.uri, crate::protocol::claims::USER.join(", ")));
            }
        }
        problems.extend(crate::brands::validate(&self.brands));
        let mut ids = std::collections::HashSet::new();
        for client in &self.clients {
            if let Some(brand) = &client.brand
                && !self.brands.iter().any(|b| &b.id == brand) {
                    problems.push(format!("clients: client {:?} names brand {brand:?}, which is not declared", client.id));
                }
            if !ids.insert(client.id.as_str()) {
                problems.push(format!("clients: client id {:?} is declared twice", client.id));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(ConfigError(problems.join("\n"))) }
    }
}

pub fn issuer_url(issuer: &str) -> Result<Url, String> {
    let url = Url::parse(issuer).map_err(|e| format!("{issuer:?} is not a URL ({e})"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment (OpenID Connect Discovery §2)".into());
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")) => Ok(url),
        "http" => Err("must use https; plain http is allowed only for localhost during development".into()),
        other => Err(format!("unsupported scheme {other:?}; use https")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ResourceConfig;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn plain_http_only_on_localhost() {
        assert!(issuer_url("http://localhost:8080").is_ok());
        assert!(issuer_url("https://id.example.com/oneid").is_ok());
        assert!(issuer_url("http://id.example.com").is_err());
        assert!(issuer_url("https://id.example.com?x=1").is_err());
    }

    #[test]
    fn bad_values_are_reported_together() {
        let mut config = Config::default();
        config.tokens.code_ttl = 0;
        config.log.format = "xml".into();
        let err = config.validate().unwrap_err().0;
        assert!(err.contains("tokens.code_ttl"), "{err}");
        assert!(err.contains("log.format"), "{err}");
    }

    #[test]
    fn resources_name_their_own_scopes_and_claims_about_the_person_only() {
        let resource = |scopes: &[&str], claims: &[&str]| ResourceConfig {
            uri: "https://messages.example.com".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            claims: claims.iter().map(|s| s.to_string()).collect(),
        };
        let check = |r: ResourceConfig| Config { resources: vec![r], ..Config::default() }.validate().map_err(|e| e.0);
        assert!(check(resource(&["messages:read"], &["email", "name"])).is_ok());
        assert!(check(resource(&["profile"], &[])).unwrap_err().contains("needs its own scopes"));
        assert!(check(resource(&["messages:read"], &["sub"])).unwrap_err().contains("cannot carry \"sub\""));
    }
}
