#!/usr/bin/env python3
"""Seeds oneid's database with accounts user0000001@bench.example.com ... up to TOTAL,
copies of the template account (same password hash, so every one can sign in), by
direct inserts: a million take seconds, not the hours hashing each password would.

usage: seed.py sqlite DB_FILE TEMPLATE_EMAIL TOTAL
       seed.py postgres DATABASE_URL TEMPLATE_EMAIL TOTAL
"""
import sqlite3, subprocess, sys

kind, where, template, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def select_list(columns):
    """The template's columns, with a new id and address per number n."""
    made = {"id": "'bench-' || lpad_n", "email": "'user' || lpad_n || '@bench.example.com'"}
    return ", ".join(made.get(c, c) for c in columns)


if kind == "sqlite":
    db = sqlite3.connect(where, timeout=30)
    columns = [row[1] for row in db.execute("PRAGMA table_info(users)")]
    have = db.execute("SELECT count(*) FROM users WHERE email LIKE 'user%@bench.example.com'").fetchone()[0]
    sql = ("WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
           "INSERT INTO users (%s) SELECT %s FROM n, (SELECT * FROM users WHERE email = ?) t"
           % (", ".join(columns), select_list(columns).replace("lpad_n", "printf('%07d', i)")))
    db.execute(sql, (have + 1, total, template))
    db.commit()
    # Move the insert from the write-ahead log into the database now, as after any bulk
    # import: otherwise the server's next commit copies hundreds of megabytes first.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(db.execute("SELECT count(*) FROM users").fetchone()[0])
else:
    psql = ["psql", "-qAt", "-v", "ON_ERROR_STOP=1", where]
    columns = subprocess.run(psql + ["-c", "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position"],
                             check=True, capture_output=True, text=True).stdout.split()
    have = int(subprocess.run(psql + ["-c", "SELECT count(*) FROM users WHERE email LIKE 'user%@bench.example.com'"], check=True, capture_output=True, text=True).stdout)
    sql = ("INSERT INTO users (%s) SELECT %s FROM generate_series(%d, %d) AS n(i), (SELECT * FROM users WHERE email = '%s') t; ANALYZE users; SELECT count(*) FROM users"
           % (", ".join(columns), select_list(columns).replace("lpad_n", "lpad(i::text, 7, '0')"), have + 1, total, template.replace("'", "''")))
    print(subprocess.run(psql + ["-c", sql], check=True, capture_output=True, text=True).stdout.strip())
