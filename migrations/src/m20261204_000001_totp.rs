//! Authenticator apps (TOTP): one secret per user (encrypted with the key-encryption
//! key, with the last accepted time step so a code cannot be replayed) and single-use
//! recovery codes (argon2id hashes, found by a short non-secret prefix).

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("totp_credentials")
                .col(text_pk("user_id"))
                .col(text("secret"))
                // Enrolment finishes with a first right code.
                .col(flag("confirmed"))
                .col(ColumnDef::new(Alias::new("last_step")).big_integer().not_null().default(0).take())
                .col(time("created_at"))
                .foreign_key(&mut cascade(("totp_credentials", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_table(
            table("recovery_codes")
                .col(text_pk("id"))
                .col(text("user_id"))
                .col(text("lookup"))
                .col(text("code_hash"))
                .col(time_null("used_at"))
                .foreign_key(&mut cascade(("recovery_codes", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("recovery_codes", &["user_id", "lookup"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("recovery_codes")).take()).await?;
        m.drop_table(Table::drop().table(Alias::new("totp_credentials")).take()).await
    }
}
