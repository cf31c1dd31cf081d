//! The HTTP client for the calls oneid makes to relying parties (their JWKS,
//! back-channel logout): short timeouts, never following redirects. It is made on first
//! use: its TLS set-up is memory and code an idle server need not hold, and many
//! deployments never call out at all.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

#[derive(Clone, Default)]
pub struct Outbound(Arc<OnceLock<reqwest::Client>>);

impl Outbound {
    pub fn client(&self) -> Result<&reqwest::Client, String> {
        if let Some(client) = self.0.get() {
            return Ok(client);
        }
        let made = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the HTTP client could not be set up: {e}"))?;
        // Another request may have made one meanwhile: either will do.
        Ok(self.0.get_or_init(|| made))
    }
}
