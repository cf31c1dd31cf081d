//! HTML templates (minijinja), compiled into the binary and loaded once, with strict
//! undefined handling so a missing value is a bug, not an empty string.

use minijinja::{Environment, UndefinedBehavior, Value};

/// Every template, by name; the files live in `templates/`.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("login/password.html", include_str!("../templates/login/password.html")),
    ("login/consent.html", include_str!("../templates/login/consent.html")),
    ("login/form_post.html", include_str!("../templates/login/form_post.html")),
    ("logout/confirm.html", include_str!("../templates/logout/confirm.html")),
    ("logout/done.html", include_str!("../templates/logout/done.html")),
];

/// Files served under `/static/`: name, content type, bytes.
pub const STATIC_FILES: &[(&str, &str, &[u8])] = &[
    ("oneid.css", "text/css; charset=utf-8", include_bytes!("../templates/static/oneid.css")),
    ("form_post.js", "text/javascript; charset=utf-8", include_bytes!("../templates/static/form_post.js")),
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
    /// `prefix` is the issuer's path, put before every link the pages make.
    pub fn new(prefix: &str) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).map_err(|source| TemplateError { name: name.to_string(), source })?;
        }
        env.add_global("prefix", Value::from(prefix.to_string()));
        Ok(Templates { env })
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, TemplateError> {
        let err = |source| TemplateError { name: name.to_string(), source };
        self.env.get_template(name).map_err(err)?.render(context).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        Templates::new("").unwrap();
    }
}
