import CSQLite
import Foundation

/// A failure reported by SQLite, with the statement and the file.
package struct SQLiteError: Error, CustomStringConvertible {
    package var path: String
    package var message: String
    package var code: Int32

    package var description: String { "ledger \(path): \(message) (SQLite code \(code))" }
}

/// A value bound to or read from a statement.
package enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    package var int: Int64? { if case .int(let v) = self { return v }; return nil }
    package var double: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
    package var text: String? { if case .text(let v) = self { return v }; return nil }
}

/// The one type that holds a SQLite connection handle.
package final class SQLiteDatabase {
    private var handle: OpaquePointer?
    package let path: String
    private let readOnly: Bool
    /// Prepared statements by SQL text, reused (reset after each use): a plan asks the same few
    /// questions once per stage, and parsing them again each time was a tenth of a no-op rerun.
    private var statements: [String: OpaquePointer] = [:]
    private let statementsLock = NSLock()
    private static let statementCacheLimit = 64
    // SQLITE_TRANSIENT is a macro Swift does not import: the destructor value -1.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Opens (creating if needed) the database at `path`; `readOnly` opens an existing file for
    /// reading only, so nothing done through this connection can change it.
    package init(path: String, readOnly: Bool = false) throws {
        self.path = path
        self.readOnly = readOnly
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw SQLiteError(path: path, message: message, code: rc)
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        // A second guard: even a statement that slipped through could not write.
        if readOnly { try execute("PRAGMA query_only=ON") }
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close(handle)
    }

    private func fail(_ rc: Int32, _ sql: String) -> SQLiteError {
        SQLiteError(path: path, message: "\(String(cString: sqlite3_errmsg(handle))) in: \(sql.prefix(120))", code: rc)
    }

    /// Runs one or more statements without results.
    package func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? "error"
            sqlite3_free(errorMessage)
            throw SQLiteError(path: path, message: "\(message) in: \(sql.prefix(120))", code: rc)
        }
    }

    /// Runs one statement with bound values and returns its rows.
    @discardableResult
    package func query(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        statementsLock.lock()
        defer { statementsLock.unlock() }
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(values, to: statement, sql)
        var rows: [[SQLValue]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw fail(rc, sql) }
            let columns = sqlite3_column_count(statement)
            var row: [SQLValue] = []
            row.reserveCapacity(Int(columns))
            for c in 0..<columns {
                switch sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(statement, c)))
                case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(statement, c)))
                case SQLITE_TEXT: row.append(.text(String(cString: sqlite3_column_text(statement, c))))
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// The cached statement for `sql`, prepared on first use (callers hold `statementsLock`).
    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        if statements.count >= Self.statementCacheLimit {
            for statement in statements.values { sqlite3_finalize(statement) }
            statements.removeAll()
        }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw fail(rc, sql)
        }
        statements[sql] = statement
        return statement
    }

    /// Runs one statement once per row of values, prepared once (many inserts in one transaction).
    package func execute(_ sql: String, rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        var statement: OpaquePointer?
        var rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK else { throw fail(rc, sql) }
        defer { sqlite3_finalize(statement) }
        for values in rows {
            try bind(values, to: statement, sql)
            rc = sqlite3_step(statement)
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw fail(rc, sql) }
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
    }

    private func bind(_ values: [SQLValue], to statement: OpaquePointer?, _ sql: String) throws {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .int(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .double(let v): rc = sqlite3_bind_double(statement, index, v)
            case .text(let v): rc = sqlite3_bind_text(statement, index, v, -1, SQLiteDatabase.transient)
            }
            guard rc == SQLITE_OK else { throw fail(rc, sql) }
        }
    }

    package var lastInsertID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` in one IMMEDIATE transaction: all of it is recorded, or none.
    /// Runs `body`'s statements in one read transaction: they see one snapshot, and SQLite locks the
    /// WAL index once instead of once per statement (two `fcntl` calls each: a plan of 1,000 stages
    /// made 4,000). Writing inside is refused (`query_only`): a deferred transaction that began
    /// reading could not take the write lock once another connection had written.
    package func reading<T>(_ body: () throws -> T) throws -> T {
        try execute(readOnly ? "BEGIN DEFERRED" : "BEGIN DEFERRED; PRAGMA query_only=ON")
        defer {
            if !readOnly { try? execute("PRAGMA query_only=OFF") }
        }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
