//! Client metadata for the mobile app and the other relying parties: keys for
//! `private_key_jwt` (RFC 7523), the back-channel logout URI (OIDC Back-Channel Logout
//! 1.0), whether pushed authorization requests (RFC 9126) and DPoP (RFC 9449) are
//! required; and the DPoP key a grant's refresh tokens or an authorization code are
//! bound to.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            text_null("jwks"),
            text_null("jwks_uri"),
            text_null("backchannel_logout_uri"),
            flag("backchannel_logout_session_required"),
            flag("require_pushed_authorization_requests"),
            flag("dpop_bound_access_tokens"),
        ] {
            m.alter_table(Table::alter().table(Alias::new("clients")).add_column(column).take()).await?;
        }
        for table in ["grants", "authorization_codes"] {
            m.alter_table(Table::alter().table(Alias::new(table)).add_column(text_null("dpop_jkt")).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["grants", "authorization_codes"] {
            m.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new("dpop_jkt")).take()).await?;
        }
        for column in [
            "dpop_bound_access_tokens",
            "require_pushed_authorization_requests",
            "backchannel_logout_session_required",
            "backchannel_logout_uri",
            "jwks_uri",
            "jwks",
        ] {
            m.alter_table(Table::alter().table(Alias::new("clients")).drop_column(Alias::new(column)).take()).await?;
        }
        Ok(())
    }
}
