//! The security question (F26) for the support line: when a person calls, an agent
//! asks it and checks the answer with `oneid users check-answer`. It is never a way to
//! sign in or to reset a password. The answer is normalised (case, spacing) and stored
//! as an argon2id hash.

use serde_json::json;

use crate::audit::RequestMeta;
use crate::state::Ctx;
use crate::store::User;

use super::AccountError;
use super::fields::FieldErrors;
use super::profile::confirm_password;

/// The questions offered; each has a `question-…` message in every catalog.
pub const QUESTIONS: &[&str] = &["first-car", "birth-city", "childhood-friend", "first-school"];

/// Lower case, single spaces, no surrounding space: "  Golf   GTI " = "golf gti".
pub fn normalise(answer: &str) -> String {
    answer.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

pub async fn set(ctx: &Ctx, user: &User, question: &str, answer: &str, password: &str, meta: &RequestMeta) -> Result<(), AccountError> {
    let mut errors = FieldErrors::new();
    if !QUESTIONS.contains(&question) {
        errors.insert("question", "choice-invalid");
    }
    let answer = normalise(answer);
    if answer.chars().count() < 2 {
        errors.insert("answer", "field-required");
    } else if answer.chars().count() > 200 {
        errors.insert("answer", "field-too-long");
    }
    if !errors.is_empty() {
        return Err(AccountError::Fields(errors));
    }
    confirm_password(ctx, user, password).await?;
    let hash = ctx.hasher.hash(answer).await?;
    ctx.store.set_security_question(&user.id, question, &hash, ctx.now()).await?;
    ctx.audit("security_question_set", meta, Some(&user.id), None, json!({ "question": question })).await;
    Ok(())
}

/// Whether `answer` is the user's answer (for support staff; audited).
pub async fn check(ctx: &Ctx, user: &User, answer: &str, meta: &RequestMeta) -> Result<Option<bool>, AccountError> {
    let Some(hash) = user.security_answer_hash.clone() else { return Ok(None) };
    let matches = ctx.hasher.verify(Some(hash), normalise(answer)).await?.ok;
    ctx.audit("security_answer_checked", meta, Some(&user.id), None, json!({ "matched": matches })).await;
    Ok(Some(matches))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_compared_without_case_or_spacing() {
        assert_eq!(normalise("  Golf   GTI "), "golf gti");
        assert_eq!(normalise("MÜNCHEN"), "münchen");
    }

    #[test]
    fn every_question_has_a_message() {
        let keys = crate::i18n::Catalogs::keys("en");
        for q in QUESTIONS {
            assert!(keys.contains(&format!("question-{q}")), "{q}");
        }
    }
}
