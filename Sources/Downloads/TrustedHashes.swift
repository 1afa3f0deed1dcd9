import Foundation
import Pipeline

/// Trust on first use for files whose publishers give no checksum: the SHA-256 a file had when
/// it was first downloaded is recorded in the workspace ledger (a `downloads` module table) and
/// every later use must find the same bytes. The ledger, not a file beside the download, holds
/// the record because it is the workspace's one durable account of what was used, and queryable
/// with the outputs that came from it.
package struct TrustedHashes {
    let ledger: Ledger

    static let migrations = [
        """
        CREATE TABLE IF NOT EXISTS trusted_downloads(id TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,
            size INTEGER, source TEXT NOT NULL, first_seen REAL NOT NULL, PRIMARY KEY(id, file));
        """,
    ]

    /// Opens (creating if needed) the table in `ledger`.
    package init(ledger: Ledger) throws {
        self.ledger = ledger
        try ledger.register(module: "downloads", migrations: Self.migrations)
    }

    /// The recorded SHA-256 of `file` of `id`, if any.
    package func recorded(id: String, file: String) throws -> String? {
        try ledger.query("SELECT sha256 FROM trusted_downloads WHERE id = ? AND file = ?", [.text(id), .text(file)]).first?.first?.text
    }

    /// What `check` concluded.
    package enum Verdict: Equatable, Sendable {
        /// No record existed: this hash is now the trusted one.
        case trustedOnFirstUse
        /// The file has the recorded hash.
        case matchesRecord
    }

    /// Records `sha256` for (`id`, `file`) if nothing is recorded, else requires it to match; a
    /// mismatch fails naming both hashes, the path and how to accept a deliberate change.
    package func check(id: String, file: String, sha256: String, size: Int64?, path: URL, source: String) throws -> Verdict {
        try ledger.transaction {
            if let known = try recorded(id: id, file: file) {
                guard known == sha256 else {
                    throw TrustError(path: path.path, message: "SHA-256 \(sha256) differs from \(known), recorded for \(id)/\(file) at its "
                                     + "first download; the file changed. If the publisher really replaced it, run "
                                     + "`sqlite3 \(ledger.path) \"DELETE FROM trusted_downloads WHERE id='\(id)'\"` and fetch again")
                }
                return .matchesRecord
            }
            try ledger.query("INSERT INTO trusted_downloads(id, file, sha256, size, source, first_seen) VALUES (?, ?, ?, ?, ?, ?)",
                             [.text(id), .text(file), .text(sha256), size.map { .int($0) } ?? .null, .text(source), .double(Date().timeIntervalSince1970)])
            return .trustedOnFirstUse
        }
    }
}

/// A file whose bytes differ from those recorded at its first download.
package struct TrustError: Error, CustomStringConvertible {
    package let path: String
    package let message: String
    package var description: String { "\(path): \(message)" }
}
