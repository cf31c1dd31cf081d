//! Reading and changing the policy (see `crate::policy`); each change is audited with
//! the values it changed, before and after.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::audit::RequestMeta;
use crate::error::AppError;
use crate::policy::{self, PolicyError};
use crate::state::Ctx;

use super::{Actor, Subject, record};

/// The policy in force, by section, and which keys an administrator changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyView {
    /// Every policy key by section: `accounts`, `lockout`, `second_factor`, `pin`,
    /// `tokens`, `session`, `devices`.
    #[schema(value_type = Object)]
    pub values: Value,
    /// The values an administrator set, by section; the rest come from the config file.
    #[schema(value_type = Object)]
    pub changed: Value,
}

pub fn get(ctx: &Ctx) -> PolicyView {
    PolicyView { values: policy::values(&ctx.policy()), changed: ctx.policies.overrides() }
}

/// Applies `changes`, a JSON merge patch (RFC 7396) of sections and keys; `null` goes
/// back to the config file's value.
pub async fn change(ctx: &Ctx, changes: &Value, actor: &Actor, meta: &RequestMeta) -> Result<PolicyView, AppError> {
    let (before, after) = ctx.policies.change(&ctx.store, changes, ctx.now()).await.map_err(|e| match e {
        PolicyError::Invalid(problems) => AppError::BadRequest(problems),
        PolicyError::Busy => AppError::Conflict(PolicyError::Busy.to_string()),
        PolicyError::Store(e) => e.into(),
    })?;
    let (before, after) = differences(&before, &after);
    if !after.is_empty() {
        record(ctx, actor, meta, "policy_changed", Subject::none(), Some(Value::Object(before)), Some(Value::Object(after))).await;
    }
    Ok(get(ctx))
}

/// The keys whose values differ, as two trees of sections.
fn differences(before: &Value, after: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let (mut old, mut new) = (Map::new(), Map::new());
    for (section, keys) in after.as_object().into_iter().flatten() {
        for (key, value) in keys.as_object().into_iter().flatten() {
            let previous = &before[section][key];
            if previous != value {
                old.entry(section.clone()).or_insert_with(|| Value::Object(Map::new()))[key] = previous.clone();
                new.entry(section.clone()).or_insert_with(|| Value::Object(Map::new()))[key] = value.clone();
            }
        }
    }
    (old, new)
}
