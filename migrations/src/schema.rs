//! Column and index shorthands shared by the migrations, so every table spells its
//! types the same way: text, integer Unix seconds, booleans.

use sea_orm_migration::prelude::*;

pub fn text(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().not_null().take()
}
pub fn text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().null().take()
}
pub fn time(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().not_null().take()
}
pub fn time_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().null().take()
}
pub fn flag(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).boolean().not_null().default(false).take()
}
pub fn text_pk(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().not_null().primary_key().take()
}
pub fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(Alias::new(name)).take()
}
pub fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("idx_{table}_{}", columns.join("_"))).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.take()
}
pub fn cascade(from: (&'static str, &'static str), to: (&'static str, &'static str)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Alias::new(from.0), Alias::new(from.1))
        .to(Alias::new(to.0), Alias::new(to.1))
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}
