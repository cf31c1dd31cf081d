//! Request parameters as a list of pairs, so that repeated parameters are caught
//! (RFC 6749 §3.1, §3.2: parameters MUST NOT be included more than once) and empty ones
//! are treated as absent.

use super::error::OAuthError;

#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Params {
        Params(pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect())
    }

    /// The value of `name`, or `invalid_request` when it is repeated.
    pub fn get(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(OAuthError::invalid_request(format!("parameter {name} must not be repeated")));
        }
        Ok(first)
    }

    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)?.ok_or_else(|| OAuthError::invalid_request(format!("parameter {name} is required")))
    }

    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The parameters as a query string.
    pub fn to_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(self.pairs()).finish()
    }

    /// The first parameter name that appears more than once.
    pub fn repeated(&self) -> Option<&str> {
        self.0.iter().enumerate().find(|(i, (k, _))| self.0[..*i].iter().any(|(k2, _)| k2 == k)).map(|(_, (k, _))| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_empty_parameters() {
        let p = Params::from_pairs([("a".into(), "1".into()), ("b".into(), "".into()), ("a".into(), "2".into())]);
        assert!(p.get("a").is_err());
        assert_eq!(p.get("b").unwrap(), None);
        assert_eq!(p.repeated(), Some("a"));
        assert!(p.require("c").is_err());
    }
}
