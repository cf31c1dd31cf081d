//! Requests counted per client address and minute, shared by every instance, so that
//! the per-address limit on sign-in forms holds however many instances serve them.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(table("request_counts").col(text_pk("id")).col(ColumnDef::new(Alias::new("count")).big_integer().not_null().take()).col(time("expires_at")).take()).await?;
        m.create_index(index("request_counts", &["expires_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("request_counts")).take()).await
    }
}
