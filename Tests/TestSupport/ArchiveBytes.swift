import Foundation
import Glibc

/// Byte surgery on archives for the damaged-file tests: find, replace and rename inside a zip's
/// bytes without re-packing it (the real TorchScript archive is 87 MB).
public enum ArchiveBytes {
    public struct PatternMissing: Error {}

    /// Offsets of every occurrence of `pattern` in `bytes` (memchr and memcmp: the real archive is 87 MB).
    public static func occurrences(of pattern: [UInt8], in bytes: [UInt8]) -> [Int] {
        var found: [Int] = []
        bytes.withUnsafeBytes { raw in
            pattern.withUnsafeBytes { needle in
                let base = raw.baseAddress!
                var start = 0
                while start + needle.count <= raw.count,
                      let hit = memchr(base + start, Int32(pattern[0]), raw.count - start - needle.count + 1) {
                    let offset = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, needle.baseAddress!, needle.count) == 0 { found.append(offset) }
                    start = offset + 1
                }
            }
        }
        return found
    }

    /// Replaces every occurrence of `old` by `new` (same length), failing if there is none.
    public static func replace(_ old: [UInt8], with new: [UInt8], in bytes: inout [UInt8]) throws {
        precondition(old.count == new.count)
        let hits = occurrences(of: old, in: bytes)
        guard !hits.isEmpty else { throw PatternMissing() }
        for i in hits { bytes.replaceSubrange(i..<(i + old.count), with: new) }
    }

    /// Renames a zip entry in its local and central headers (the name not followed by another digit).
    public static func rename(entry: String, to other: String, in bytes: inout [UInt8]) throws {
        let old = Array(entry.utf8), new = Array(other.utf8)
        let hits = occurrences(of: old, in: bytes).filter { i in
            i + old.count >= bytes.count || !(0x30...0x39).contains(bytes[i + old.count])
        }
        guard hits.count == 2 else { throw PatternMissing() }  // the local and the central header
        for i in hits { bytes.replaceSubrange(i..<(i + old.count), with: new) }
    }
}
