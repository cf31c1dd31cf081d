//! Second factors, first the emailed code: a per-user switch, the codes (keyed hashes,
//! with an attempt count), and sign-ins that passed the password and wait for their
//! second factor.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("users")).add_column(flag("email_otp_enabled")).take()).await?;

        m.create_table(
            table("otp_codes")
                .col(text("user_id"))
                // What the code is for: signing in, or confirming that 2FA is turned on.
                .col(text("purpose"))
                .col(text("code_hash"))
                .col(ColumnDef::new(Alias::new("attempts")).integer().not_null().default(0).take())
                .col(time("created_at"))
                .col(time("expires_at"))
                .primary_key(Index::create().col(Alias::new("user_id")).col(Alias::new("purpose")))
                .foreign_key(&mut cascade(("otp_codes", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("otp_codes", &["expires_at"])).await?;

        m.create_table(
            table("pending_logins")
                .col(text_pk("id_hash"))
                .col(text("user_id"))
                .col(text("amr"))
                // The sign-in to continue and where to go without one.
                .col(text_null("request"))
                .col(text_null("next"))
                .col(time("created_at"))
                .col(time("expires_at"))
                .foreign_key(&mut cascade(("pending_logins", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("pending_logins", &["expires_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("pending_logins")).take()).await?;
        m.drop_table(Table::drop().table(Alias::new("otp_codes")).take()).await?;
        m.alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new("email_otp_enabled")).take()).await
    }
}
