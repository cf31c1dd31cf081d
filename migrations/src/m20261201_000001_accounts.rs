//! Accounts: the registration fields of users, one-time links (activation, password
//! reset, email change) and spent proof-of-work challenges.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [text_null("salutation"), text_null("country"), time_null("terms_accepted_at")] {
            m.alter_table(Table::alter().table(Alias::new("users")).add_column(column).take()).await?;
        }

        m.create_table(
            table("one_time_tokens")
                .col(text_pk("token_hash"))
                .col(text("purpose"))
                .col(text("user_id"))
                // What the link carries besides the user: the new address of an email
                // change, the sign-in to continue after activation, brand and language.
                .col(text("detail"))
                .col(time("created_at"))
                .col(time("expires_at"))
                .foreign_key(&mut cascade(("one_time_tokens", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("one_time_tokens", &["user_id", "purpose"])).await?;
        m.create_index(index("one_time_tokens", &["expires_at"])).await?;

        m.create_table(table("spent_challenges").col(text_pk("id")).col(time("expires_at")).take()).await?;
        m.create_index(index("spent_challenges", &["expires_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("spent_challenges")).take()).await?;
        m.drop_table(Table::drop().table(Alias::new("one_time_tokens")).take()).await?;
        for column in ["terms_accepted_at", "country", "salutation"] {
            m.alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new(column)).take()).await?;
        }
        Ok(())
    }
}
