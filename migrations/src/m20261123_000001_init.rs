//! The OpenID Connect core: users, clients, browser sessions, pending authorization
//! requests, authorization codes, grants with their refresh-token families, the
//! access-token deny-list, consents, signing keys and audit events.

use sea_orm_migration::prelude::*;

use crate::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("users")
                .col(text_pk("id"))
                .col(text("email").unique_key().take())
                .col(flag("email_verified"))
                .col(text_null("password_hash"))
                .col(text_null("given_name"))
                .col(text_null("family_name"))
                .col(text_null("locale"))
                .col(text_null("phone_number"))
                .col(flag("phone_number_verified"))
                .col(text_null("address"))
                .col(flag("disabled"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .take(),
        )
        .await?;

        m.create_table(
            table("clients")
                .col(text_pk("id"))
                .col(text("name"))
                .col(text_null("secret_hash"))
                .col(text("auth_method"))
                .col(text("redirect_uris"))
                .col(text("post_logout_redirect_uris"))
                .col(text("scopes"))
                .col(text("grant_types"))
                .col(text("brand"))
                .col(text("id_token_alg"))
                .col(flag("skip_consent"))
                .col(text("managed_by"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .take(),
        )
        .await?;

        m.create_table(
            table("browser_sessions")
                .col(text_pk("id_hash"))
                .col(text("sid").unique_key().take())
                .col(text("user_id"))
                .col(time("auth_time"))
                .col(text("acr"))
                .col(text("amr"))
                .col(text_null("ip"))
                .col(text_null("user_agent"))
                .col(time("created_at"))
                .col(time("last_seen_at"))
                .col(time("expires_at"))
                .foreign_key(&mut cascade(("browser_sessions", "user_id"), ("users", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("browser_sessions", &["user_id"])).await?;
        m.create_index(index("browser_sessions", &["expires_at"])).await?;

        m.create_table(
            table("authorization_requests")
                .col(text_pk("id_hash"))
                .col(text("client_id"))
                .col(text("params"))
                .col(time("created_at"))
                .col(time("expires_at"))
                .take(),
        )
        .await?;
        m.create_index(index("authorization_requests", &["expires_at"])).await?;

        m.create_table(
            table("grants")
                .col(text_pk("id"))
                .col(text("user_id"))
                .col(text("client_id"))
                .col(text_null("sid"))
                .col(text("scope"))
                .col(time("auth_time"))
                .col(text("acr"))
                .col(text("amr"))
                .col(flag("offline"))
                .col(time("created_at"))
                .col(time("expires_at"))
                .col(time_null("revoked_at"))
                .col(text_null("revoked_reason"))
                .foreign_key(&mut cascade(("grants", "user_id"), ("users", "id")))
                .foreign_key(&mut cascade(("grants", "client_id"), ("clients", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("grants", &["user_id"])).await?;
        m.create_index(index("grants", &["client_id"])).await?;
        m.create_index(index("grants", &["sid"])).await?;
        m.create_index(index("grants", &["expires_at"])).await?;
        m.create_index(index("grants", &["revoked_at"])).await?;

        m.create_table(
            table("authorization_codes")
                .col(text_pk("code_hash"))
                .col(text("client_id"))
                .col(text("user_id"))
                .col(text("sid"))
                .col(text_null("redirect_uri"))
                .col(text("scope"))
                .col(text_null("nonce"))
                .col(text("code_challenge"))
                .col(time("auth_time"))
                .col(text("acr"))
                .col(text("amr"))
                .col(time("created_at"))
                .col(time("expires_at"))
                .col(time_null("redeemed_at"))
                .col(text_null("grant_id"))
                .foreign_key(&mut cascade(("authorization_codes", "user_id"), ("users", "id")))
                .foreign_key(&mut cascade(("authorization_codes", "client_id"), ("clients", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("authorization_codes", &["expires_at"])).await?;

        m.create_table(
            table("refresh_tokens")
                .col(text_pk("token_hash"))
                .col(text("grant_id"))
                .col(time("created_at"))
                .col(time("expires_at"))
                // The token this one replaced. Unique: a token is rotated at most once,
                // so concurrent rotations of one token cannot both succeed.
                .col(text_null("parent_hash"))
                .foreign_key(&mut cascade(("refresh_tokens", "grant_id"), ("grants", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("refresh_tokens", &["grant_id"])).await?;
        m.create_index(index("refresh_tokens", &["expires_at"])).await?;
        m.create_index(index("refresh_tokens", &["parent_hash"]).unique().take()).await?;

        m.create_table(
            table("revoked_access_tokens")
                .col(text_pk("jti"))
                .col(time("expires_at"))
                .col(time("revoked_at"))
                .take(),
        )
        .await?;
        m.create_index(index("revoked_access_tokens", &["expires_at"])).await?;
        m.create_index(index("revoked_access_tokens", &["revoked_at"])).await?;

        m.create_table(
            table("consents")
                .col(text("user_id"))
                .col(text("client_id"))
                .col(text("scope"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .primary_key(Index::create().col(Alias::new("user_id")).col(Alias::new("client_id")))
                .foreign_key(&mut cascade(("consents", "user_id"), ("users", "id")))
                .foreign_key(&mut cascade(("consents", "client_id"), ("clients", "id")))
                .take(),
        )
        .await?;

        m.create_table(
            table("signing_keys")
                .col(text_pk("kid"))
                .col(text("alg"))
                .col(text("private_key"))
                .col(text("public_jwk"))
                .col(time("created_at"))
                .col(time_null("retired_at"))
                .col(time_null("publish_until"))
                .take(),
        )
        .await?;

        m.create_table(
            table("audit_events")
                .col(ColumnDef::new(Alias::new("id")).big_integer().not_null().auto_increment().primary_key())
                .col(time("at"))
                .col(text("event"))
                .col(text_null("user_id"))
                .col(text_null("client_id"))
                .col(text_null("ip"))
                .col(text_null("request_id"))
                .col(text("detail"))
                .take(),
        )
        .await?;
        m.create_index(index("audit_events", &["at"])).await?;
        m.create_index(index("audit_events", &["user_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "audit_events",
            "signing_keys",
            "consents",
            "revoked_access_tokens",
            "refresh_tokens",
            "authorization_codes",
            "grants",
            "authorization_requests",
            "browser_sessions",
            "clients",
            "users",
        ] {
            m.drop_table(Table::drop().table(Alias::new(name)).take()).await?;
        }
        Ok(())
    }
}
