use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brands")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub wordmark: String,
    pub accent_color: String,
    pub accent_text_color: String,
    pub background_color: String,
    pub mail_from: String,
    pub support: String,
    /// `config` (declared in the config file, read-only elsewhere) or `database`.
    pub managed_by: String,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
