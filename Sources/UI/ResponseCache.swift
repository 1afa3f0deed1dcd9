import Foundation

/// Answers repeated polls of one page from memory while the ledger has not changed and the answer
/// is younger than `maxAge`: fifty open pages polling once a second then cost about one set of
/// queries per page and change, not one per poll. `maxAge` bounds how stale the files a running
/// stage keeps beside its log (progress, series) may look, since they change without the ledger.
final class ResponseCache: @unchecked Sendable {
    let maxAge: Double
    let capacity: Int
    private let lock = NSLock()
    private var entries: [String: (stamp: String, at: Double, response: HTTPResponse)] = [:]

    init(maxAge: Double = 0.5, capacity: Int = 512) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// The cached answer for `key` if its `stamp` matches and it is fresh, else `make()`'s, kept when it is a 200.
    func response(for key: String, stamp: String, now: Double, make: () -> HTTPResponse) -> HTTPResponse {
        lock.lock()
        if let entry = entries[key], entry.stamp == stamp, now - entry.at < maxAge {
            lock.unlock()
            return entry.response
        }
        lock.unlock()
        let response = make()
        guard response.status == 200 else { return response }
        lock.lock(); defer { lock.unlock() }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = (stamp, now, response)
        return response
    }

    /// What changes whenever a transaction commits: size and modification time of the ledger and its WAL.
    static func stamp(ledger path: String) -> String {
        [path, path + "-wal"].map { file -> String in
            var info = stat()
            guard stat(file, &info) == 0 else { return "-" }
            return "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ino)"
        }.joined(separator: "|")
    }
}
