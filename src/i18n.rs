//! Languages (F41): Fluent catalogs for every supported language, compiled into the
//! binary, and the choice of language for a page or an email. The order of preference
//! is an explicit choice (the language switch), then the client's `ui_locales`, then
//! the user's preferred language, then `Accept-Language`, then English.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// Supported languages: code and name in that language (for the language switch).
pub const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("fr", "Français"), ("de", "Deutsch")];
pub const DEFAULT: &str = "en";

const CATALOGS: &[(&str, &str)] = &[
    ("en", include_str!("../templates/locales/en/main.ftl")),
    ("fr", include_str!("../templates/locales/fr/main.ftl")),
    ("de", include_str!("../templates/locales/de/main.ftl")),
];

/// The catalogs, each parsed when a page or an email first needs it and then kept
/// (all three parsed take 0.85 MB; an instance may never need some). They are compiled
/// in, and a test parses every one.
pub struct Catalogs {
    bundles: [OnceLock<FluentBundle<FluentResource>>; CATALOGS.len()],
}

impl Default for Catalogs {
    fn default() -> Catalogs {
        Catalogs { bundles: std::array::from_fn(|_| OnceLock::new()) }
    }
}

/// One catalog as a bundle; a syntax error or a duplicate key is an error.
fn parse((code, source): (&str, &str)) -> Result<FluentBundle<FluentResource>, String> {
    let resource = FluentResource::try_new(source.to_string()).map_err(|(_, errors)| format!("locales/{code}: {errors:?}"))?;
    let id: LanguageIdentifier = code.parse().map_err(|e| format!("locales/{code}: {e}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Pages and emails are not bidirectional text; isolation marks would show up in
    // subjects and plain-text mail.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).map_err(|errors| format!("locales/{code}: {errors:?}"))?;
    Ok(bundle)
}

impl Catalogs {
    fn bundle(&self, code: &str) -> Option<&FluentBundle<FluentResource>> {
        let i = CATALOGS.iter().position(|(c, _)| *c == code)?;
        Some(self.bundles[i].get_or_init(|| {
            parse(CATALOGS[i]).unwrap_or_else(|error| {
                tracing::error!(%error, "message catalog does not parse");
                FluentBundle::new_concurrent(Vec::new())
            })
        }))
    }

    /// The message `key` in `lang` with `args` filled in; English when the language
    /// lacks it, and the key itself when no catalog has it (a test keeps that from
    /// happening).
    pub fn message(&self, lang: &str, key: &str, args: &[(&str, String)]) -> String {
        for code in [lang, DEFAULT] {
            let Some(bundle) = self.bundle(code) else { continue };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else { continue };
            let mut fluent_args = FluentArgs::new();
            for (name, value) in args {
                fluent_args.set(*name, FluentValue::from(value.as_str()));
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, lang = code, ?errors, "message formatted with errors");
            }
            return text.into_owned();
        }
        tracing::warn!(key, lang, "message missing from every catalog");
        key.to_string()
    }

    /// The message keys of `lang`'s catalog, for completeness checks.
    pub fn keys(lang: &str) -> Vec<String> {
        let source = CATALOGS.iter().find(|(code, _)| *code == lang).map_or("", |(_, s)| s);
        source
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
            .collect()
    }
}

/// A supported language code for `tag` (`fr-CA` → `fr`), if there is one.
pub fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES.iter().map(|(code, _)| *code).find(|code| *code == primary)
}

/// The first supported language in a space-separated `ui_locales` (OIDC Core §3.1.2.1).
pub fn from_ui_locales(ui_locales: &str) -> Option<&'static str> {
    ui_locales.split(' ').find_map(supported)
}

/// The best supported language in an `Accept-Language` header, by quality.
pub fn from_accept_language(header: &str) -> Option<&'static str> {
    let mut ranked: Vec<(f32, usize, &'static str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let code = supported(parts.next()?)?;
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (quality > 0.0).then_some((quality, position, code))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.first().map(|(_, _, code)| *code)
}

/// The language to use: the first that is supported of, in order, an explicit choice,
/// `ui_locales`, the user's preference and `Accept-Language`; else English.
pub fn choose(explicit: Option<&str>, ui_locales: Option<&str>, user: Option<&str>, accept_language: Option<&str>) -> &'static str {
    explicit
        .and_then(supported)
        .or_else(|| ui_locales.and_then(from_ui_locales))
        .or_else(|| user.and_then(supported))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preference_order() {
        assert_eq!(choose(Some("de"), Some("fr"), Some("en"), None), "de");
        assert_eq!(choose(None, Some("es fr-CA"), Some("de"), None), "fr");
        assert_eq!(choose(None, Some("es"), Some("de"), Some("fr")), "de");
        assert_eq!(choose(None, None, None, Some("es, fr;q=0.5, de;q=0.8")), "de");
        assert_eq!(choose(None, None, None, Some("fr;q=0, es")), "en");
        assert_eq!(choose(Some("xx"), None, None, None), "en");
    }

    #[test]
    fn every_language_has_every_message() {
        let english = Catalogs::keys("en");
        assert!(english.len() > 20, "found the English keys");
        for (code, _) in LANGUAGES {
            let keys = Catalogs::keys(code);
            let missing: Vec<_> = english.iter().filter(|k| !keys.contains(k)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
            let extra: Vec<_> = keys.iter().filter(|k| !english.contains(k)).collect();
            assert!(extra.is_empty(), "{code} has keys English lacks: {extra:?}");
            let source = CATALOGS.iter().find(|(c, _)| c == code).expect("a catalog");
            let bundle = parse(*source).expect("the catalog parses");
            for key in &keys {
                assert!(bundle.has_message(key), "{code}: {key} does not parse as a message");
            }
        }
    }
}
