//! A real SMTP server for the tests: it speaks enough of RFC 5321 for lettre (EHLO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message, and lets a test wait for
//! the next message to an address and read its decoded text and links.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body, dot-unstuffed).
    pub raw: String,
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp sink");
        let port = listener.local_addr().expect("addr").port();
        let sink = SmtpSink { port, messages: Arc::default(), arrived: Arc::new(Notify::new()) };
        let accepting = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = accepting.clone();
                tokio::spawn(async move {
                    let _ = sink.session(stream).await;
                });
            }
        });
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    async fn session(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 sink.test ESMTP\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_string();
            let verb = command.split([' ', ':']).next().unwrap_or("").to_ascii_uppercase();
            match verb.as_str() {
                "EHLO" => write.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?,
                "HELO" => write.write_all(b"250 sink.test\r\n").await?,
                "MAIL" => {
                    from = address(&command);
                    to.clear();
                    write.write_all(b"250 OK\r\n").await?;
                }
                "RCPT" => {
                    to.push(address(&command));
                    write.write_all(b"250 OK\r\n").await?;
                }
                "DATA" => {
                    write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                    let mut raw = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await? == 0 {
                            return Ok(());
                        }
                        if line == ".\r\n" || line == ".\n" {
                            break;
                        }
                        raw.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
                    }
                    self.messages.lock().unwrap().push(Received { from: from.clone(), to: to.clone(), raw });
                    self.arrived.notify_waiters();
                    write.write_all(b"250 queued\r\n").await?;
                }
                "RSET" | "NOOP" => write.write_all(b"250 OK\r\n").await?,
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await?;
                    return Ok(());
                }
                _ => write.write_all(b"502 not implemented\r\n").await?,
            }
        }
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    pub fn messages_to(&self, address: &str) -> Vec<Received> {
        self.messages().into_iter().filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address))).collect()
    }

    /// Waits (up to ten seconds) until `address` has received `count` messages, and
    /// returns the last of them.
    pub async fn wait_for(&self, address: &str, count: usize) -> Received {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let arrived = self.arrived.notified();
            let messages = self.messages_to(address);
            if messages.len() >= count {
                return messages[count - 1].clone();
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!("no message #{count} for {address}; got {:?}", self.messages().iter().map(|m| (&m.to, m.subject())).collect::<Vec<_>>());
            }
        }
    }
}

impl SmtpSink {
    /// Waits (up to ten seconds) for a message to `address` whose subject contains `text`.
    pub async fn wait_for_subject(&self, address: &str, text: &str) -> Received {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let arrived = self.arrived.notified();
            if let Some(found) = self.messages_to(address).into_iter().rev().find(|m| m.subject().contains(text)) {
                return found;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!("no message about {text:?} for {address}; it got {:?}", self.messages_to(address).iter().map(Received::subject).collect::<Vec<_>>());
            }
        }
    }
}

fn address(command: &str) -> String {
    command.split_once('<').and_then(|(_, rest)| rest.split_once('>')).map(|(a, _)| a.to_string()).unwrap_or_default()
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_string()))
    }

    /// The subject, decoded from RFC 2047 UTF-8 words.
    pub fn subject(&self) -> String {
        let raw = self.header("subject").unwrap_or_default();
        raw.split(' ')
            .map(|word| {
                let lower = word.to_ascii_lowercase();
                if let Some(b) = lower.strip_prefix("=?utf-8?b?").and(word.get(10..word.len().saturating_sub(2))) {
                    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b).unwrap_or_default()).unwrap_or_default()
                } else if let Some(q) = lower.strip_prefix("=?utf-8?q?").and(word.get(10..word.len().saturating_sub(2))) {
                    quoted_printable(&q.replace('_', " "))
                } else {
                    format!("{word} ")
                }
            })
            .collect::<String>()
            .trim()
            .to_string()
    }

    /// The decoded body of the part with this content type (`text/plain`, `text/html`).
    pub fn part(&self, content_type: &str) -> String {
        for part in self.raw.split("\r\n--") {
            let (head, body) = part.split_once("\r\n\r\n").unwrap_or(("", ""));
            let head_lower = head.to_ascii_lowercase();
            if !head_lower.contains(&format!("content-type: {content_type}")) {
                continue;
            }
            let body = body.rsplit_once("\r\n--").map_or(body, |(b, _)| b);
            return if head_lower.contains("content-transfer-encoding: quoted-printable") {
                quoted_printable(body)
            } else if head_lower.contains("content-transfer-encoding: base64") {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default()).unwrap_or_default()
            } else {
                body.to_string()
            };
        }
        panic!("no {content_type} part in:\n{}", self.raw);
    }

    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The first link in the plain-text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let text = self.text();
        let start = text.find(prefix).unwrap_or_else(|| panic!("no link to {prefix} in:\n{text}"));
        text[start..].split(|c: char| c.is_whitespace()).next().unwrap_or_default().to_string()
    }
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(high * 16 + low);
                i += 3;
                continue;
            }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
