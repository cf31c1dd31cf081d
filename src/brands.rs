//! Brands (F40): the name, colours, wordmark, sender and support contact that every page
//! and email of a client wears. Declared in the configuration (MINI and BMW ship as
//! examples next to the neutral `oneid` brand) and kept in memory; each brand's colours
//! are served as a small style sheet, so pages need no inline style under the CSP.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub const DEFAULT_BRAND: &str = "oneid";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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

/// The brands in memory, with each one's style sheet prepared.
pub struct Brands {
    by_id: HashMap<String, (BrandConfig, String)>,
}

impl Brands {
    pub fn new(brands: &[BrandConfig]) -> Brands {
        let by_id = brands.iter().map(|b| (b.id.clone(), (b.clone(), style_sheet(b)))).collect();
        Brands { by_id }
    }

    /// The brand `id`, or the default brand when `id` is unknown or absent.
    pub fn get(&self, id: Option<&str>) -> &BrandConfig {
        id.and_then(|id| self.by_id.get(id)).or_else(|| self.by_id.get(DEFAULT_BRAND)).map(|(b, _)| b).unwrap_or_else(|| {
            unreachable!("the configuration always has the default brand")
        })
    }

    pub fn exists(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The style sheet `brand-{id}.css`.
    pub fn style_sheet(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|(_, css)| css.as_str())
    }
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

    #[test]
    fn unknown_brands_fall_back_to_the_default() {
        let brands = Brands::new(&default_brands());
        assert_eq!(brands.get(Some("mini")).name, "MINI ID");
        assert_eq!(brands.get(Some("nope")).id, DEFAULT_BRAND);
        assert_eq!(brands.get(None).id, DEFAULT_BRAND);
    }
}
