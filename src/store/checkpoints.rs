//! SQLite checkpoints (copying the write-ahead log back into the database file) on a
//! connection of their own. By default the connection that commits does it, each time
//! the log passes 1,000 pages, and every write waits meanwhile: under refresh load that
//! was a stall of 3 to 8 ms several times a second. Here a task does it shortly after
//! writes while the writer goes on (a PASSIVE checkpoint blocks neither readers nor
//! the writer). The writer still checkpoints by itself once the log passes `BACKSTOP`
//! pages: should this task fall behind, and to start the log over, which only a
//! checkpoint on the writer's own connection lets it do while writes go on.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::ConnectionTrait;
use tokio::sync::Notify;

use super::db::Db;

/// Log pages (4 KiB each) past which the writer checkpoints by itself: the log file
/// grows to some 40 MB under sustained writes. With 1,000 pages, SQLite's default,
/// refreshes ran some 7 % slower (the log then starts over ten times as often).
pub(super) const BACKSTOP: u32 = 10_000;

/// At most one checkpoint per pause while writes go on; a page written several times
/// meanwhile is copied once.
const PAUSE: Duration = Duration::from_millis(20);

/// Checkpoints through `db` (a connection other than the writer's) a pause after each
/// write that `writes` reports.
pub(super) fn start(db: Db, writes: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            writes.notified().await;
            tokio::time::sleep(PAUSE).await;
            if let Err(e) = db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await {
                tracing::warn!(error = %e, "checkpoint failed; the writer will do it past its backstop");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With SQLite's own checkpoints out of reach, committed rows reach the database
    /// file only if the task copies them there.
    #[tokio::test]
    async fn committed_rows_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.db");
        let url = format!("sqlite://{}", file.display());
        let (writer, writes) = Db::sqlite_writer(&url, 1_000_000).unwrap();
        writer.execute_unprepared("CREATE TABLE t (v TEXT NOT NULL)").await.unwrap();
        start(Db::sqlite(&url, 1).unwrap(), writes);
        // A thousand rows of 1 KiB: some 250 pages, far below the writer's own threshold.
        let fill = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO t SELECT hex(randomblob(512)) FROM n";
        writer.execute_unprepared(fill).await.unwrap();
        let size = || std::fs::metadata(&file).map_or(0, |m| m.len());
        let waited = tokio::time::timeout(Duration::from_secs(10), async {
            while size() < 1_000 * 1024 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        assert!(waited.await.is_ok(), "the database file stayed at {} bytes", size());
    }
}
