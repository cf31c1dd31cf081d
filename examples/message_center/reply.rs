//! The service team's answer to a thread (the `reply` command): stored in the thread,
//! then announced by email to the person, through oneid's own mail settings (its SMTP
//! server, or its development outbox). The email only says that there is a reply and
//! where to read it: the message itself stays behind the sign-in.

use std::path::PathBuf;

use lettre::message::Mailbox;
use lettre::message::header::{ContentType, MIME_VERSION_1_0};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use oneid::config::MailConfig;

use super::store::{NewMessage, Store, Thread};

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

pub struct Notifier {
    transport: Transport,
    from: Mailbox,
    /// Where people read a thread: `{portal}/messages/{id}`.
    portal: String,
}

impl Notifier {
    /// Sends as `from` the way `mail` says oneid sends.
    pub fn new(mail: &MailConfig, from: &str, portal: &str) -> Result<Notifier, String> {
        let from = from.parse().map_err(|e| format!("the sender {from:?}: {e}"))?;
        let transport = match &mail.smtp_url {
            Some(url) => Transport::Smtp(oneid::mail::smtp_transport(url)?),
            None => Transport::Outbox(mail.outbox_dir.clone()),
        };
        Ok(Notifier { transport, from, portal: portal.trim_end_matches('/').to_string() })
    }

    async fn announce(&self, to: &str, thread: &Thread) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("the address of thread {}: {e}", thread.id))?;
        let about = super::app::TOPICS.iter().find(|(topic, _)| *topic == thread.topic).map_or("your question", |(_, phrase)| phrase);
        let text = format!(
            "Hello,\n\nThe service team has answered your message about {about}.\n\nRead the answer after signing in:\n{}/messages/{}\n\nFor your security, this email does not contain the message.\n",
            self.portal, thread.id
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject("You have a reply from the service team")
            .header(ContentType::TEXT_PLAIN)
            .header(MIME_VERSION_1_0)
            .body(text)
            .map_err(|e| e.to_string())?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| format!("the mail server: {e}")),
            Transport::Outbox(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                let path = dir.join(format!("{}-message-center-{}.eml", super::token::system_now(), thread.id));
                std::fs::write(&path, message.formatted()).map_err(|e| format!("{}: {e}", path.display()))?;
                println!("the email is in {}", path.display());
                Ok(())
            }
        }
    }
}

/// Adds the team's `text` to thread `id` and emails the person; the reply is kept
/// even when the email cannot be sent (the error says so).
pub async fn reply(store: &Store, notifier: &Notifier, id: u64, text: &str, now: i64) -> Result<Thread, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the reply is empty".into());
    }
    if store.thread(id, None).await?.is_none() {
        return Err(format!("there is no thread {id}"));
    }
    store.add(id, None, NewMessage { author: "service", text: text.to_string(), attachment: None, sent_at: now }).await?;
    let thread = store.thread(id, None).await?.ok_or_else(|| format!("there is no thread {id}"))?;
    match &thread.email {
        Some(to) => notifier.announce(to, &thread).await.map_err(|e| format!("the reply is saved, but the email was not sent: {e}"))?,
        None => return Err("the reply is saved; the person's address is unknown (declare claims = [\"email\"] for this resource in oneid), so no email was sent".into()),
    }
    Ok(thread)
}
