import Foundation

/// The SQLite record of experiments, runs, stage executions, artifacts, lineage and metrics.
///
/// One writer (the process holding the workspace lock); WAL so readers never block it; every
/// state change of an execution is its own short transaction, so a crash loses at most the
/// stage in flight.
package final class Ledger {
    /// The connection stays inside Pipeline; other modules use `register`, `query` and `transaction`.
    let db: SQLiteDatabase
    package var path: String { db.path }
    /// Migrated to the latest schema: opened for writing, or seen to hold `stage_keys` (a read-only
    /// ledger may be older, until a writer migrates it; a table once there stays).
    private var migrated: Bool

    /// Numbered migrations; only ever append.
    static let migrations: [String] = [
        """
        CREATE TABLE experiments(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, file TEXT, created_at REAL NOT NULL);
        CREATE TABLE runs(id INTEGER PRIMARY KEY, experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            started_at REAL NOT NULL, finished_at REAL, status TEXT NOT NULL, host TEXT, pid INTEGER, argv TEXT);
        CREATE TABLE executions(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
            stage_id TEXT NOT NULL, kind TEXT NOT NULL, fingerprint TEXT NOT NULL, key_json TEXT NOT NULL,
            status TEXT NOT NULL, reason TEXT, started_at REAL, finished_at REAL, cpu_seconds REAL,
            peak_rss_kb INTEGER, host TEXT, pid INTEGER, log_path TEXT, error TEXT);
        CREATE INDEX executions_stage ON executions(stage_id, run_id);
        CREATE INDEX executions_fingerprint ON executions(fingerprint);
        CREATE TABLE artifacts(hash TEXT PRIMARY KEY, type TEXT NOT NULL, size INTEGER NOT NULL);
        CREATE TABLE outputs(fingerprint TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL REFERENCES artifacts(hash),
            execution_id INTEGER NOT NULL REFERENCES executions(id), PRIMARY KEY(fingerprint, name));
        CREATE TABLE lineage(execution_id INTEGER NOT NULL REFERENCES executions(id), role TEXT NOT NULL,
            name TEXT NOT NULL, hash TEXT NOT NULL);
        CREATE INDEX lineage_hash ON lineage(hash);
        CREATE TABLE metrics(execution_id INTEGER NOT NULL REFERENCES executions(id), fingerprint TEXT NOT NULL,
            name TEXT NOT NULL, value REAL NOT NULL, step INTEGER);
        CREATE INDEX metrics_fingerprint ON metrics(fingerprint);
        CREATE TABLE file_state(path TEXT PRIMARY KEY, inode INTEGER NOT NULL, size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL);
        """,
        """
        CREATE TABLE cluster_jobs(execution_id INTEGER NOT NULL REFERENCES executions(id), job_id TEXT NOT NULL,
            state TEXT NOT NULL, node TEXT, elapsed TEXT, max_rss_kb INTEGER, reason TEXT, updated_at REAL NOT NULL,
            PRIMARY KEY(execution_id, job_id));
        """,
        // 3: the user-study tables, which the Study target now creates through its own migrations
        // (`register(module:migrations:)`); the number stays taken so later migrations keep theirs.
        "SELECT 1;",
        // 4: each run's plan, recorded with the run row, so the live view draws a first run whole.
        """
        CREATE TABLE run_plans(run_id INTEGER NOT NULL REFERENCES runs(id), position INTEGER NOT NULL,
            stage_id TEXT NOT NULL, kind TEXT NOT NULL, fingerprint TEXT NOT NULL, key_json TEXT NOT NULL, reason TEXT,
            PRIMARY KEY(run_id, position));
        """,
        // 5: what each scanned script imports or sources, by scanner and content hash (ScriptReferenceCache).
        """
        CREATE TABLE IF NOT EXISTS script_references(key TEXT PRIMARY KEY, refs TEXT NOT NULL);
        """,
        // 6: each stage key's JSON once, by fingerprint (`storeKeys`). Cached and skipped executions
        // and run plans refer to it, their own key_json left '', instead of repeating it: a no-op
        // rerun of 10,000 stages wrote 20,000 copies. Rows written before keep theirs.
        // With it, two partial indexes over the few rows a plan looks for among the many a
        // history of reruns leaves: which fingerprints succeeded (asked of every stage), and which
        // executions a dead process left started (asked by every run, which scanned the table).
        """
        CREATE TABLE IF NOT EXISTS stage_keys(fingerprint TEXT PRIMARY KEY, key_json TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS executions_succeeded ON executions(fingerprint) WHERE status = 'succeeded';
        CREATE INDEX IF NOT EXISTS executions_started ON executions(status) WHERE status = 'started';
        """,
        // 7: executions by run, lineage by execution. Every page of the live view and `status`/`show`
        // ask for one run's executions (`WHERE run_id = ?`) or one execution's inputs, which scanned
        // the whole table: the view's time and its memory (SQLite's page cache, per request) grew
        // with the history, not with the run.
        """
        CREATE INDEX IF NOT EXISTS executions_run ON executions(run_id);
        CREATE INDEX IF NOT EXISTS lineage_execution ON lineage(execution_id);
        """,
        // 8: no index over every execution's fingerprint. Each lookup by fingerprint asks for a
        // succeeded one, which `executions_succeeded` answers; the full index only cost writes.
        // Fingerprints are random, so each row a no-op rerun records (one per cached stage) landed
        // on its own leaf page: 1,000 cached stages dirtied ~1,000 pages and a WAL checkpoint,
        // ~25 ms of a ~100 ms rerun.
        """
        DROP INDEX IF EXISTS executions_fingerprint;
        """,
    ]

    /// Opens (creating if needed) the ledger at `path` and applies pending migrations.
    package init(path: String) throws {
        db = try SQLiteDatabase(path: path)
        migrated = true
        // Two processes opening a new ledger at once would race to set WAL and to migrate (SQLite
        // answers "locked" or "table exists"): whoever opens it first finishes, the other waits.
        let gate = open(path + ".open-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if gate >= 0 { flock(gate, LOCK_EX) }
        defer {
            if gate >= 0 { flock(gate, LOCK_UN); close(gate) }
        }
        // A 32 MiB page cache (SQLite's default is 2 MiB, taken only as pages are read): a plan of
        // 10,000 stages reads the index pages its no-op rerun then writes, which a small cache had
        // evicted and read again.
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;")
        try migrate()
    }

    /// Opens an existing ledger for reading only (the live view): no migrations, no pragmas that
    /// write, and SQLite itself refuses any change. WAL lets it read while a run writes.
    package init(readOnlyPath path: String) throws {
        db = try SQLiteDatabase(path: path, readOnly: true)
        migrated = false
    }

    /// The SQL of a row's key JSON, for rows of `table` (an alias of `executions` or `run_plans`):
    /// the row's own `key_json`, or where that is '' (written since migration 6) its fingerprint's
    /// in `stage_keys`. A ledger opened read-only may predate that table: then every row has its own.
    func keyJSON(of table: String) -> String {
        if !migrated {
            // Asked once per query until seen: the live view reads through one read-only ledger per request.
            migrated = (try? db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stage_keys'").isEmpty == false) == true
        }
        guard migrated else { return "\(table).key_json" }
        return "COALESCE(NULLIF(\(table).key_json, ''), (SELECT k.key_json FROM stage_keys k WHERE k.fingerprint = \(table).fingerprint))"
    }

    private func migrate() throws {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
        for (index, sql) in Ledger.migrations.enumerated() {
            try db.transaction {
                // Read inside the write transaction, so a migration is never applied twice.
                let applied = try db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0].int ?? 0
                guard index + 1 > applied else { return }
                try db.execute(sql)
                try db.query("INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)", [.int(Int64(index + 1)), .double(Date().timeIntervalSince1970)])
            }
        }
    }

    /// Applies the pending migrations of a module that keeps its own tables in the ledger (Study
    /// does). Each module numbers its migrations from 1 and only ever appends; tables are
    /// `CREATE TABLE IF NOT EXISTS` where a ledger may already hold them from before.
    package func register(module: String, migrations: [String]) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS module_migrations(module TEXT NOT NULL, version INTEGER NOT NULL,
                applied_at REAL NOT NULL, PRIMARY KEY(module, version))
            """)
        for (index, sql) in migrations.enumerated() {
            try db.transaction {
                let applied = try db.query("SELECT COALESCE(MAX(version), 0) FROM module_migrations WHERE module = ?",
                                           [.text(module)])[0][0].int ?? 0
                guard index + 1 > applied else { return }
                try db.execute(sql)
                try db.query("INSERT INTO module_migrations(module, version, applied_at) VALUES (?, ?, ?)",
                             [.text(module), .int(Int64(index + 1)), .double(Ledger.now)])
            }
        }
    }

    /// Runs a statement on the ledger (for a module's own tables), returning its rows.
    @discardableResult
    package func query(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] { try db.query(sql, values) }

    /// The row id of the last row inserted on this connection.
    package var lastInsertID: Int64 { db.lastInsertID }

    /// Runs `body` in one transaction: all of its statements or none.
    package func transaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }

    /// Runs `body`'s reads on one snapshot of the ledger; `body` must not write (`SQLiteDatabase.reading`).
    package func reading<T>(_ body: () throws -> T) throws -> T { try db.reading(body) }

    /// The schema version the file is at.
    package func schemaVersion() throws -> Int {
        Int(try db.query("SELECT MAX(version) FROM schema_migrations")[0][0].int ?? 0)
    }

    static var now: Double { Date().timeIntervalSince1970 }

    static var hostName: String { ProcessInfo.processInfo.hostName }
}
