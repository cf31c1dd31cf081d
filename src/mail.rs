//! Mail (F10–F15): messages composed from templates (`templates/email/`) in the
//! recipient's language and their brand's look, then handed to a background sender so
//! that no request waits on a mail server. The sender retries with growing pauses; a
//! message it finally gives up on is logged and counted, never silently dropped, and
//! the account data that caused it is already stored, so the person can ask again.
//!
//! Transports: SMTP (lettre) when `mail.smtp_url` is set; otherwise `.eml` files in the
//! outbox folder, with the message's link in the log, so development needs no server.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use minijinja::Value;
use tokio::sync::{mpsc, oneshot};

use crate::brands::BrandConfig;
use crate::config::MailConfig;
use crate::i18n::Catalogs;
use crate::templates::Templates;

/// Messages allowed to wait for the sender; beyond that new ones are refused (and
/// counted) rather than held in memory without bound.
const QUEUE: usize = 1024;
const FIRST_RETRY: Duration = Duration::from_secs(1);

/// What a service asks to send.
pub struct Mail<'a> {
    pub to: &'a str,
    pub brand: &'a BrandConfig,
    pub lang: &'a str,
    /// `email/{template}.html` and `.txt`; the subject is the message `email-{template}-subject`.
    pub template: &'static str,
    pub values: Vec<(&'static str, Value)>,
    /// The one-time link the message carries, logged in outbox mode only.
    pub link: Option<String>,
}

/// A message's subject and its two parts.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

enum Job {
    Send { message: Box<Message>, to: String, template: &'static str, link: Option<String> },
    Flush(oneshot::Sender<()>),
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

#[derive(Clone)]
pub struct Mailer {
    queue: mpsc::Sender<Job>,
    templates: Arc<Templates>,
    catalogs: Arc<Catalogs>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the message could not be composed: {0}")]
    Compose(String),
    #[error("too many messages are waiting to be sent")]
    Full,
}

/// An SMTP transport for `url`; also used to validate the configuration.
pub fn smtp_transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map(|b| b.timeout(Some(Duration::from_secs(20))).build()).map_err(|e| e.to_string())
}

impl Mailer {
    /// Starts the background sender; call from inside the runtime.
    pub fn start(config: &MailConfig, templates: Arc<Templates>, catalogs: Arc<Catalogs>) -> Result<Mailer, String> {
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(smtp_transport(url)?),
            None => {
                std::fs::create_dir_all(&config.outbox_dir).map_err(|e| format!("cannot create {}: {e}", config.outbox_dir.display()))?;
                Transport::Outbox(config.outbox_dir.clone())
            }
        };
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run(transport, jobs, config.max_attempts));
        Ok(Mailer { queue, templates, catalogs })
    }

    /// Composes `mail` and queues it; returns before it is sent.
    pub fn send(&self, mail: Mail<'_>) -> Result<(), MailError> {
        let message = self.compose(&mail)?;
        let job = Job::Send { message: Box::new(message), to: mail.to.to_string(), template: mail.template, link: mail.link };
        self.queue.try_send(job).map_err(|_| {
            metrics::counter!("oneid_mail_total", "result" => "refused").increment(1);
            tracing::error!(template = mail.template, "mail queue full; message not sent");
            MailError::Full
        })?;
        metrics::gauge!("oneid_mail_queue").increment(1.0);
        Ok(())
    }

    /// Waits until everything queued so far has been sent or given up.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.queue.send(Job::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// The subject and both parts of `mail`, as they would be sent (also for previews).
    pub fn render(&self, mail: &Mail<'_>) -> Result<Rendered, MailError> {
        let compose = |e: String| MailError::Compose(e);
        let mut values: Vec<(&str, Value)> = mail.values.clone();
        values.push(("lang", Value::from(mail.lang)));
        values.push(("brand", Value::from(minijinja::value::Serde(mail.brand))));
        let context = Value::from(values.into_iter().collect::<std::collections::BTreeMap<_, _>>());
        let html = self.templates.render(&format!("email/{}.html", mail.template), context.clone()).map_err(|e| compose(e.to_string()))?;
        let text = self.templates.render(&format!("email/{}.txt", mail.template), context).map_err(|e| compose(e.to_string()))?;
        let subject_args = [("brand", mail.brand.name.clone())];
        let subject = self.catalogs.message(mail.lang, &format!("email-{}-subject", mail.template.replace('_', "-")), &subject_args);
        Ok(Rendered { subject, text, html })
    }

    fn compose(&self, mail: &Mail<'_>) -> Result<Message, MailError> {
        let compose = |e: String| MailError::Compose(e);
        let Rendered { subject, text, html } = self.render(mail)?;
        let from: Mailbox = mail.brand.mail_from.parse().map_err(|e: lettre::address::AddressError| compose(e.to_string()))?;
        let to: Mailbox = mail.to.parse().map_err(|e: lettre::address::AddressError| compose(e.to_string()))?;
        Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| compose(e.to_string()))
    }
}

async fn run(transport: Transport, mut jobs: mpsc::Receiver<Job>, max_attempts: u32) {
    while let Some(job) = jobs.recv().await {
        let (message, to, template, link) = match job {
            Job::Send { message, to, template, link } => (message, to, template, link),
            Job::Flush(done) => {
                let _ = done.send(());
                continue;
            }
        };
        metrics::gauge!("oneid_mail_queue").decrement(1.0);
        let mut pause = FIRST_RETRY;
        for attempt in 1..=max_attempts {
            match deliver(&transport, &message).await {
                Ok(Delivered::Smtp) => {
                    metrics::counter!("oneid_mail_total", "result" => "sent").increment(1);
                    tracing::info!(template, "mail sent");
                    break;
                }
                Ok(Delivered::File(path)) => {
                    metrics::counter!("oneid_mail_total", "result" => "sent").increment(1);
                    // Development only: the outbox exists when no mail server is configured.
                    tracing::info!(template, to = %to, file = %path.display(), link = link.as_deref().unwrap_or("-"), "mail written to the outbox");
                    break;
                }
                Err(e) if attempt < max_attempts => {
                    tracing::warn!(template, attempt, error = %e, "mail not sent; will retry");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Err(e) => {
                    metrics::counter!("oneid_mail_total", "result" => "failed").increment(1);
                    tracing::error!(template, attempts = attempt, error = %e, "mail given up");
                }
            }
        }
    }
}

enum Delivered {
    Smtp,
    File(PathBuf),
}

async fn deliver(transport: &Transport, message: &Message) -> Result<Delivered, String> {
    match transport {
        Transport::Smtp(smtp) => smtp.send(message.clone()).await.map(|_| Delivered::Smtp).map_err(|e| e.to_string()),
        Transport::Outbox(dir) => {
            let name = format!("{}-{}.eml", time::OffsetDateTime::now_utc().unix_timestamp(), &crate::crypto::random_token()[..12]);
            let path = dir.join(name);
            tokio::fs::write(&path, message.formatted()).await.map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Delivered::File(path))
        }
    }
}
