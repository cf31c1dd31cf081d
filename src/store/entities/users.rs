use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    pub password_hash: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub locale: Option<String>,
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    pub address: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// `ms`, `mr` or `mx`.
    pub salutation: Option<String>,
    /// ISO 3166-1 alpha-2 code of the country of residence.
    pub country: Option<String>,
    pub terms_accepted_at: Option<i64>,
    /// Every sign-in asks for a code sent by email.
    pub email_otp_enabled: bool,
    /// The key of the chosen security question (support-line verification only).
    pub security_question: Option<String>,
    /// argon2id of the normalised answer.
    pub security_answer_hash: Option<String>,
    /// The random user handle authenticators store with this account's passkeys.
    pub passkey_handle: Option<String>,
    /// May use the settings console and the admin API.
    pub admin: bool,
    /// Where sign-in codes go: `email`, or `sms` to the verified mobile number.
    pub login_code_channel: String,
    /// The id of the account's profile image (`pictures`), if it has one.
    pub picture: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
