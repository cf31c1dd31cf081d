//! Policies an administrator changes while oneid runs (F50): password, lockout, second
//! factor, PIN, token and session lifetimes, proof of work. The config file gives each
//! one's value; the administrator's changes are stored as one JSON document on top of
//! it (setting a key to `null` goes back to the file's value). The effective
//! configuration is the file with those changes merged in and checked by the same
//! rules as the file; every instance reloads it within `protocol::clients::RELOAD_INTERVAL`.

use std::sync::{Arc, RwLock};

use serde_json::{Map, Value};

use crate::config::Config;
use crate::store::{Store, StoreError};

/// The settings row that holds the administrator's changes.
const SETTING: &str = "policy";

/// Every key an administrator may change, by config section.
pub const KEYS: &[(&str, &[&str])] = &[
    ("accounts", &["registration", "password_min_length", "pow_difficulty", "activation_ttl", "reset_ttl", "email_change_ttl", "resend_cooldown", "terms_url"]),
    ("lockout", &["threshold", "base_duration", "growth", "max_duration", "pow_after", "known_device_threshold"]),
    ("second_factor", &["brands", "clients"]),
    ("pin", &["min_length", "max_length", "max_attempts", "unlock_ttl"]),
    (
        "tokens",
        &["signing_alg", "access_token_ttl", "id_token_ttl", "code_ttl", "refresh_token_idle_ttl", "refresh_token_max_ttl", "refresh_reuse_grace", "authorization_request_ttl"],
    ),
    ("session", &["ttl"]),
    ("devices", &["require", "remember_days"]),
    ("dpop", &["require_nonce"]),
];

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Unknown keys and values the rules refuse, one message per problem, each starting
    /// with `section.key:`.
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
    /// Others kept changing the policy at the same moment.
    #[error("the policy was being changed elsewhere at the same time; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The policy values of `config`, by section: what the API and the console show.
pub fn values(config: &Config) -> Value {
    let all = serde_json::to_value(config).unwrap_or_default();
    let mut out = Map::new();
    for (section, keys) in KEYS {
        let mut values = Map::new();
        for key in *keys {
            values.insert(key.to_string(), all[section][key].clone());
        }
        out.insert(section.to_string(), Value::Object(values));
    }
    Value::Object(out)
}

/// `changes` (a JSON merge patch, RFC 7396, over the section/key tree) applied to the
/// stored `overrides`: only known keys, `null` removes an override.
pub fn patch(overrides: &Value, changes: &Value) -> Result<Value, PolicyError> {
    let Some(changes) = changes.as_object() else { return Err(PolicyError::Invalid(vec!["the policy change must be a JSON object of sections".into()])) };
    let mut merged = overrides.as_object().cloned().unwrap_or_default();
    let mut problems = Vec::new();
    for (section, keys) in changes {
        let Some((_, known)) = KEYS.iter().find(|(s, _)| s == section) else {
            problems.push(format!("{section}: not a policy section (expected one of: {})", KEYS.iter().map(|(s, _)| *s).collect::<Vec<_>>().join(", ")));
            continue;
        };
        let Some(keys) = keys.as_object() else {
            problems.push(format!("{section}: must be an object of keys"));
            continue;
        };
        let target = merged.entry(section.clone()).or_insert_with(|| Value::Object(Map::new()));
        let Some(target) = target.as_object_mut() else { continue };
        for (key, value) in keys {
            if !known.contains(&key.as_str()) {
                problems.push(format!("{section}.{key}: not a policy key (expected one of: {})", known.join(", ")));
            } else if value.is_null() {
                target.remove(key);
            } else {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    merged.retain(|_, keys| keys.as_object().is_some_and(|k| !k.is_empty()));
    if problems.is_empty() { Ok(Value::Object(merged)) } else { Err(PolicyError::Invalid(problems)) }
}

/// The file's configuration with `overrides` merged in, checked as a whole.
pub fn apply(file: &Config, overrides: &Value) -> Result<Config, PolicyError> {
    let mut all = serde_json::to_value(file).map_err(|e| PolicyError::Invalid(vec![e.to_string()]))?;
    // Only known keys: a stored document is never trusted to name other parts of the config.
    for (section, keys) in KEYS {
        for key in *keys {
            if let Some(value) = overrides.get(section).and_then(|s| s.get(key)) {
                all[section][key] = value.clone();
            }
        }
    }
    let config: Config = serde_json::from_value(all).map_err(|e| PolicyError::Invalid(vec![type_problem(overrides, &e)]))?;
    config.validate().map_err(|e| PolicyError::Invalid(e.0.lines().map(str::to_string).collect()))?;
    Ok(config)
}

/// serde names the wrong type but not where; the overrides are few, so name them all.
fn type_problem(overrides: &Value, e: &serde_json::Error) -> String {
    let keys: Vec<String> = overrides
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(s, keys)| keys.as_object().into_iter().flatten().map(move |(k, _)| format!("{s}.{k}")))
        .collect();
    format!("{}: a value has the wrong type ({e})", keys.join(", "))
}

/// The effective configuration in memory, replaced whole when the policy changes.
pub struct Policies {
    file: Config,
    current: RwLock<(Arc<Config>, Value)>,
}

impl Policies {
    pub async fn load(file: Config, store: &Store) -> Result<Policies, PolicyError> {
        let policies = Policies { current: RwLock::new((Arc::new(file.clone()), Value::Object(Map::new()))), file };
        policies.reload(store).await?;
        Ok(policies)
    }

    /// The configuration with the administrator's policy changes applied.
    pub fn current(&self) -> Arc<Config> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).0.clone()
    }

    /// The administrator's changes, by section.
    pub fn overrides(&self) -> Value {
        self.current.read().unwrap_or_else(|p| p.into_inner()).1.clone()
    }

    /// The config file's own values, before any change.
    pub fn file(&self) -> &Config {
        &self.file
    }

    /// Reads the stored changes. Changes the file's rules no longer accept (after a
    /// config change or an upgrade) are ignored with a warning rather than stopping the
    /// server (until the stored changes change).
    pub async fn reload(&self, store: &Store) -> Result<(), PolicyError> {
        let overrides = match store.setting(SETTING).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "stored policy is not JSON; ignored");
                Value::Object(Map::new())
            }),
            None => Value::Object(Map::new()),
        };
        // Every few seconds, and almost always unchanged: check and swap only on a change.
        if overrides == self.overrides() {
            return Ok(());
        }
        let config = match apply(&self.file, &overrides) {
            Ok(config) => config,
            Err(e) => {
                tracing::warn!(error = %e, "stored policy changes do not fit the configuration; the file's values apply");
                self.file.clone()
            }
        };
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = (Arc::new(config), overrides);
        Ok(())
    }

    /// Applies `changes` on top of the stored changes (not this instance's copy, which
    /// may be seconds old), written only if nobody wrote in between; returns the policy
    /// values before and after.
    pub async fn change(&self, store: &Store, changes: &Value, now: crate::clock::UnixTime) -> Result<(Value, Value), PolicyError> {
        for _ in 0..3 {
            let stored = store.setting(SETTING).await?;
            let current = stored.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_else(|| Value::Object(Map::new()));
            let before = values(&apply(&self.file, &current).unwrap_or_else(|_| self.file.clone()));
            let overrides = patch(&current, changes)?;
            let config = apply(&self.file, &overrides)?;
            let after = values(&config);
            if store.replace_setting(SETTING, stored.as_deref(), &overrides.to_string(), now).await? {
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = (Arc::new(config), overrides);
                return Ok((before, after));
            }
        }
        Err(PolicyError::Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_merge_and_null_goes_back_to_the_file() {
        let first = patch(&json!({}), &json!({ "lockout": { "threshold": 3 }, "pin": { "max_attempts": 5 } })).unwrap();
        let second = patch(&first, &json!({ "pin": { "max_attempts": null } })).unwrap();
        assert_eq!(second, json!({ "lockout": { "threshold": 3 } }));
        let config = apply(&Config::default(), &second).unwrap();
        assert_eq!(config.lockout.threshold, 3);
        assert_eq!(config.pin.max_attempts, Config::default().pin.max_attempts);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let err = patch(&json!({}), &json!({ "database": { "url": "x" }, "lockout": { "nope": 1 } })).unwrap_err().to_string();
        assert!(err.contains("database: not a policy section") && err.contains("lockout.nope"), "{err}");
        let err = apply(&Config::default(), &json!({ "lockout": { "threshold": 0 } })).unwrap_err().to_string();
        assert!(err.contains("lockout.threshold"), "{err}");
        let err = apply(&Config::default(), &json!({ "lockout": { "threshold": "many" } })).unwrap_err().to_string();
        assert!(err.contains("lockout.threshold") && err.contains("wrong type"), "{err}");
    }

    #[test]
    fn every_key_is_in_the_config() {
        let all = serde_json::to_value(Config::default()).unwrap();
        for (section, keys) in KEYS {
            for key in *keys {
                assert!(all[section].get(key).is_some(), "{section}.{key}");
            }
        }
    }
}
