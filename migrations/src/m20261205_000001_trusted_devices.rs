//! Trusted devices ("remember this device" after a device authorization): the browser
//! holds an id and a secret, the table its hash, name and last use, so each one can be
//! listed and revoked.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("trusted_devices")
                .col(text_pk("id"))
                .col(text("user_id"))
                .col(text("secret_hash"))
                .col(text("name"))
                .col(time("created_at"))
                .col(time("last_used_at"))
                .col(time("expires_at"))
                .foreign_key(&mut cascade(("trusted_devices", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("trusted_devices", &["user_id"])).await?;
        m.create_index(index("trusted_devices", &["expires_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("trusted_devices")).take()).await
    }
}
