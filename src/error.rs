//! Errors of administrative operations (CLI now, admin API and console later), mapped
//! to exit codes or responses by the caller.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{}", .0.join("\n"))]
    BadRequest(Vec<String>),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(vec![message.into()])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("not found".into()),
            StoreError::Conflict { constraint } => AppError::Conflict(format!("already exists ({constraint})")),
            StoreError::Db(e) => AppError::Internal(e),
        }
    }
}
