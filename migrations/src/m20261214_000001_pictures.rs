//! Profile images (F12): the picture an account shows, re-encoded by oneid (never the
//! uploaded bytes), served at a URL named by a random id that changes with each upload.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("pictures")
                .col(text_pk("id"))
                .col(text("user_id"))
                .col(text("content_type"))
                .col(ColumnDef::new(Alias::new("bytes")).binary().not_null().take())
                .col(ColumnDef::new(Alias::new("width")).integer().not_null().take())
                .col(time("created_at"))
                .foreign_key(&mut cascade(("pictures", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("pictures", &["user_id"])).await?;
        m.alter_table(Table::alter().table(Alias::new("users")).add_column(text_null("picture")).take()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new("picture")).take()).await?;
        m.drop_table(Table::drop().table(Alias::new("pictures")).take()).await
    }
}
