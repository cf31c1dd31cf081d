//! HTML and email templates (minijinja), compiled into the binary and loaded once,
//! with strict undefined handling so a missing value is a bug, not an empty string.
//! Text comes from the Fluent catalogs through `t("key", name=value)`, in the language
//! the context's `lang` names.

use std::sync::Arc;

use minijinja::value::Kwargs;
use minijinja::{Environment, State, UndefinedBehavior, Value};

use crate::i18n::Catalogs;

/// Every template, by name; the files live in `templates/`.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("notice.html", include_str!("../templates/notice.html")),
    ("fields.html", include_str!("../templates/fields.html")),
    ("password_toggle.html", include_str!("../templates/password_toggle.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("login/password.html", include_str!("../templates/login/password.html")),
    ("login/cancel.html", include_str!("../templates/login/cancel.html")),
    ("login/consent.html", include_str!("../templates/login/consent.html")),
    ("login/form_post.html", include_str!("../templates/login/form_post.html")),
    ("logout/confirm.html", include_str!("../templates/logout/confirm.html")),
    ("logout/done.html", include_str!("../templates/logout/done.html")),
    ("account/register.html", include_str!("../templates/account/register.html")),
    ("account/email_form.html", include_str!("../templates/account/email_form.html")),
    ("account/confirm_link.html", include_str!("../templates/account/confirm_link.html")),
    ("account/reset.html", include_str!("../templates/account/reset.html")),
    ("account/profile.html", include_str!("../templates/account/profile.html")),
    ("account/password.html", include_str!("../templates/account/password.html")),
    ("account/email.html", include_str!("../templates/account/email.html")),
    ("account/delete.html", include_str!("../templates/account/delete.html")),
    ("email/base.html", include_str!("../templates/email/base.html")),
    ("email/base.txt", include_str!("../templates/email/base.txt")),
    ("email/button.html", include_str!("../templates/email/button.html")),
    ("email/activation.html", include_str!("../templates/email/activation.html")),
    ("email/activation.txt", include_str!("../templates/email/activation.txt")),
    ("email/already_registered.html", include_str!("../templates/email/already_registered.html")),
    ("email/already_registered.txt", include_str!("../templates/email/already_registered.txt")),
    ("email/password_reset.html", include_str!("../templates/email/password_reset.html")),
    ("email/password_reset.txt", include_str!("../templates/email/password_reset.txt")),
    ("email/password_changed.html", include_str!("../templates/email/password_changed.html")),
    ("email/password_changed.txt", include_str!("../templates/email/password_changed.txt")),
    ("email/email_change.html", include_str!("../templates/email/email_change.html")),
    ("email/email_change.txt", include_str!("../templates/email/email_change.txt")),
    ("email/email_changed.html", include_str!("../templates/email/email_changed.html")),
    ("email/email_changed.txt", include_str!("../templates/email/email_changed.txt")),
    ("email/account_deleted.html", include_str!("../templates/email/account_deleted.html")),
    ("email/account_deleted.txt", include_str!("../templates/email/account_deleted.txt")),
    ("email/account_locked.html", include_str!("../templates/email/account_locked.html")),
    ("email/account_locked.txt", include_str!("../templates/email/account_locked.txt")),
    ("email/code.html", include_str!("../templates/email/code.html")),
    ("email/new_sign_in.html", include_str!("../templates/email/new_sign_in.html")),
    ("email/new_sign_in.txt", include_str!("../templates/email/new_sign_in.txt")),
    ("email/code.txt", include_str!("../templates/email/code.txt")),
    ("email/two_factor_enabled.html", include_str!("../templates/email/two_factor_enabled.html")),
    ("email/two_factor_enabled.txt", include_str!("../templates/email/two_factor_enabled.txt")),
    ("email/two_factor_disabled.html", include_str!("../templates/email/two_factor_disabled.html")),
    ("email/two_factor_disabled.txt", include_str!("../templates/email/two_factor_disabled.txt")),
    ("login/code.html", include_str!("../templates/login/code.html")),
    ("login/totp.html", include_str!("../templates/login/totp.html")),
    ("login/device.html", include_str!("../templates/login/device.html")),
    ("device/code.html", include_str!("../templates/device/code.html")),
    ("device/confirm.html", include_str!("../templates/device/confirm.html")),
    ("account/totp.html", include_str!("../templates/account/totp.html")),
    ("account/phone.html", include_str!("../templates/account/phone.html")),
    ("account/question.html", include_str!("../templates/account/question.html")),
    ("account/passkeys.html", include_str!("../templates/account/passkeys.html")),
    ("account/sessions.html", include_str!("../templates/account/sessions.html")),
    ("email/passkey_added.html", include_str!("../templates/email/passkey_added.html")),
    ("email/passkey_added.txt", include_str!("../templates/email/passkey_added.txt")),
    ("email/app_pin_locked.html", include_str!("../templates/email/app_pin_locked.html")),
    ("email/app_pin_locked.txt", include_str!("../templates/email/app_pin_locked.txt")),
    ("account/recovery_codes.html", include_str!("../templates/account/recovery_codes.html")),
    ("account/security.html", include_str!("../templates/account/security.html")),
    ("account/picture.html", include_str!("../templates/account/picture.html")),
    ("admin/base.html", include_str!("../templates/admin/base.html")),
    ("admin/home.html", include_str!("../templates/admin/home.html")),
    ("admin/audit_table.html", include_str!("../templates/admin/audit_table.html")),
    ("admin/audit.html", include_str!("../templates/admin/audit.html")),
    ("admin/pager.html", include_str!("../templates/admin/pager.html")),
    ("admin/confirm.html", include_str!("../templates/admin/confirm.html")),
    ("admin/refused.html", include_str!("../templates/admin/refused.html")),
    ("admin/secret.html", include_str!("../templates/admin/secret.html")),
    ("admin/clients.html", include_str!("../templates/admin/clients.html")),
    ("admin/client.html", include_str!("../templates/admin/client.html")),
    ("admin/users.html", include_str!("../templates/admin/users.html")),
    ("admin/user_new.html", include_str!("../templates/admin/user_new.html")),
    ("admin/user.html", include_str!("../templates/admin/user.html")),
    ("admin/brands.html", include_str!("../templates/admin/brands.html")),
    ("admin/brand.html", include_str!("../templates/admin/brand.html")),
    ("admin/policy.html", include_str!("../templates/admin/policy.html")),
    ("admin/keys.html", include_str!("../templates/admin/keys.html")),
    ("admin/preview.html", include_str!("../templates/admin/preview.html")),
    ("admin/preview_email.html", include_str!("../templates/admin/preview_email.html")),
];

/// Files served under `/static/`: name, content type, bytes.
pub const STATIC_FILES: &[(&str, &str, &[u8])] = &[
    ("oneid.css", "text/css; charset=utf-8", include_bytes!("../templates/static/oneid.css")),
    ("form_post.js", "text/javascript; charset=utf-8", include_bytes!("../templates/static/form_post.js")),
    ("password_toggle.js", "text/javascript; charset=utf-8", include_bytes!("../templates/static/password_toggle.js")),
    ("pow.js", "text/javascript; charset=utf-8", include_bytes!("../templates/static/pow.js")),
    ("webauthn.js", "text/javascript; charset=utf-8", include_bytes!("../templates/static/webauthn.js")),
    ("admin.css", "text/css; charset=utf-8", include_bytes!("../templates/static/admin.css")),
];

pub struct Templates {
    env: Environment<'static>,
}

#[derive(Debug, thiserror::Error)]
#[error("template {name}: {source}")]
pub struct TemplateError {
    name: String,
    source: minijinja::Error,
}

impl Templates {
    /// `prefix` is the issuer's path, put before every link the pages make; `issuer`
    /// makes the absolute links of emails.
    pub fn new(prefix: &str, issuer: &str, password_min: usize, catalogs: Arc<Catalogs>) -> Templates {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Each template is compiled when first shown, and kept: compiled all at start
        // they took 2.4 MB of the idle heap, and most are seldom shown (emails, the
        // console). A test compiles every one.
        env.set_loader(|name| Ok(TEMPLATES.iter().find(|(known, _)| *known == name).map(|(_, source)| *source)));
        env.add_global("prefix", Value::from(prefix.to_string()));
        env.add_global("issuer", Value::from(issuer.to_string()));
        env.add_global("min_password", Value::from(password_min));
        env.add_global("max_password", Value::from(crate::auth::password_policy::PASSWORD_MAX));
        env.add_function("t", move |state: &State, key: &str, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let lang = state.lookup("lang").and_then(|l| l.as_str().map(str::to_string)).unwrap_or_else(|| crate::i18n::DEFAULT.into());
            let mut args = Vec::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                args.push((name, value.to_string()));
            }
            Ok(catalogs.message(&lang, key, &args))
        });
        Templates { env }
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, TemplateError> {
        let err = |source| TemplateError { name: name.to_string(), source };
        self.env.get_template(name).map_err(err)?.render(context).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogs() -> Arc<Catalogs> {
        Arc::new(Catalogs::default())
    }

    #[test]
    fn every_template_compiles() {
        let templates = Templates::new("", "http://localhost", 8, catalogs());
        for (name, _) in TEMPLATES {
            if let Err(e) = templates.env.get_template(name) {
                panic!("{name}: {e:#}");
            }
        }
        assert!(templates.env.get_template("no/such.html").is_err());
    }

    /// Every key a template asks for exists in the English catalog (and so, by the
    /// i18n test, in every language).
    #[test]
    fn every_message_a_template_uses_exists() {
        let keys = Catalogs::keys("en");
        for (name, source) in TEMPLATES {
            for (at, _) in source.match_indices("t(\"") {
                // `t(` itself, not the end of another name such as `default(`.
                if source[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let key = source[at + 3..].split('"').next().unwrap_or_default();
                if key.ends_with('-') {
                    continue; // a computed key (`"country-" ~ code`), checked where its list is
                }
                assert!(keys.iter().any(|k| k == key), "{name} uses {key:?}, which the catalogs lack");
            }
        }
    }
}
