//! The personal data a person enters at registration and in their profile, checked
//! field by field so that each problem is shown next to its field (as a message key).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::i18n;

/// Field name → message key of its problem.
pub type FieldErrors = BTreeMap<&'static str, &'static str>;

/// Countries offered for "country of residence" (ISO 3166-1 alpha-2); each has a
/// `country-XX` message in every catalog.
pub const COUNTRIES: &[&str] = &[
    "AT", "AU", "BE", "BG", "BR", "CA", "CH", "CN", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IN",
    "IS", "IT", "JP", "KR", "LI", "LT", "LU", "LV", "MC", "MT", "MX", "NL", "NO", "NZ", "PL", "PT", "RO", "SE", "SG", "SI", "SK", "TR",
    "US", "ZA",
];
pub const SALUTATIONS: &[&str] = &["ms", "mr", "mx"];
const MAX_NAME: usize = 100;
const MAX_LINE: usize = 200;

/// Checked personal data, ready to store.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Profile {
    pub salutation: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub country: String,
    pub locale: String,
    /// E.164 (`+447700900123`).
    pub phone_number: Option<String>,
    /// The OIDC `address` claim (Core §5.1.1) as JSON, when any part was given.
    pub address: Option<String>,
}

/// Reads and checks the profile fields; `get` returns a submitted field.
pub fn profile<'a>(get: impl Fn(&str) -> Option<&'a str>, errors: &mut FieldErrors) -> Profile {
    let mut text = |name: &'static str, max: usize, required: bool| -> Option<String> {
        let value = get(name).map(str::trim).filter(|v| !v.is_empty());
        match value {
            None if required => {
                errors.insert(name, "field-required");
                None
            }
            None => None,
            Some(v) if v.chars().count() > max => {
                errors.insert(name, "field-too-long");
                None
            }
            Some(v) if v.chars().any(|c| c.is_control() || matches!(c, '<' | '>' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')) => {
                errors.insert(name, "field-invalid-characters");
                None
            }
            Some(v) => Some(v.to_string()),
        }
    };
    let given_name = text("given_name", MAX_NAME, true).unwrap_or_default();
    let family_name = text("family_name", MAX_NAME, true).unwrap_or_default();
    let street = text("street_address", MAX_LINE, false);
    let postal_code = text("postal_code", 20, false);
    let locality = text("locality", MAX_NAME, false);
    let salutation = match get("salutation").map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(s) if SALUTATIONS.contains(&s) => Some(s.to_string()),
        Some(_) => {
            errors.insert("salutation", "choice-invalid");
            None
        }
    };
    let country = match get("country").map(str::trim) {
        Some(c) if COUNTRIES.contains(&c) => c.to_string(),
        Some("") | None => {
            errors.insert("country", "field-required");
            String::new()
        }
        Some(_) => {
            errors.insert("country", "country-invalid");
            String::new()
        }
    };
    let locale = match get("locale").map(str::trim).filter(|v| !v.is_empty()) {
        None => i18n::DEFAULT.to_string(),
        Some(l) => match i18n::LANGUAGES.iter().find(|(code, _)| *code == l) {
            Some((code, _)) => code.to_string(),
            None => {
                errors.insert("locale", "choice-invalid");
                i18n::DEFAULT.to_string()
            }
        },
    };
    let phone_number = match get("phone_number").map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(raw) => match e164(raw) {
            Some(number) => Some(number),
            None => {
                errors.insert("phone_number", "phone-invalid");
                None
            }
        },
    };
    let address = (street.is_some() || postal_code.is_some() || locality.is_some()).then(|| {
        let mut claim = serde_json::Map::new();
        let city_line = [postal_code.as_deref(), locality.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let formatted = [street.clone().unwrap_or_default(), city_line].into_iter().filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
        claim.insert("formatted".into(), json!(formatted));
        for (name, value) in [("street_address", &street), ("postal_code", &postal_code), ("locality", &locality)] {
            if let Some(v) = value {
                claim.insert(name.into(), json!(v));
            }
        }
        if !country.is_empty() {
            claim.insert("country".into(), json!(country));
        }
        serde_json::Value::Object(claim).to_string()
    });
    Profile { salutation, given_name, family_name, country, locale, phone_number, address }
}

/// A phone number in E.164 form: `+`, country code and number, 8 to 15 digits; spaces,
/// dashes, dots and parentheses are dropped, and a leading `00` counts as `+`.
pub fn e164(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')).collect();
    let digits = compact.strip_prefix('+').or_else(|| compact.strip_prefix("00"))?;
    let valid = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    valid.then(|| format!("+{digits}"))
}

/// The parts of a stored `address` claim, for the profile form.
pub fn address_parts(address: Option<&str>) -> (String, String, String) {
    let claim: serde_json::Value = address.and_then(|a| serde_json::from_str(a).ok()).unwrap_or_default();
    let part = |name: &str| claim.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    (part("street_address"), part("postal_code"), part("locality"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_choice_has_a_message() {
        let keys = crate::i18n::Catalogs::keys("en");
        let wanted = COUNTRIES.iter().map(|c| format!("country-{c}")).chain(SALUTATIONS.iter().chain(&["none"]).map(|s| format!("salutation-{s}")));
        for key in wanted {
            assert!(keys.contains(&key), "{key} is missing from the catalogs");
        }
    }

    #[test]
    fn phone_numbers_become_e164() {
        assert_eq!(e164("+44 7700 900123").as_deref(), Some("+447700900123"));
        assert_eq!(e164("0049 (151) 234-56789").as_deref(), Some("+4915123456789"));
        assert_eq!(e164("07700 900123"), None, "a national number has no country code");
        assert_eq!(e164("+1 555"), None);
        assert_eq!(e164("+44 77OO 900123"), None);
    }

    #[test]
    fn every_field_reports_its_own_problem() {
        let form = [("given_name", "  "), ("family_name", "<script>"), ("country", "XX"), ("salutation", "dr"), ("phone_number", "12")];
        let mut errors = FieldErrors::new();
        profile(|name| form.iter().find(|(k, _)| *k == name).map(|(_, v)| *v), &mut errors);
        assert_eq!(errors["given_name"], "field-required");
        assert_eq!(errors["family_name"], "field-invalid-characters");
        assert_eq!(errors["country"], "country-invalid");
        assert_eq!(errors["salutation"], "choice-invalid");
        assert_eq!(errors["phone_number"], "phone-invalid");
    }

    #[test]
    fn an_address_is_an_oidc_address_claim() {
        let form = [("given_name", "Anne"), ("family_name", "Muster"), ("country", "DE"), ("street_address", "Petuelring 130"), ("postal_code", "80809"), ("locality", "München")];
        let mut errors = FieldErrors::new();
        let p = profile(|name| form.iter().find(|(k, _)| *k == name).map(|(_, v)| *v), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let claim: serde_json::Value = serde_json::from_str(p.address.as_deref().unwrap()).unwrap();
        assert_eq!(claim["formatted"], "Petuelring 130\n80809 München");
        assert_eq!(claim["country"], "DE");
        assert_eq!(address_parts(p.address.as_deref()), ("Petuelring 130".into(), "80809".into(), "München".into()));
    }
}
