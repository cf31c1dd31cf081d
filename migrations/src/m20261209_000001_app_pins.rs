//! The mobile app's PIN (F30): one argon2id-hashed PIN per app grant (its refresh
//! family), with a wrong-attempt counter and the end of the current unlock; and where
//! each grant was made (address and user agent), for the account's list of devices.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("app_pins")
                .col(text_pk("grant_id"))
                .col(text("pin_hash"))
                .col(ColumnDef::new(Alias::new("failures")).integer().not_null().default(0).take())
                // Until then the family refreshes without the PIN.
                .col(time("unlocked_until"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .foreign_key(&mut cascade(("app_pins", "grant_id"), ("grants", "id")))
                .take(),
        )
        .await?;
        for column in [text_null("ip"), text_null("user_agent")] {
            m.alter_table(Table::alter().table(Alias::new("grants")).add_column(column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["user_agent", "ip"] {
            m.alter_table(Table::alter().table(Alias::new("grants")).drop_column(Alias::new(column)).take()).await?;
        }
        m.drop_table(Table::drop().table(Alias::new("app_pins")).take()).await
    }
}
