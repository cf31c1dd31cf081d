//! Back-channel logout (OIDC Back-Channel Logout 1.0): each logout token oneid owes a
//! relying party, delivered in the background with retries, and how that went.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("logout_deliveries")
                .col(text_pk("id"))
                .col(text("client_id"))
                // Whom the token names: the user, and the session if there was one.
                .col(text("sub"))
                .col(text_null("sid"))
                .col(text("reason"))
                .col(ColumnDef::new(Alias::new("attempts")).integer().not_null().default(0).take())
                // Due then; a worker that takes it moves this forward first (its lease).
                .col(time("next_attempt_at"))
                .col(time_null("delivered_at"))
                .col(time_null("failed_at"))
                .col(text_null("last_error"))
                .col(time("created_at"))
                .col(time("expires_at"))
                .foreign_key(&mut cascade(("logout_deliveries", "client_id"), ("clients", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("logout_deliveries", &["next_attempt_at"])).await?;
        m.create_index(index("logout_deliveries", &["expires_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("logout_deliveries")).take()).await
    }
}
