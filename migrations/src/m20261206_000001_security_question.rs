//! A security question for verification on the support line (never a login factor):
//! which question, and the argon2id hash of the normalised answer.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [text_null("security_question"), text_null("security_answer_hash")] {
            m.alter_table(Table::alter().table(Alias::new("users")).add_column(column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["security_answer_hash", "security_question"] {
            m.alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new(column)).take()).await?;
        }
        Ok(())
    }
}
