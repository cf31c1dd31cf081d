//! The message center's own SQLite database: messages with their attachments.

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult, Statement, Value};

use super::app::{AttachmentInfo, Message};

pub struct Store {
    db: DatabaseConnection,
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

fn message(row: &QueryResult) -> Option<Message> {
    let text = |column: &str| row.try_get::<String>("", column).ok();
    let attachment = match (text("attachment_name"), text("attachment_type"), row.try_get::<i64>("", "attachment_size").ok()) {
        (Some(name), Some(content_type), Some(size)) => Some(AttachmentInfo { name, content_type, size: size as usize }),
        _ => None,
    };
    Some(Message {
        id: row.try_get::<i64>("", "id").ok()? as u64,
        owner: text("owner")?,
        topic: text("topic")?,
        account: text("account"),
        text: text("text")?,
        attachment,
        sent_at: row.try_get::<i64>("", "sent_at").ok()?,
    })
}

const COLUMNS: &str = "id, owner, topic, account, text, attachment_name, attachment_type, attachment_size, sent_at";

impl Store {
    /// `sqlite::memory:` or `sqlite://messages.db?mode=rwc`.
    pub async fn open(url: &str) -> Result<Store, String> {
        let mut options = ConnectOptions::new(url);
        // One connection: an in-memory database exists once per connection.
        options.max_connections(1).sqlx_logging(false);
        let db = Database::connect(options).await.map_err(|e| e.to_string())?;
        db.execute_unprepared(
            "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, topic TEXT NOT NULL, account TEXT, text TEXT NOT NULL, \
             attachment_name TEXT, attachment_type TEXT, attachment_size INTEGER, attachment BLOB, sent_at INTEGER NOT NULL)",
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(Store { db })
    }

    /// Stores a message (with the attachment's bytes) and returns it with its id.
    pub async fn insert(&self, mut message: Message, attachment: Option<Vec<u8>>) -> Result<Message, String> {
        let info = message.attachment.clone();
        let values: Vec<Value> = vec![
            message.owner.clone().into(),
            message.topic.clone().into(),
            message.account.clone().into(),
            message.text.clone().into(),
            info.as_ref().map(|a| a.name.clone()).into(),
            info.as_ref().map(|a| a.content_type.clone()).into(),
            info.as_ref().map(|a| a.size as i64).into(),
            attachment.into(),
            message.sent_at.into(),
        ];
        let sql = "INSERT INTO messages (owner, topic, account, text, attachment_name, attachment_type, attachment_size, attachment, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        let result = self.db.execute_raw(statement(sql, values)).await.map_err(|e| e.to_string())?;
        message.id = result.last_insert_id();
        Ok(message)
    }

    /// `owner`'s messages, newest first.
    pub async fn of(&self, owner: &str) -> Result<Vec<Message>, String> {
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE owner = ? ORDER BY id DESC");
        let rows = self.db.query_all_raw(statement(&sql, vec![owner.into()])).await.map_err(|e| e.to_string())?;
        Ok(rows.iter().filter_map(message).collect())
    }

    /// One of `owner`'s messages.
    pub async fn one(&self, owner: &str, id: u64) -> Result<Option<Message>, String> {
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE owner = ? AND id = ?");
        let row = self.db.query_one_raw(statement(&sql, vec![owner.into(), (id as i64).into()])).await.map_err(|e| e.to_string())?;
        Ok(row.as_ref().and_then(message))
    }
}
