//! Brands (F40): the name, colours, wordmark, sender and support contact that every page
//! and email of a client wears. Declared in the configuration (MINI and BMW ship as
//! examples next to the neutral `oneid` brand) or by an administrator, stored in the
//! database and kept in memory; each brand's colours
//! are served as a small style sheet, so pages need no inline style under the CSP.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::store::{BrandRecord, Store, StoreError};

pub const DEFAULT_BRAND: &str = "oneid";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandConfig {
    /// Lower-case letters, digits and '-'; clients name their brand by it.
    pub id: String,
    /// The product name people see: "MINI ID".
    pub name: String,
    /// The text of the logo at the top of every page.
    pub wordmark: String,
    /// Buttons, links and the wordmark.
    pub accent_color: String,
    /// Text on the accent colour.
    pub accent_text_color: String,
    pub background_color: String,
    /// The sender of this brand's emails: `Name <address>`.
    pub mail_from: String,
    /// Where people can get help (an email address or a URL), shown on pages and emails.
    pub support: String,
}

pub fn default_brands() -> Vec<BrandConfig> {
    let brand = |id: &str, name: &str, wordmark: &str, accent: &str, on_accent: &str, background: &str, domain: &str| BrandConfig {
        id: id.into(),
        name: name.into(),
        wordmark: wordmark.into(),
        accent_color: accent.into(),
        accent_text_color: on_accent.into(),
        background_color: background.into(),
        mail_from: format!("{name} <no-reply@{domain}>"),
        support: format!("support@{domain}"),
    };
    vec![
        brand(DEFAULT_BRAND, "oneid", "oneid", "#1c69d4", "#ffffff", "#f4f5f7", "oneid.localhost"),
        brand("mini", "MINI ID", "MINI", "#000000", "#ffffff", "#f2f2f2", "mini.example.com"),
        brand("bmw", "BMW ID", "BMW", "#1c69d4", "#ffffff", "#f4f5f7", "bmw.example.com"),
    ]
}

/// Problems with the declared brands, one message per problem.
pub fn validate(brands: &[BrandConfig]) -> Vec<String> {
    let mut problems = Vec::new();
    if !brands.iter().any(|b| b.id == DEFAULT_BRAND) {
        problems.push(format!("brands: a brand with id {DEFAULT_BRAND:?} is required (pages without a client use it)"));
    }
    let mut seen = std::collections::HashSet::new();
    for b in brands {
        let at = format!("brands.{}", b.id);
        if !valid_id(&b.id) {
            problems.push(format!("brands: id {:?} must be 1 to 32 characters of a-z, 0-9 and '-'", b.id));
        }
        if !seen.insert(b.id.as_str()) {
            problems.push(format!("brands: id {:?} is declared twice", b.id));
        }
        for (field, value) in [("accent_color", &b.accent_color), ("accent_text_color", &b.accent_text_color), ("background_color", &b.background_color)] {
            if !is_hex_color(value) {
                problems.push(format!("{at}.{field}: must be a colour like #1c69d4, got {value:?}"));
            }
        }
        if b.name.trim().is_empty() || b.wordmark.trim().is_empty() {
            problems.push(format!("{at}: name and wordmark must not be empty"));
        }
        if b.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            problems.push(format!("{at}.mail_from: must be an address like \"MINI ID <no-reply@mini.example.com>\", got {:?}", b.mail_from));
        }
    }
    problems
}

pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_hex_color(value: &str) -> bool {
    value.strip_prefix('#').is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Where a brand is declared: the config file (changed only there) or the database
/// (the console and the admin API).
pub const MANAGED_BY_CONFIG: &str = "config";
pub const MANAGED_BY_DATABASE: &str = "database";

/// A brand and its style sheet.
pub struct Brand {
    pub config: BrandConfig,
    pub managed_by: String,
    css: String,
}

impl std::ops::Deref for Brand {
    type Target = BrandConfig;

    fn deref(&self) -> &BrandConfig {
        &self.config
    }
}

/// The brands in memory, reloaded like clients (see `protocol::clients::RELOAD_INTERVAL`).
pub struct Brands {
    store: Store,
    by_id: RwLock<Arc<HashMap<String, Arc<Brand>>>>,
}

impl Brands {
    pub async fn load(store: Store) -> Result<Brands, StoreError> {
        let brands = Brands { store, by_id: RwLock::new(Arc::default()) };
        brands.reload().await?;
        Ok(brands)
    }

    pub async fn reload(&self) -> Result<(), StoreError> {
        let map = self
            .store
            .all_brands()
            .await?
            .into_iter()
            .map(|record| {
                let (config, managed_by) = from_record(record);
                (config.id.clone(), Arc::new(Brand { css: style_sheet(&config), config, managed_by }))
            })
            .collect();
        *self.by_id.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(map);
        Ok(())
    }

    fn map(&self) -> Arc<HashMap<String, Arc<Brand>>> {
        self.by_id.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The brand `id`, or the default brand when `id` is unknown or absent.
    pub fn get(&self, id: Option<&str>) -> Arc<Brand> {
        let map = self.map();
        match id.and_then(|id| map.get(id)).or_else(|| map.get(DEFAULT_BRAND)) {
            Some(brand) => brand.clone(),
            // Start-up syncs the default brand; only a hand-edited database lacks it.
            None => Arc::new(Brand { css: String::new(), config: fallback(), managed_by: MANAGED_BY_CONFIG.into() }),
        }
    }

    pub fn exists(&self, id: &str) -> bool {
        self.map().contains_key(id)
    }

    pub fn all(&self) -> Vec<Arc<Brand>> {
        let mut all: Vec<_> = self.map().values().cloned().collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// The style sheet `brand-{id}.css`.
    pub fn style_sheet(&self, id: &str) -> Option<String> {
        self.map().get(id).map(|b| b.css.clone())
    }
}

fn fallback() -> BrandConfig {
    default_brands().swap_remove(0)
}

pub fn from_record(r: BrandRecord) -> (BrandConfig, String) {
    let config = BrandConfig {
        id: r.id,
        name: r.name,
        wordmark: r.wordmark,
        accent_color: r.accent_color,
        accent_text_color: r.accent_text_color,
        background_color: r.background_color,
        mail_from: r.mail_from,
        support: r.support,
    };
    (config, r.managed_by)
}

pub fn to_record(b: &BrandConfig, managed_by: &str, now: UnixTime) -> BrandRecord {
    BrandRecord {
        id: b.id.clone(),
        name: b.name.clone(),
        wordmark: b.wordmark.clone(),
        accent_color: b.accent_color.clone(),
        accent_text_color: b.accent_text_color.clone(),
        background_color: b.background_color.clone(),
        mail_from: b.mail_from.clone(),
        support: b.support.clone(),
        managed_by: managed_by.into(),
        updated_at: now,
    }
}

/// Makes the brands table match the config file: its brands are created or updated, and
/// config-declared brands no longer listed are removed. A brand created in the console
/// with the same id as a declared one is taken over by the file.
pub async fn sync_config_brands(store: &Store, declared: &[BrandConfig], now: UnixTime) -> Result<(), StoreError> {
    let existing = store.all_brands().await?;
    for brand in declared {
        let record = to_record(brand, MANAGED_BY_CONFIG, now);
        let same = existing.iter().any(|e| BrandRecord { updated_at: now, ..e.clone() } == record);
        if !same {
            store.upsert_brand(&record).await?;
        }
    }
    for gone in existing.iter().filter(|e| e.managed_by == MANAGED_BY_CONFIG && !declared.iter().any(|b| b.id == e.id)) {
        store.delete_brand(&gone.id).await?;
        tracing::info!(brand = %gone.id, "removed brand no longer declared in the config file");
    }
    Ok(())
}

fn style_sheet(b: &BrandConfig) -> String {
    // Validated as hex colours, so nothing here can break out of the declaration.
    format!(":root {{ --accent: {}; --on-accent: {}; --bg: {}; }}\n", b.accent_color, b.accent_text_color, b.background_color)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_brands_are_valid() {
        assert_eq!(validate(&default_brands()), Vec::<String>::new());
    }

    #[test]
    fn colours_and_ids_are_checked() {
        let mut brands = default_brands();
        brands[1].accent_color = "red; } body { display: none".into();
        brands[2].id = "BMW".into();
        let problems = validate(&brands).join("\n");
        assert!(problems.contains("brands.mini.accent_color"), "{problems}");
        assert!(problems.contains("\"BMW\""), "{problems}");
    }

}
