//! Brute-force protection: one counter row per throttled subject (an account, an account
//! on one known browser, or an address that has no account, so that locking reveals
//! nothing about which addresses exist).

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("login_throttles")
                .col(text_pk("subject"))
                .col(ColumnDef::new(Alias::new("failures")).integer().not_null().default(0).take())
                // How many lockouts in a row: each one lasts longer.
                .col(ColumnDef::new(Alias::new("lockouts")).integer().not_null().default(0).take())
                .col(time_null("locked_until"))
                .col(time("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(index("login_throttles", &["updated_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("login_throttles")).take()).await
    }
}
