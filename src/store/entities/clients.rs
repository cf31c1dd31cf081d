use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub secret_hash: Option<String>,
    pub auth_method: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub scopes: String,
    pub grant_types: String,
    pub brand: String,
    pub id_token_alg: String,
    pub skip_consent: bool,
    pub managed_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The client's public keys for `private_key_jwt`: a JWK Set as JSON, or its URL.
    pub jwks: Option<String>,
    pub jwks_uri: Option<String>,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: bool,
    pub require_pushed_authorization_requests: bool,
    pub dpop_bound_access_tokens: bool,
    /// Lifetimes for this client instead of the policy's, in seconds.
    pub access_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
