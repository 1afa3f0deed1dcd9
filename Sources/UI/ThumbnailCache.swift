import Foundation

/// Makes small copies of store images for the grid (through a function the executable passes in,
/// since decoding images belongs to `Imaging`, which this target does not import) and keeps them in
/// memory only: nothing is written to the store. Keyed by path, size and modification time, so a
/// file that changes is never shown stale; the oldest entries go past `capacityBytes` (keys and PNGs counted).
package final class ThumbnailCache: @unchecked Sendable {
    /// PNG bytes of the image at a path, its longer side at most the given size; nil if it cannot be read.
    package typealias Maker = @Sendable (_ path: String, _ longerSide: Int) -> Data?

    private let make: Maker
    private let capacityBytes: Int
    private let lock = NSLock()
    private var entries: [String: Data] = [:]
    private var order: [String] = []
    private var bytes = 0

    package init(capacityBytes: Int = 64 << 20, make: @escaping Maker) {
        self.make = make
        self.capacityBytes = capacityBytes
    }

    /// The thumbnail of the file at `path` (a real path already checked to be inside the store).
    package func thumbnail(of path: String, longerSide: Int = 160) -> Data? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let stamp = "\((attributes[.size] as? NSNumber)?.intValue ?? 0)-\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        let key = "\(path)|\(stamp)|\(longerSide)"
        lock.lock()
        if let hit = entries[key] { lock.unlock(); return hit }
        lock.unlock()
        guard let data = make(path, longerSide) else { return nil }
        lock.lock(); defer { lock.unlock() }
        if entries[key] == nil {
            entries[key] = data
            order.append(key)
            bytes += key.utf8.count + data.count
            while bytes > capacityBytes, !order.isEmpty {
                let old = order.removeFirst()
                bytes -= old.utf8.count + (entries.removeValue(forKey: old)?.count ?? 0)
            }
        }
        return data
    }

    /// How many thumbnails are held.
    package var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }
}
