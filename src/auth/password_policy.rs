//! Which new passwords are accepted (NIST SP 800-63B §5.1.1): long enough, not too long
//! for the hasher, no composition rules, and not easy to guess: zxcvbn, whose
//! dictionaries include the common-password lists, must score it at least 3 of 4, and
//! it must not contain the person's email address or name.

/// Longer passwords are accepted up to this many characters.
pub const PASSWORD_MAX: usize = 1024;
/// zxcvbn's matching grows quickly with length; what is beyond this prefix only adds
/// strength, so the prefix decides.
const STRENGTH_PREFIX: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Weak,
    Personal,
}

impl PasswordProblem {
    /// The message key that explains the problem.
    pub fn message(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password-too-short",
            PasswordProblem::TooLong => "password-too-long",
            PasswordProblem::Weak => "password-weak",
            PasswordProblem::Personal => "password-personal",
        }
    }
}

/// `personal` holds the email address and names the password must not contain.
pub fn check(password: &str, min_length: usize, personal: &[&str]) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < min_length {
        return Err(PasswordProblem::TooShort);
    }
    if length > PASSWORD_MAX {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    let mut inputs: Vec<String> = Vec::new();
    for value in personal.iter().map(|v| v.trim().to_lowercase()).filter(|v| !v.is_empty()) {
        if let Some((local, _)) = value.split_once('@') {
            inputs.push(local.to_string());
        }
        inputs.push(value);
    }
    if inputs.iter().any(|i| i.chars().count() >= 3 && lower.contains(i.as_str())) {
        return Err(PasswordProblem::Personal);
    }
    let prefix: String = password.chars().take(STRENGTH_PREFIX).collect();
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    if zxcvbn::zxcvbn(&prefix, &inputs).score() < zxcvbn::Score::Three {
        return Err(PasswordProblem::Weak);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        let me = ["alice@example.com", "Alice", "Liddell"];
        assert_eq!(check("short", 8, &me), Err(PasswordProblem::TooShort));
        assert_eq!(check("password123", 8, &me), Err(PasswordProblem::Weak));
        assert_eq!(check("qwertyuiop", 8, &me), Err(PasswordProblem::Weak));
        assert_eq!(check("alice-in-wonderland-77", 8, &me), Err(PasswordProblem::Personal));
        assert_eq!(check("LIDDELL rides the tram home", 8, &me), Err(PasswordProblem::Personal));
        assert_eq!(check(&"x".repeat(PASSWORD_MAX + 1), 8, &me), Err(PasswordProblem::TooLong));
        assert_eq!(check("correct horse battery staple", 8, &me), Ok(()));
        // No composition rules: a long lower-case phrase is fine, and so is Unicode.
        assert_eq!(check("tramways sing under violet bridges", 8, &me), Ok(()));
        assert_eq!(check("Zürich Straßenbahn fährt über Brücken", 8, &me), Ok(()));
    }
}
