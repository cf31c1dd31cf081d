//! Who did what, from where: the request facts every audit event carries, and the one
//! call services use to record an event.

use serde_json::Value;

use crate::state::Ctx;
use crate::store::AuditEvent;

/// Facts about the HTTP request (or CLI invocation) behind an action.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl RequestMeta {
    pub fn cli() -> Self {
        RequestMeta { ip: None, user_agent: Some("oneid-cli".into()), request_id: None }
    }
}

impl Ctx {
    /// Records an audit event; `detail` must never hold a secret.
    pub async fn audit(&self, event: &'static str, meta: &RequestMeta, user_id: Option<&str>, client_id: Option<&str>, detail: Value) {
        self.audit_as(None, event, meta, user_id, client_id, detail).await;
    }

    /// Records an audit event made by `actor` (an administrator, an automation client or
    /// the CLI); `detail` must never hold a secret.
    pub async fn audit_as(&self, actor: Option<String>, event: &'static str, meta: &RequestMeta, user_id: Option<&str>, client_id: Option<&str>, detail: Value) {
        self.store
            .audit(AuditEvent {
                at: self.now(),
                event,
                user_id: user_id.map(str::to_string),
                client_id: client_id.map(str::to_string),
                ip: meta.ip.clone(),
                request_id: meta.request_id.clone(),
                detail,
                actor,
            })
            .await;
    }
}
