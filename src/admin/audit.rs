//! Reading the audit log, newest first, filtered by user, client, event, actor and time.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::state::Ctx;
use crate::store::AuditFilter;

use super::{ListPage, Paging};

#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// An event name such as `user_unlocked`.
    pub event: Option<String>,
    /// `user:ID`, `client:ID` or `cli`.
    pub actor: Option<String>,
    /// Unix seconds, inclusive.
    pub since: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub actor: Option<String>,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

pub async fn search(ctx: &Ctx, query: &AuditQuery, paging: Paging) -> Result<ListPage<AuditEventView>, AppError> {
    let paging = paging.clamped();
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let filter = AuditFilter {
        user_id: blank(&query.user_id),
        client_id: blank(&query.client_id),
        event: blank(&query.event),
        actor: blank(&query.actor),
        since: query.since,
        until: query.until,
    };
    // What this instance still gathers is shown too; another's shows within its window.
    ctx.store.flush_audit().await;
    let (events, total) = ctx.store.audit_events(&filter, paging.per_page, paging.offset()).await?;
    let items = events
        .into_iter()
        .map(|e| AuditEventView {
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            id: e.id,
            at: e.at,
            event: e.event,
            actor: e.actor,
            user_id: e.user_id,
            client_id: e.client_id,
            ip: e.ip,
            request_id: e.request_id,
        })
        .collect();
    Ok(ListPage { items, total, page: paging.page, per_page: paging.per_page })
}
