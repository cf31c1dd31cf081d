//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). The end-user is asked
//! to confirm unless the request carries an ID token of their current session; the
//! post-logout redirect goes only to a URI registered for the identified client.

use std::sync::Arc;

use crate::state::Ctx;
use crate::store::SessionRecord;

use super::clients::Client;
use super::id_token::{self, Hint};
use super::params::Params;

pub struct LogoutRequest {
    pub client: Option<Arc<Client>>,
    pub hint: Option<Hint>,
    /// Verified against the client's registered post-logout redirect URIs.
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
}

/// Checks the request; an error is a message (key) for the person, never a redirect.
pub async fn validate(ctx: &Ctx, params: &Params) -> Result<LogoutRequest, &'static str> {
    if params.repeated().is_some() {
        return Err("error-logout-malformed");
    }
    let get = |name| params.get(name).ok().flatten();
    let hint = match get("id_token_hint") {
        Some(token) => Some(id_token::parse_hint(ctx, token).ok_or("error-logout-hint")?),
        None => None,
    };
    let client_id = match (get("client_id"), &hint) {
        (Some(id), Some(h)) if !h.audiences.iter().any(|a| a == id) => {
            return Err("error-logout-audience");
        }
        (Some(id), _) => Some(id.to_string()),
        (None, Some(h)) if h.audiences.len() == 1 => Some(h.audiences[0].clone()),
        (None, _) => None,
    };
    let client = match &client_id {
        Some(id) => Some(
            ctx.clients
                .get(id)
                .await
                .map_err(|_| "error-internal-message")?
                .ok_or("error-unknown-client")?,
        ),
        None => None,
    };
    // Without a known client the redirect cannot be verified, so it is ignored (§3).
    let redirect_uri = match (get("post_logout_redirect_uri"), &client) {
        (Some(uri), Some(c)) if c.has_post_logout_redirect_uri(uri) => Some(uri.to_string()),
        (Some(_), Some(_)) => return Err("error-logout-redirect"),
        _ => None,
    };
    let state = redirect_uri.as_ref().and(get("state")).map(str::to_string);
    Ok(LogoutRequest { client, hint, redirect_uri, state })
}

impl LogoutRequest {
    /// A valid ID token of the current session shows the request comes from the user's
    /// own application; anything else needs the user's confirmation.
    pub fn needs_confirmation(&self, session: &SessionRecord) -> bool {
        !self.hint.as_ref().is_some_and(|h| h.sub == session.user_id && h.sid.as_ref().is_none_or(|sid| *sid == session.sid))
    }

    pub fn redirect_url(&self) -> Option<String> {
        let uri = self.redirect_uri.as_ref()?;
        let Some(state) = &self.state else { return Some(uri.clone()) };
        let query = form_urlencoded::Serializer::new(String::new()).append_pair("state", state).finish();
        Some(format!("{uri}{}{query}", if uri.contains('?') { '&' } else { '?' }))
    }
}
