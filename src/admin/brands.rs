//! Brands managed at run time: created, changed and removed by administrators. Brands
//! declared in the config file are changed there; a brand that clients wear, and the
//! default brand, cannot be removed.

use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::RequestMeta;
use crate::brands::{self, BrandConfig, DEFAULT_BRAND, MANAGED_BY_CONFIG, MANAGED_BY_DATABASE};
use crate::error::AppError;
use crate::state::Ctx;
use crate::store::StoreError;

use super::{Actor, Subject, record, snapshot};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BrandView {
    #[serde(flatten)]
    pub brand: BrandConfig,
    /// `config` (declared in the config file, read-only here) or `database`.
    pub managed_by: String,
}

pub fn list(ctx: &Ctx) -> Vec<BrandView> {
    ctx.brands.all().iter().map(|b| BrandView { brand: b.config.clone(), managed_by: b.managed_by.clone() }).collect()
}

pub fn get(ctx: &Ctx, id: &str) -> Result<BrandView, AppError> {
    list(ctx).into_iter().find(|b| b.brand.id == id).ok_or_else(|| AppError::NotFound(format!("no brand with id {id:?}")))
}

fn check(brand: &BrandConfig) -> Result<(), AppError> {
    let mut problems = brands::validate(std::slice::from_ref(brand));
    // `validate` checks a whole configuration, which must hold the default brand.
    problems.retain(|p| !p.contains("is required"));
    if problems.is_empty() { Ok(()) } else { Err(AppError::BadRequest(problems)) }
}

pub async fn create(ctx: &Ctx, brand: BrandConfig, actor: &Actor, meta: &RequestMeta) -> Result<BrandView, AppError> {
    check(&brand)?;
    match ctx.store.insert_brand(&brands::to_record(&brand, MANAGED_BY_DATABASE, ctx.now())).await {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Err(AppError::Conflict(format!("a brand with id {:?} already exists", brand.id))),
        Err(e) => return Err(e.into()),
    }
    ctx.brands.reload().await?;
    let view = BrandView { brand, managed_by: MANAGED_BY_DATABASE.into() };
    record(ctx, actor, meta, "brand_created", Subject::none(), None, snapshot(&view.brand)).await;
    Ok(view)
}

async fn editable(ctx: &Ctx, id: &str) -> Result<BrandView, AppError> {
    let existing = get(ctx, id)?;
    if existing.managed_by == MANAGED_BY_CONFIG {
        return Err(AppError::Forbidden(format!("brand {id:?} is declared in the config file; change it there")));
    }
    Ok(existing)
}

pub async fn update(ctx: &Ctx, id: &str, brand: BrandConfig, actor: &Actor, meta: &RequestMeta) -> Result<BrandView, AppError> {
    if brand.id != id {
        return Err(AppError::bad_request("id: a brand's id cannot change; create a new brand instead"));
    }
    check(&brand)?;
    let existing = editable(ctx, id).await?;
    ctx.store.upsert_brand(&brands::to_record(&brand, MANAGED_BY_DATABASE, ctx.now())).await?;
    ctx.brands.reload().await?;
    record(ctx, actor, meta, "brand_updated", Subject::none(), snapshot(&existing.brand), snapshot(&brand)).await;
    Ok(BrandView { brand, managed_by: MANAGED_BY_DATABASE.into() })
}

pub async fn remove(ctx: &Ctx, id: &str, actor: &Actor, meta: &RequestMeta) -> Result<(), AppError> {
    let existing = editable(ctx, id).await?;
    if id == DEFAULT_BRAND {
        return Err(AppError::Forbidden("the default brand cannot be removed".into()));
    }
    let wearing = ctx.store.clients_with_brand(id).await?;
    if wearing > 0 {
        return Err(AppError::Conflict(format!("{wearing} client(s) wear this brand; give them another brand first")));
    }
    ctx.store.delete_brand(id).await?;
    ctx.brands.reload().await?;
    record(ctx, actor, meta, "brand_removed", Subject::none(), snapshot(&existing.brand), None).await;
    Ok(())
}
