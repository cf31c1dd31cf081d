//! Scope values (RFC 6749 §3.3): parsing and subset checks through oxide-auth's `Scope`,
//! with a stable, sorted rendering for responses and storage.

use std::str::FromStr;

use oxide_auth::primitives::scope::Scope;

/// The OpenID Connect scopes; they only make sense with a user.
pub const OPENID: &str = "openid";
pub const OFFLINE_ACCESS: &str = "offline_access";
pub const USER_SCOPES: &[&str] = &["openid", "profile", "email", "phone", "address", "offline_access"];

/// The admin API on behalf of an administrator; granted only to users with the admin role.
pub const ADMIN: &str = "oneid:admin";
/// The admin API for automation: a client's own token (client credentials).
pub const ADMIN_AUTOMATION: &str = "oneid:admin:automation";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scopes(Scope);

impl Scopes {
    pub fn empty() -> Scopes {
        Scopes::parse("").unwrap_or_else(|| unreachable!("the empty scope always parses"))
    }

    /// `None` when a character outside RFC 6749's NQCHAR appears.
    pub fn parse(text: &str) -> Option<Scopes> {
        Scope::from_str(text).ok().map(Scopes)
    }

    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<Scopes> {
        Scopes::parse(&names.into_iter().collect::<Vec<_>>().join(" "))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|s| s == name)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().next().is_none()
    }

    /// Every value of `self` is also in `other`.
    pub fn is_subset_of(&self, other: &Scopes) -> bool {
        other.0.priviledged_to(&self.0)
    }

    /// The values in sorted order.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.0.iter().collect();
        names.sort_unstable();
        names
    }

    pub fn union(&self, other: &Scopes) -> Scopes {
        Scopes::from_names(self.names().into_iter().chain(other.names())).unwrap_or_else(|| self.clone())
    }

    /// The values of `self` that are not in `other`.
    pub fn minus(&self, other: &Scopes) -> Scopes {
        Scopes::from_names(self.names().into_iter().filter(|n| !other.contains(n))).unwrap_or_else(|| self.clone())
    }

    pub fn retain(&self, keep: impl Fn(&str) -> bool) -> Scopes {
        Scopes::from_names(self.names().into_iter().filter(|n| keep(n))).unwrap_or_else(|| self.clone())
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.names().join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sorts_and_compares() {
        let asked = Scopes::parse("openid  email").unwrap();
        let allowed = Scopes::parse("email profile openid").unwrap();
        assert_eq!(asked.to_string(), "email openid");
        assert!(asked.is_subset_of(&allowed));
        assert!(!allowed.is_subset_of(&asked));
        assert_eq!(allowed.minus(&asked).to_string(), "profile");
        assert!(Scopes::parse("bad\"scope").is_none());
        assert!(Scopes::parse("").unwrap().is_empty());
    }
}
