import Foundation

/// Answers repeated polls of one page from memory while the ledger has not changed and the answer
/// is younger than `maxAge`: fifty open pages polling once a second then cost about one set of
/// queries per page and change, not one per poll. `maxAge` bounds how stale the files a running
/// stage keeps beside its log (progress, series) may look, since they change without the ledger.
/// Bounded in entries and in bytes (keys and bodies): past either bound the entries too old to be
/// served go first, then all of them.
final class ResponseCache: @unchecked Sendable {
    let maxAge: Double
    let capacity: Int
    let capacityBytes: Int
    private let lock = NSLock()
    private var entries: [String: (stamp: String, at: Double, response: HTTPResponse)] = [:]
    private var bytes = 0

    init(maxAge: Double = 0.5, capacity: Int = 512, capacityBytes: Int = 16 << 20) {
        self.maxAge = maxAge
        self.capacity = capacity
        self.capacityBytes = capacityBytes
    }

    /// How many answers are held, and their bytes.
    var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }
    var heldBytes: Int { lock.lock(); defer { lock.unlock() }; return bytes }

    private static func cost(_ key: String, _ response: HTTPResponse) -> Int { key.utf8.count + response.body.count }

    /// The cached answer for `key` if its `stamp` matches and it is fresh, else `make()`'s, kept when it is a 200.
    func response(for key: String, stamp: String, now: Double, make: () -> HTTPResponse) -> HTTPResponse {
        lock.lock()
        if let entry = entries[key], entry.stamp == stamp, now - entry.at < maxAge {
            lock.unlock()
            return entry.response
        }
        lock.unlock()
        let response = make()
        let cost = Self.cost(key, response)
        guard response.status == 200, cost <= capacityBytes else { return response }
        lock.lock(); defer { lock.unlock() }
        if let old = entries.removeValue(forKey: key) { bytes -= Self.cost(key, old.response) }
        if entries.count >= capacity || bytes + cost > capacityBytes {
            for (k, entry) in entries where now - entry.at >= maxAge {
                entries[k] = nil
                bytes -= Self.cost(k, entry.response)
            }
        }
        if entries.count >= capacity || bytes + cost > capacityBytes {
            entries.removeAll()
            bytes = 0
        }
        entries[key] = (stamp, now, response)
        bytes += cost
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
