//! Administration (F50–F52): the admin role, brands and policies managed at run time
//! (config-declared ones are synced at start and marked so), per-client token lifetimes,
//! and who made each audited change.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("users")).add_column(flag("admin")).take()).await?;
        m.alter_table(Table::alter().table(Alias::new("audit_events")).add_column(text_null("actor")).take()).await?;
        m.create_index(index("audit_events", &["client_id"])).await?;
        m.create_index(index("audit_events", &["event"])).await?;
        // SQLite adds one column per statement.
        for column in [time_null("access_token_ttl"), time_null("refresh_token_ttl")] {
            m.alter_table(Table::alter().table(Alias::new("clients")).add_column(column).take()).await?;
        }
        m.create_table(
            table("brands")
                .col(text_pk("id"))
                .col(text("name"))
                .col(text("wordmark"))
                .col(text("accent_color"))
                .col(text("accent_text_color"))
                .col(text("background_color"))
                .col(text("mail_from"))
                .col(text("support"))
                .col(text("managed_by"))
                .col(time("updated_at"))
                .take(),
        )
        .await?;
        // Named documents of settings: today only "policy", the administrator's changes
        // on top of the config file's policy values.
        m.create_table(table("settings").col(text_pk("name")).col(text("value")).col(time("updated_at")).take()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["settings", "brands"] {
            m.drop_table(Table::drop().table(Alias::new(name)).take()).await?;
        }
        for column in ["refresh_token_ttl", "access_token_ttl"] {
            m.alter_table(Table::alter().table(Alias::new("clients")).drop_column(Alias::new(column)).take()).await?;
        }
        m.drop_index(Index::drop().name("idx_audit_events_event").table(Alias::new("audit_events")).to_owned()).await?;
        m.drop_index(Index::drop().name("idx_audit_events_client_id").table(Alias::new("audit_events")).to_owned()).await?;
        m.alter_table(Table::alter().table(Alias::new("audit_events")).drop_column(Alias::new("actor")).take()).await?;
        m.alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new("admin")).take()).await
    }
}
