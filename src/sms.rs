//! Text messages (F13, F25): an HTTP gateway (JSON body, an optional `Authorization`
//! header) in production, and files in an outbox folder plus a log line in development,
//! like mail. Sending happens off the request path; a failure is logged and counted.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::config::SmsConfig;

#[derive(Clone)]
pub struct SmsSender {
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Gateway { url: String, authorization: Option<String>, sender: String, http: reqwest::Client },
    Outbox(PathBuf),
}

impl SmsSender {
    pub fn new(config: &SmsConfig) -> Result<SmsSender, String> {
        let transport = match &config.gateway_url {
            Some(url) => {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().map_err(|e| e.to_string())?;
                Transport::Gateway { url: url.clone(), authorization: config.gateway_authorization.clone(), sender: config.sender.clone(), http }
            }
            None => Transport::Outbox(config.outbox_dir.clone()),
        };
        Ok(SmsSender { transport })
    }

    /// Queues `text` for `to` (E.164); returns before it is sent.
    pub fn send(&self, to: &str, text: String) {
        let (transport, to) = (self.transport.clone(), to.to_string());
        tokio::spawn(async move {
            let result = match &transport {
                Transport::Gateway { url, authorization, sender, http } => {
                    let mut request = http.post(url).json(&json!({ "to": to, "from": sender, "text": text }));
                    if let Some(value) = authorization {
                        request = request.header(reqwest::header::AUTHORIZATION, value);
                    }
                    match request.send().await {
                        Ok(response) if response.status().is_success() => Ok(()),
                        Ok(response) => Err(format!("gateway answered {}", response.status())),
                        Err(e) => Err(e.without_url().to_string()),
                    }
                }
                Transport::Outbox(dir) => write_outbox(dir, &to, &text).await,
            };
            match result {
                Ok(()) => metrics::counter!("oneid_sms_total", "result" => "sent").increment(1),
                Err(e) => {
                    metrics::counter!("oneid_sms_total", "result" => "failed").increment(1);
                    tracing::error!(error = %e, "text message not sent");
                }
            }
        });
    }
}

async fn write_outbox(dir: &std::path::Path, to: &str, text: &str) -> Result<(), String> {
    tokio::fs::create_dir_all(dir).await.map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{}-{}.txt", time::OffsetDateTime::now_utc().unix_timestamp(), &crate::crypto::random_token()[..12]));
    tokio::fs::write(&path, format!("To: {to}\n\n{text}\n")).await.map_err(|e| format!("{}: {e}", path.display()))?;
    // Development only: there is no gateway; the message is in the file.
    tracing::info!(to, file = %path.display(), "text message written to the outbox");
    Ok(())
}
