//! An SMS gateway for the tests: an HTTP server that takes the JSON oneid posts and
//! keeps each message with the Authorization header it came with.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;

pub const GATEWAY_AUTHORIZATION: &str = "Bearer test-gateway-key";

#[derive(Debug, Clone)]
pub struct Text {
    pub to: String,
    pub from: String,
    pub text: String,
    pub authorization: Option<String>,
}

#[derive(Clone, Default)]
pub struct SmsGateway {
    pub url: String,
    texts: Arc<Mutex<Vec<Text>>>,
}

impl SmsGateway {
    pub async fn start() -> SmsGateway {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind sms gateway");
        let url = format!("http://127.0.0.1:{}/messages", listener.local_addr().unwrap().port());
        let gateway = SmsGateway { url, texts: Arc::default() };
        let app = Router::new().route("/messages", post(receive)).with_state(gateway.texts.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        gateway
    }

    /// Waits (up to ten seconds) for the `count`-th text to `to`.
    pub async fn wait_for(&self, to: &str, count: usize) -> Text {
        for _ in 0..200 {
            let texts: Vec<Text> = self.texts.lock().unwrap().iter().filter(|t| t.to == to).cloned().collect();
            if texts.len() >= count {
                return texts[count - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no text #{count} to {to}");
    }

    pub fn count(&self) -> usize {
        self.texts.lock().unwrap().len()
    }
}

async fn receive(State(texts): State<Arc<Mutex<Vec<Text>>>>, headers: HeaderMap, Json(body): Json<serde_json::Value>) -> &'static str {
    let field = |name: &str| body[name].as_str().unwrap_or_default().to_string();
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    texts.lock().unwrap().push(Text { to: field("to"), from: field("from"), text: field("text"), authorization });
    "queued"
}
