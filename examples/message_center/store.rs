//! The message center's own SQLite database: threads (a topic and the account it
//! concerns, between one person and the service team) and their messages, with
//! attachments.

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult, Statement, TransactionTrait, Value};
use serde::Serialize;

#[derive(Clone, Serialize)]
pub struct Thread {
    pub id: u64,
    #[serde(skip)]
    pub owner: String,
    /// Where replies are announced: the person's address from their latest token.
    #[serde(skip)]
    pub email: Option<String>,
    pub topic: String,
    pub account: Option<String>,
    pub opened_at: i64,
    pub updated_at: i64,
    /// Who wrote last: `you` or `service`.
    pub last_author: String,
    pub messages: Vec<Message>,
}

#[derive(Clone, Serialize)]
pub struct Message {
    pub id: u64,
    /// `you` (the person) or `service` (the service team).
    pub author: String,
    pub text: String,
    pub attachment: Option<AttachmentInfo>,
    pub sent_at: i64,
}

#[derive(Clone, Serialize)]
pub struct AttachmentInfo {
    pub name: String,
    pub content_type: String,
    pub size: usize,
}

/// A message to store, with its attachment's bytes.
pub struct NewMessage {
    pub author: &'static str,
    pub text: String,
    pub attachment: Option<(AttachmentInfo, Vec<u8>)>,
    pub sent_at: i64,
}

pub struct Store {
    db: DatabaseConnection,
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

fn error(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn text(row: &QueryResult, column: &str) -> Option<String> {
    row.try_get::<Option<String>>("", column).ok().flatten()
}

fn number(row: &QueryResult, column: &str) -> Option<i64> {
    row.try_get::<Option<i64>>("", column).ok().flatten()
}

fn thread(row: &QueryResult) -> Option<Thread> {
    Some(Thread {
        id: number(row, "id")? as u64,
        owner: text(row, "owner")?,
        email: text(row, "email"),
        topic: text(row, "topic")?,
        account: text(row, "account"),
        opened_at: number(row, "opened_at")?,
        updated_at: number(row, "updated_at")?,
        last_author: text(row, "last_author")?,
        messages: Vec::new(),
    })
}

fn message(row: &QueryResult) -> Option<Message> {
    let attachment = match (text(row, "attachment_name"), text(row, "attachment_type"), number(row, "attachment_size")) {
        (Some(name), Some(content_type), Some(size)) => Some(AttachmentInfo { name, content_type, size: size as usize }),
        _ => None,
    };
    Some(Message { id: number(row, "id")? as u64, author: text(row, "author")?, text: text(row, "text")?, attachment, sent_at: number(row, "sent_at")? })
}

const THREAD: &str = "SELECT id, owner, email, topic, account, opened_at, updated_at, last_author FROM threads";
const MESSAGE: &str = "SELECT id, author, text, attachment_name, attachment_type, attachment_size, sent_at FROM thread_messages";

impl Store {
    /// `sqlite::memory:` or `sqlite://messages.db?mode=rwc`.
    pub async fn open(url: &str) -> Result<Store, String> {
        let mut options = ConnectOptions::new(url);
        // One connection: an in-memory database exists once per connection.
        options.max_connections(1).sqlx_logging(false);
        let db = Database::connect(options).await.map_err(error)?;
        for sql in [
            "CREATE TABLE IF NOT EXISTS threads (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, email TEXT, topic TEXT NOT NULL, account TEXT, \
             opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_author TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS threads_owner ON threads (owner, updated_at)",
            "CREATE TABLE IF NOT EXISTS thread_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER NOT NULL REFERENCES threads (id), author TEXT NOT NULL, \
             text TEXT NOT NULL, attachment_name TEXT, attachment_type TEXT, attachment_size INTEGER, attachment BLOB, sent_at INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS thread_messages_thread ON thread_messages (thread_id, id)",
        ] {
            db.execute_unprepared(sql).await.map_err(error)?;
        }
        Ok(Store { db })
    }

    /// Opens a thread for `owner` with its first message; returns its id.
    pub async fn open_thread(&self, owner: &str, email: Option<String>, topic: &str, account: Option<String>, first: NewMessage) -> Result<u64, String> {
        let txn = self.db.begin().await.map_err(error)?;
        let sql = "INSERT INTO threads (owner, email, topic, account, opened_at, updated_at, last_author) VALUES (?, ?, ?, ?, ?, ?, ?)";
        let values = vec![owner.into(), email.into(), topic.into(), account.into(), first.sent_at.into(), first.sent_at.into(), first.author.into()];
        let id = txn.execute_raw(statement(sql, values)).await.map_err(error)?.last_insert_id();
        insert_message(&txn, id, first).await?;
        txn.commit().await.map_err(error)?;
        Ok(id)
    }

    /// Adds a message to thread `id`; a message of the person also refreshes the
    /// address replies go to (when their token carried one).
    pub async fn add(&self, id: u64, email: Option<String>, new: NewMessage) -> Result<u64, String> {
        let txn = self.db.begin().await.map_err(error)?;
        let sql = "UPDATE threads SET updated_at = ?, last_author = ?, email = COALESCE(?, email) WHERE id = ?";
        txn.execute_raw(statement(sql, vec![new.sent_at.into(), new.author.into(), email.into(), (id as i64).into()])).await.map_err(error)?;
        let message = insert_message(&txn, id, new).await?;
        txn.commit().await.map_err(error)?;
        Ok(message)
    }

    /// `owner`'s threads, latest activity first, without their messages.
    pub async fn threads_of(&self, owner: &str) -> Result<Vec<Thread>, String> {
        let sql = format!("{THREAD} WHERE owner = ? ORDER BY updated_at DESC, id DESC");
        let rows = self.db.query_all_raw(statement(&sql, vec![owner.into()])).await.map_err(error)?;
        Ok(rows.iter().filter_map(thread).collect())
    }

    /// Threads whose last message is the person's: the service team's to-do list.
    pub async fn awaiting_reply(&self) -> Result<Vec<Thread>, String> {
        let sql = format!("{THREAD} WHERE last_author = 'you' ORDER BY updated_at");
        let rows = self.db.query_all_raw(statement(&sql, vec![])).await.map_err(error)?;
        Ok(rows.iter().filter_map(thread).collect())
    }

    /// Thread `id` with its messages, oldest first; `owner` limits it to one person's.
    pub async fn thread(&self, id: u64, owner: Option<&str>) -> Result<Option<Thread>, String> {
        let sql = format!("{THREAD} WHERE id = ?");
        let row = self.db.query_one_raw(statement(&sql, vec![(id as i64).into()])).await.map_err(error)?;
        let Some(mut found) = row.as_ref().and_then(thread).filter(|t| owner.is_none_or(|o| o == t.owner)) else { return Ok(None) };
        let sql = format!("{MESSAGE} WHERE thread_id = ? ORDER BY id");
        let rows = self.db.query_all_raw(statement(&sql, vec![(id as i64).into()])).await.map_err(error)?;
        found.messages = rows.iter().filter_map(message).collect();
        Ok(Some(found))
    }

    /// The attachment of message `message` in `owner`'s thread `thread`: its
    /// description and bytes.
    pub async fn attachment(&self, owner: &str, thread: u64, message: u64) -> Result<Option<(AttachmentInfo, Vec<u8>)>, String> {
        let sql = "SELECT m.attachment_name, m.attachment_type, m.attachment_size, m.attachment FROM thread_messages m JOIN threads t ON t.id = m.thread_id \
                   WHERE t.owner = ? AND t.id = ? AND m.id = ? AND m.attachment IS NOT NULL";
        let row = self.db.query_one_raw(statement(sql, vec![owner.into(), (thread as i64).into(), (message as i64).into()])).await.map_err(error)?;
        Ok(row.and_then(|row| {
            let info = AttachmentInfo { name: text(&row, "attachment_name")?, content_type: text(&row, "attachment_type")?, size: number(&row, "attachment_size")? as usize };
            Some((info, row.try_get::<Vec<u8>>("", "attachment").ok()?))
        }))
    }
}

async fn insert_message(txn: &impl ConnectionTrait, thread: u64, new: NewMessage) -> Result<u64, String> {
    let (info, bytes) = new.attachment.map_or((None, None), |(info, bytes)| (Some(info), Some(bytes)));
    let values: Vec<Value> = vec![
        (thread as i64).into(),
        new.author.into(),
        new.text.into(),
        info.as_ref().map(|a| a.name.clone()).into(),
        info.as_ref().map(|a| a.content_type.clone()).into(),
        info.as_ref().map(|a| a.size as i64).into(),
        bytes.into(),
        new.sent_at.into(),
    ];
    let sql = "INSERT INTO thread_messages (thread_id, author, text, attachment_name, attachment_type, attachment_size, attachment, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    Ok(txn.execute_raw(statement(sql, values)).await.map_err(error)?.last_insert_id())
}
