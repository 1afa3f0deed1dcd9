import Crypto
import Foundation

/// SHA-256 of files, streamed so multi-gigabyte archives never sit in memory.
public enum FileHash {
    /// The lowercase hex SHA-256 of the file's bytes.
    public static func sha256(of url: URL) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DatasetError.io(path: url.path, message: "cannot open for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw DatasetError.io(path: url.path, message: "read failed: \(error.localizedDescription)")
            }
            guard let data = chunk, !data.isEmpty else { break }
            hasher.update(data: data)
        }
        return hex(hasher.finalize())
    }

    /// The lowercase hex SHA-256 of in-memory bytes.
    public static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
