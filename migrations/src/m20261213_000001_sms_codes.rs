//! Sign-in codes by text message (F22 with a Phone ID): how the user wants their
//! sign-in codes sent, `email` or `sms`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let column = ColumnDef::new(Alias::new("login_code_channel")).text().not_null().default("email").take();
        m.alter_table(Table::alter().table(Alias::new("users")).add_column(column).take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new("login_code_channel")).take()).await
    }
}
