/// What a file looked like when it was last hashed; an unchanged stat means an unchanged hash.
package struct FileState: Sendable, Equatable {
    package var inode: UInt64
    package var size: Int64
    package var mtimeNanoseconds: Int64
    package var hash: String

    package init(inode: UInt64, size: Int64, mtimeNanoseconds: Int64, hash: String) {
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.hash = hash
    }
}

/// Remembers file states across runs (the ledger's `file_state` table, or memory in tests).
package protocol FileStateCache: AnyObject {
    func loadFileStates() throws -> [String: FileState]
    func saveFileStates(_ states: [String: FileState]) throws
}

extension Ledger: FileStateCache {
    package func loadFileStates() throws -> [String: FileState] {
        let rows = try db.query("SELECT path, inode, size, mtime_ns, hash FROM file_state")
        var states: [String: FileState] = [:]
        states.reserveCapacity(rows.count)  // one allocation, not a rehash at every doubling (10,000 rows at 10,000 stages)
        for row in rows {
            states[row[0].text ?? ""] = FileState(inode: UInt64(bitPattern: row[1].int ?? 0), size: row[2].int ?? 0,
                                                  mtimeNanoseconds: row[3].int ?? 0, hash: row[4].text ?? "")
        }
        return states
    }

    package func saveFileStates(_ states: [String: FileState]) throws {
        guard !states.isEmpty else { return }
        try db.transaction {
            for (path, s) in states {
                try db.query("INSERT OR REPLACE INTO file_state(path, inode, size, mtime_ns, hash) VALUES (?, ?, ?, ?, ?)",
                             [.text(path), .int(Int64(bitPattern: s.inode)), .int(s.size), .int(s.mtimeNanoseconds), .text(s.hash)])
            }
        }
    }
}
