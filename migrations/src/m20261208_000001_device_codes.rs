//! The device authorization grant (RFC 8628): each request a device makes, found by the
//! hash of its device code (the device polls with it) and by its user code (the person
//! types it), waiting for the person's decision.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("device_codes")
                .col(text_pk("device_code_hash"))
                .col(text("user_code").unique_key().take())
                .col(text("client_id"))
                .col(text("scope"))
                // pending, approved or denied.
                .col(text("status"))
                // Filled in by the approval: who, and how they signed in.
                .col(text_null("user_id"))
                .col(text_null("sid"))
                .col(time_null("auth_time"))
                .col(text_null("acr"))
                .col(text_null("amr"))
                .col(ColumnDef::new(Alias::new("interval")).big_integer().not_null().default(5).take())
                .col(time_null("last_polled_at"))
                .col(time("created_at"))
                .col(time("expires_at"))
                .foreign_key(&mut cascade(("device_codes", "client_id"), ("clients", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("device_codes", &["expires_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("device_codes")).take()).await
    }
}
