/// What a file looked like when it was last hashed; an unchanged stat means an unchanged hash.
public struct FileState: Sendable, Equatable {
    public var inode: UInt64
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var hash: String

    public init(inode: UInt64, size: Int64, mtimeNanoseconds: Int64, hash: String) {
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.hash = hash
    }
}

/// Remembers file states across runs (the ledger's `file_state` table, or memory in tests).
public protocol FileStateCache: AnyObject {
    func loadFileStates() throws -> [String: FileState]
    func saveFileStates(_ states: [String: FileState]) throws
}

extension Ledger: FileStateCache {
    public func loadFileStates() throws -> [String: FileState] {
        var states: [String: FileState] = [:]
        for row in try db.query("SELECT path, inode, size, mtime_ns, hash FROM file_state") {
            states[row[0].text ?? ""] = FileState(inode: UInt64(bitPattern: row[1].int ?? 0), size: row[2].int ?? 0,
                                                  mtimeNanoseconds: row[3].int ?? 0, hash: row[4].text ?? "")
        }
        return states
    }

    public func saveFileStates(_ states: [String: FileState]) throws {
        guard !states.isEmpty else { return }
        try db.transaction {
            for (path, s) in states {
                try db.query("INSERT OR REPLACE INTO file_state(path, inode, size, mtime_ns, hash) VALUES (?, ?, ?, ?, ?)",
                             [.text(path), .int(Int64(bitPattern: s.inode)), .int(s.size), .int(s.mtimeNanoseconds), .text(s.hash)])
            }
        }
    }
}
