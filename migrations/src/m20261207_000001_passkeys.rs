//! Passkeys (WebAuthn): each credential with its user and name, the random user handle
//! authenticators keep for each account, and the single-use state of ceremonies in
//! progress.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("users")).add_column(text_null("passkey_handle")).take()).await?;
        m.create_index(index("users", &["passkey_handle"]).unique().take()).await?;
        m.create_table(
            table("passkeys")
                // The credential id, base64url.
                .col(text_pk("id"))
                .col(text("user_id"))
                .col(text("name"))
                // webauthn-rs's `Passkey` as JSON: public key, counter, flags.
                .col(text("credential"))
                .col(time("created_at"))
                .col(time_null("last_used_at"))
                .foreign_key(&mut cascade(("passkeys", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("passkeys", &["user_id"])).await?;
        m.create_table(
            table("ceremonies")
                .col(text_pk("id_hash"))
                .col(text("kind"))
                .col(text_null("user_id"))
                .col(text("state"))
                .col(time("expires_at"))
                .take(),
        )
        .await?;
        m.create_index(index("ceremonies", &["expires_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("ceremonies")).take()).await?;
        m.drop_table(Table::drop().table(Alias::new("passkeys")).take()).await?;
        m.drop_index(Index::drop().name("idx_users_passkey_handle").table(Alias::new("users")).to_owned()).await?;
        m.alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new("passkey_handle")).take()).await
    }
}
