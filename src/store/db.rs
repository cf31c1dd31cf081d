//! Connections to the database, pooled here rather than by sqlx. sqlx's pool pings every
//! connection it takes back (sqlx-core 0.9, `return_to_pool`), with no setting to stop
//! it: a second round trip for every statement, on SQLite a second wake-up of the
//! connection's thread (measured: 12-21 % of UserInfo's throughput, and a share of every
//! sign-in's context switches). Here a connection goes back to the pool as it is, and is
//! checked only when something unusual happened to it: a statement cancelled half-way, a
//! transaction dropped without a commit, or (PostgreSQL) a long rest.
//!
//! sea-orm builds the statements and reads the rows: `Db` and `Txn` implement its
//! `ConnectionTrait`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{self, ConnectOptions as _, Connection as _};
use sea_orm::{ConnAcquireErr, ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// How long a request waits for a connection (a free one, or a new one through a short
/// database outage) before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL connection idle this long is pinged before use: the server or a firewall
/// may have dropped it meanwhile. A SQLite file drops nothing.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(30);

/// A pool of connections to one database, opened as needed up to a maximum. Cloning
/// shares the pool.
#[derive(Clone)]
pub struct Db(Arc<Pool>);

struct Pool {
    options: Options,
    /// Connections not in use, the most recently used last (it is taken first, warm).
    idle: Mutex<Vec<Idle>>,
    /// One per connection that may exist: held by each lease.
    permits: Arc<Semaphore>,
    /// The SQLite writer's: told each time its connection comes back (`Db::sqlite_writer`).
    returns: Option<Arc<Notify>>,
}

enum Options {
    Sqlite(SqliteConnectOptions),
    Postgres(PgConnectOptions),
}

enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

struct Idle {
    conn: Conn,
    since: Instant,
}

impl Db {
    /// A SQLite database: WAL, synchronous=NORMAL, foreign keys, a busy timeout.
    pub fn sqlite(url: &str, max_connections: u32) -> Result<Db, DbErr> {
        Ok(Db::new(Options::Sqlite(sqlite_options(url)?), max_connections, None))
    }

    /// The one connection that writes to a SQLite database. It copies the write-ahead
    /// log back into the database file itself (a checkpoint, during which every write
    /// waits) only once the log has grown past `log_pages`; short of that it leaves the
    /// copying to another connection (`store::checkpoints`), which the `Notify` wakes:
    /// it is told each time the connection comes back to the pool, after each statement
    /// run outside a transaction and after each transaction.
    pub fn sqlite_writer(url: &str, log_pages: u32) -> Result<(Db, Arc<Notify>), DbErr> {
        let options = sqlite_options(url)?.pragma("wal_autocheckpoint", log_pages.to_string());
        let returns = Arc::new(Notify::new());
        Ok((Db::new(Options::Sqlite(options), 1, Some(returns.clone())), returns))
    }

    pub fn postgres(url: &str, max_connections: u32) -> Result<Db, DbErr> {
        let options = PgConnectOptions::from_str(url).map_err(conn_err)?.disable_statement_logging();
        Ok(Db::new(Options::Postgres(options), max_connections, None))
    }

    /// PostgreSQL connections whose commits do not wait for the write-ahead log to reach
    /// the disk (`synchronous_commit = off`): a commit is visible to every connection at
    /// once, as any other, but a crash of the database server (or a failover: they do not
    /// wait for synchronous standbys either) may lose the last fraction of a second of
    /// them. For `Store::transient`'s writes only.
    pub fn postgres_unsynced(url: &str, max_connections: u32) -> Result<Db, DbErr> {
        let options = PgConnectOptions::from_str(url).map_err(conn_err)?.disable_statement_logging().options([("synchronous_commit", "off")]);
        Ok(Db::new(Options::Postgres(options), max_connections, None))
    }

    fn new(options: Options, max_connections: u32, returns: Option<Arc<Notify>>) -> Db {
        let max = usize::try_from(max_connections.max(1)).unwrap_or(1);
        Db(Arc::new(Pool { options, idle: Mutex::new(Vec::with_capacity(max)), permits: Arc::new(Semaphore::new(max)), returns }))
    }

    /// Opens `n` connections at the same time and leaves them idle: each costs the
    /// server a process start on PostgreSQL, and one after another, as the first
    /// queries would open them, they made the start several times slower.
    pub async fn open(&self, n: u32) -> Result<(), DbErr> {
        let mut opening = tokio::task::JoinSet::new();
        for _ in 0..n {
            let db = self.clone();
            opening.spawn(async move { db.lease().await });
        }
        // Held until all are open, so that each lease opens a connection of its own.
        let mut open = Vec::new();
        while let Some(done) = opening.join_next().await {
            open.push(done.map_err(|e| DbErr::Custom(e.to_string()))??);
        }
        Ok(())
    }

    /// A sea-orm connection of its own, for what needs one (the migrator); close it after.
    pub async fn standalone(&self) -> Result<sea_orm::DatabaseConnection, DbErr> {
        Ok(match &self.0.options {
            Options::Sqlite(o) => {
                let pool = sqlx::pool::PoolOptions::new().max_connections(1).connect_with(o.clone()).await.map_err(conn_err)?;
                sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
            }
            Options::Postgres(o) => {
                let pool = sqlx::pool::PoolOptions::new().max_connections(1).connect_with(o.clone()).await.map_err(conn_err)?;
                sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
            }
        })
    }

    /// A transaction: `BEGIN IMMEDIATE` on SQLite, so that it holds the write lock from
    /// the start and cannot fail half-way on a busy snapshot.
    pub async fn begin(&self) -> Result<Txn, DbErr> {
        let mut lease = self.lease().await?;
        lease.in_transaction = true;
        let begin = match self.backend() {
            DbBackend::Sqlite => "BEGIN IMMEDIATE",
            _ => "BEGIN",
        };
        lease.run(|conn| conn.execute_unprepared(begin.into())).await.map_err(exec_err)?;
        Ok(Txn { lease: tokio::sync::Mutex::new(lease), backend: self.backend() })
    }

    fn backend(&self) -> DbBackend {
        match self.0.options {
            Options::Sqlite(_) => DbBackend::Sqlite,
            Options::Postgres(_) => DbBackend::Postgres,
        }
    }

    async fn lease(&self) -> Result<Lease, DbErr> {
        let pool = &self.0;
        let deadline = Instant::now() + ACQUIRE_TIMEOUT;
        let permit = tokio::time::timeout(ACQUIRE_TIMEOUT, pool.permits.clone().acquire_owned())
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))?;
        let idle = pool.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(Idle { mut conn, since }) if since.elapsed() >= CHECK_AFTER_IDLE && matches!(conn, Conn::Postgres(_)) => match conn.ping().await {
                Ok(()) => conn,
                Err(_) => pool.options.connect(deadline).await.map_err(conn_err)?,
            },
            Some(idle) => idle.conn,
            None => pool.options.connect(deadline).await.map_err(conn_err)?,
        };
        Ok(Lease { conn: Some(conn), pool: self.0.clone(), permit: Some(permit), busy: false, in_transaction: false })
    }
}

fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, DbErr> {
    Ok(SqliteConnectOptions::from_str(url)
        .map_err(conn_err)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        // 2 MiB of page cache per connection; the OS caches the file too.
        .pragma("cache_size", "-2000")
        .pragma("temp_store", "memory")
        .disable_statement_logging())
}

impl Options {
    /// Opens a connection. While the database cannot be reached or is starting up (a
    /// restart, a failover), tries again after growing pauses until `deadline`: requests
    /// then wait out a short outage instead of failing.
    async fn connect(&self, deadline: Instant) -> Result<Conn, sqlx::Error> {
        let mut pause = Duration::from_millis(10);
        loop {
            let opened = match self {
                Options::Sqlite(o) => o.connect().await.map(Conn::Sqlite),
                Options::Postgres(o) => o.connect().await.map(Conn::Postgres),
            };
            match opened {
                Err(e) if is_transient(&e) && Instant::now() + pause < deadline => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
                opened => return opened,
            }
        }
    }
}

/// An error after which a connection is not used again: its socket or thread failed,
/// or PostgreSQL is ending it (SQLSTATE class 57P: shutdown, crash, cannot connect now).
fn is_fatal(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|code| code.starts_with("57P")),
        _ => false,
    }
}

/// A connection error that goes away by itself: no route or connection refused yet, or
/// PostgreSQL's "cannot connect now" (starting up, shutting down, recovering).
fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(e) => e.code().as_deref() == Some("57P03"),
        _ => false,
    }
}

type Running<'a, T> = std::pin::Pin<Box<dyn Future<Output = Result<T, sqlx::Error>> + Send + 'a>>;

/// A connection taken from the pool, and the permit that counts it; back to the pool
/// when dropped.
struct Lease {
    conn: Option<Conn>,
    pool: Arc<Pool>,
    permit: Option<OwnedSemaphorePermit>,
    /// Set while a statement runs; still set when the lease is dropped, it means the
    /// statement was cancelled half-way and its answer may still be on its way.
    busy: bool,
    in_transaction: bool,
}

impl Lease {
    /// Runs one statement, keeping track of what a cancellation would leave behind. A
    /// connection that failed for good is not used again.
    async fn run<T>(&mut self, statement: impl for<'c> FnOnce(&'c mut Conn) -> Running<'c, T>) -> Result<T, sqlx::Error> {
        let conn = self.conn.as_mut().ok_or(sqlx::Error::PoolClosed)?;
        self.busy = true;
        let result = statement(conn).await;
        self.busy = false;
        if result.as_ref().is_err_and(is_fatal) {
            self.conn = None;
        }
        result
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(returns) = &self.pool.returns {
            returns.notify_one();
        }
        let Some(mut conn) = self.conn.take() else { return };
        if !self.busy && !self.in_transaction {
            self.pool.idle.lock().unwrap_or_else(|p| p.into_inner()).push(Idle { conn, since: Instant::now() });
            return;
        }
        // Cancelled half-way, or a transaction left open: roll back (or wait for the
        // answer still on its way) before anyone else gets the connection. The permit
        // goes along, so that the pool does not open another meanwhile.
        let (Ok(runtime), pool, permit, rollback) = (tokio::runtime::Handle::try_current(), self.pool.clone(), self.permit.take(), self.in_transaction) else { return };
        runtime.spawn(async move {
            let settle = async { if rollback { conn.execute_unprepared("ROLLBACK".into()).await.map(drop) } else { conn.ping().await } };
            // A database that does not answer does not get to keep the permit.
            if let Ok(Ok(())) = tokio::time::timeout(ACQUIRE_TIMEOUT, settle).await {
                pool.idle.lock().unwrap_or_else(|p| p.into_inner()).push(Idle { conn, since: Instant::now() });
            }
            drop(permit);
        });
    }
}

/// `stmt` with its values bound, as sqlx runs it (prepared once per connection, cached).
/// Taken whole: its SQL and values move into the query rather than being copied.
fn bound<DB: sqlx::Database>(stmt: Statement) -> sqlx::query::Query<'static, DB, SqlxValues>
where
    SqlxValues: sqlx::IntoArguments<DB>,
{
    let values = stmt.values.unwrap_or(sea_orm::sea_query::Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql), SqlxValues(values))
}

impl Conn {
    fn execute(&mut self, stmt: Statement) -> Running<'_, ExecResult> {
        match self {
            Conn::Sqlite(c) => Box::pin(async move { bound(stmt).execute(c).await.map(Into::into) }),
            Conn::Postgres(c) => Box::pin(async move { bound(stmt).execute(c).await.map(Into::into) }),
        }
    }

    fn fetch_optional(&mut self, stmt: Statement) -> Running<'_, Option<QueryResult>> {
        match self {
            Conn::Sqlite(c) => Box::pin(async move { Ok(bound(stmt).fetch_optional(c).await?.map(Into::into)) }),
            Conn::Postgres(c) => Box::pin(async move { Ok(bound(stmt).fetch_optional(c).await?.map(Into::into)) }),
        }
    }

    fn fetch_all(&mut self, stmt: Statement) -> Running<'_, Vec<QueryResult>> {
        match self {
            Conn::Sqlite(c) => Box::pin(async move { Ok(bound(stmt).fetch_all(c).await?.into_iter().map(Into::into).collect()) }),
            Conn::Postgres(c) => Box::pin(async move { Ok(bound(stmt).fetch_all(c).await?.into_iter().map(Into::into).collect()) }),
        }
    }

    /// SQL without parameters, sent as it is (several statements allowed).
    fn execute_unprepared(&mut self, sql: String) -> Running<'_, ExecResult> {
        match self {
            Conn::Sqlite(c) => Box::pin(async move { sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(c).await.map(Into::into) }),
            Conn::Postgres(c) => Box::pin(async move { sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(c).await.map(Into::into) }),
        }
    }

    async fn ping(&mut self) -> Result<(), sqlx::Error> {
        match self {
            Conn::Sqlite(c) => c.ping().await,
            Conn::Postgres(c) => c.ping().await,
        }
    }
}

/// An open transaction on one leased connection; rolled back if dropped uncommitted.
pub struct Txn {
    lease: tokio::sync::Mutex<Lease>,
    backend: DbBackend,
}

impl Txn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.end("COMMIT").await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.end("ROLLBACK").await
    }

    async fn end(self, sql: &str) -> Result<(), DbErr> {
        let mut lease = self.lease.into_inner();
        lease.run(|conn| conn.execute_unprepared(sql.into())).await.map_err(exec_err)?;
        lease.in_transaction = false;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        self.backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.lease().await?.run(|conn| conn.execute(stmt)).await.map_err(exec_err)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.lease().await?.run(|conn| conn.execute_unprepared(sql.to_string())).await.map_err(exec_err)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.lease().await?.run(|conn| conn.fetch_optional(stmt)).await.map_err(query_err)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.lease().await?.run(|conn| conn.fetch_all(stmt)).await.map_err(query_err)
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Txn {
    fn get_database_backend(&self) -> DbBackend {
        self.backend
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.lease.lock().await.run(|conn| conn.execute(stmt)).await.map_err(exec_err)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.lease.lock().await.run(|conn| conn.execute_unprepared(sql.to_string())).await.map_err(exec_err)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.lease.lock().await.run(|conn| conn.fetch_optional(stmt)).await.map_err(query_err)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.lease.lock().await.run(|conn| conn.fetch_all(stmt)).await.map_err(query_err)
    }
}

// The same shapes as sea-orm's own driver gives, so that `DbErr::sql_err` reads them.
fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}

fn conn_err(e: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One-connection pools with a table `t`: on SQLite, and on PostgreSQL when
    /// `ONEID_TEST_DATABASE_URL` names a database (the table is temporary there, so it
    /// is seen only while the pool keeps the same connection).
    async fn one_connection_pools() -> Vec<(Option<tempfile::TempDir>, Db)> {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Db::sqlite(&format!("sqlite://{}", dir.path().join("t.db").display()), 1).unwrap();
        sqlite.execute_unprepared("CREATE TABLE t (n INTEGER NOT NULL)").await.unwrap();
        let mut pools = vec![(Some(dir), sqlite)];
        if let Ok(url) = std::env::var("ONEID_TEST_DATABASE_URL") {
            let postgres = Db::postgres(&url, 1).unwrap();
            postgres.execute_unprepared("CREATE TEMPORARY TABLE t (n BIGINT NOT NULL)").await.unwrap();
            pools.push((None, postgres));
        }
        pools
    }

    async fn rows(db: &Db) -> i64 {
        let count = Statement::from_string(db.backend(), "SELECT count(*) AS n FROM t");
        db.query_one_raw(count).await.unwrap().unwrap().try_get::<i64>("", "n").unwrap()
    }

    #[tokio::test]
    async fn a_transaction_dropped_uncommitted_is_rolled_back_and_its_connection_reused() {
        for (_dir, db) in one_connection_pools().await {
            let txn = db.begin().await.unwrap();
            txn.execute_unprepared("INSERT INTO t VALUES (1)").await.unwrap();
            drop(txn);
            // The only connection comes back rolled back: a new transaction gets it, and
            // sees no row.
            let txn = db.begin().await.unwrap();
            txn.execute_unprepared("INSERT INTO t VALUES (2)").await.unwrap();
            txn.commit().await.unwrap();
            assert_eq!(rows(&db).await, 1, "{:?}", db.backend());
            let txn = db.begin().await.unwrap();
            txn.execute_unprepared("INSERT INTO t VALUES (3)").await.unwrap();
            txn.rollback().await.unwrap();
            assert_eq!(rows(&db).await, 1, "{:?}", db.backend());
        }
    }

    #[tokio::test]
    async fn a_statement_cancelled_half_way_leaves_a_usable_connection() {
        for (_dir, db) in one_connection_pools().await {
            db.execute_unprepared("INSERT INTO t VALUES (1), (2)").await.unwrap();
            // Slow enough that one poll only sends it.
            let slow = match db.backend() {
                DbBackend::Sqlite => "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000000) SELECT count(*) AS n FROM c",
                _ => "SELECT pg_sleep(0.2)::text AS n",
            };
            let mut cancelled = Box::pin(db.query_one_raw(Statement::from_string(db.backend(), slow)));
            let mut poll = std::task::Context::from_waker(std::task::Waker::noop());
            assert!(cancelled.as_mut().poll(&mut poll).is_pending());
            drop(cancelled);
            // The answer to the cancelled statement is not taken for this one's.
            assert_eq!(rows(&db).await, 2, "{:?}", db.backend());
            assert_eq!(rows(&db).await, 2, "{:?}", db.backend());
        }
    }

    /// The database restarting: the first connection is dropped before it gets an
    /// answer, the next one goes through.
    #[tokio::test]
    async fn opening_a_connection_is_tried_again_while_the_database_is_away() {
        let Ok(url) = std::env::var("ONEID_TEST_DATABASE_URL") else { return };
        let target = url::Url::parse(&url).unwrap();
        let server = format!("{}:{}", target.host_str().unwrap(), target.port().unwrap_or(5432));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut through = target.clone();
        through.set_port(Some(listener.local_addr().unwrap().port())).unwrap();
        let accepted = tokio::spawn(async move {
            let (refused, _) = listener.accept().await.unwrap();
            drop(refused);
            let (mut client, _) = listener.accept().await.unwrap();
            let mut upstream = tokio::net::TcpStream::connect(server).await.unwrap();
            tokio::spawn(async move { tokio::io::copy_bidirectional(&mut client, &mut upstream).await });
        });
        let db = Db::postgres(through.as_str(), 1).unwrap();
        db.execute_unprepared("SELECT 1").await.expect("the second attempt connects");
        accepted.await.unwrap();
    }

    /// Transient writes' connections commit without waiting for the disk, and only they.
    #[tokio::test]
    async fn only_unsynced_postgres_connections_commit_without_waiting_for_the_disk() {
        let Ok(url) = std::env::var("ONEID_TEST_DATABASE_URL") else { return };
        let setting = |db: Db| async move {
            let show = Statement::from_string(DbBackend::Postgres, "SELECT current_setting('synchronous_commit') AS s");
            db.query_one_raw(show).await.unwrap().unwrap().try_get::<String>("", "s").unwrap()
        };
        assert_eq!(setting(Db::postgres_unsynced(&url, 1).unwrap()).await, "off");
        assert_eq!(setting(Db::postgres(&url, 1).unwrap()).await, "on");
    }

    /// Many statements and transactions at once, every other one cancelled at its first
    /// poll: afterwards every permit is back, every connection usable, and each
    /// transaction wholly there or wholly gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancellations_under_load_lose_no_connection() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::sqlite(&format!("sqlite://{}", dir.path().join("t.db").display()), 3).unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER NOT NULL)").await.unwrap();
        let mut work = tokio::task::JoinSet::new();
        for i in 0..200_i64 {
            let db = db.clone();
            work.spawn(async move {
                let task = async {
                    let txn = db.begin().await?;
                    txn.execute_unprepared(&format!("INSERT INTO t VALUES ({i})")).await?;
                    txn.execute_unprepared(&format!("INSERT INTO t VALUES ({})", i + 1000)).await?;
                    if i % 3 == 0 { txn.rollback().await } else { txn.commit().await }
                };
                let mut task = Box::pin(task);
                if i % 2 == 0 {
                    let mut poll = std::task::Context::from_waker(std::task::Waker::noop());
                    let _ = task.as_mut().poll(&mut poll);
                    return; // dropped half-way
                }
                task.await.unwrap();
            });
        }
        while let Some(done) = work.join_next().await {
            done.unwrap();
        }
        // Settling runs in tasks of its own: the permits come back once they are done.
        let all = tokio::time::timeout(ACQUIRE_TIMEOUT, db.0.permits.clone().acquire_many_owned(3)).await.expect("every permit comes back");
        drop(all);
        let list = Statement::from_string(DbBackend::Sqlite, "SELECT n FROM t WHERE n < 1000 AND n + 1000 IN (SELECT n FROM t) ORDER BY n");
        let whole: Vec<i64> = db.query_all_raw(list).await.unwrap().iter().map(|r| r.try_get("", "n").unwrap()).collect();
        assert_eq!(rows(&db).await, 2 * whole.len() as i64, "no transaction is there in part");
        // Every completed commit is there and no rollback. A cancelled transaction may
        // have been committed after all: its first poll can get as far as sending COMMIT.
        let committed: Vec<i64> = (1..200).step_by(2).filter(|i| i % 3 != 0).collect();
        let cancelled_commits: Vec<i64> = (0..200).step_by(2).filter(|i| i % 3 != 0).collect();
        assert!(committed.iter().all(|i| whole.contains(i)), "{whole:?}");
        assert!(whole.iter().all(|i| committed.contains(i) || cancelled_commits.contains(i)), "{whole:?}");
    }

    #[tokio::test]
    async fn connections_are_opened_up_to_the_maximum_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::sqlite(&format!("sqlite://{}", dir.path().join("t.db").display()), 2).unwrap();
        let (a, b) = (db.lease().await.unwrap(), db.lease().await.unwrap());
        assert_eq!(db.0.permits.available_permits(), 0);
        drop((a, b));
        assert_eq!(db.0.idle.lock().unwrap().len(), 2);
        assert_eq!(db.0.permits.available_permits(), 2);
        db.execute_unprepared("SELECT 1").await.unwrap();
        assert_eq!(db.0.idle.lock().unwrap().len(), 2, "a connection taken for one statement goes back as it is");
    }
}
