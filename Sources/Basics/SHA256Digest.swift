import Crypto
import Foundation

/// The one SHA-256 helper of PleinAir: content hashes of the store, fingerprints, dataset and
/// weight checksums, neutral names of study images. Lowercase hex throughout.
public enum SHA256Digest {
    /// The hex SHA-256 of in-memory bytes.
    public static func hex(_ data: Data) -> String { encode(SHA256.hash(data: data)) }

    /// The hex SHA-256 of a file's bytes, read in 1 MiB chunks so large files never sit in memory.
    public static func hex(file path: String) throws -> String { try hexDigest(file: path, hasher: SHA256()) }

    /// The hex digest of a file's bytes by `hasher`, streamed (SHA-1 for publishers who give one).
    static func hexDigest<H: HashFunction>(file path: String, hasher: H) throws -> String {
        var hasher = hasher
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, message: errnoMessage()) }
        defer { close(fd) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, message: errnoMessage())
            }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return encode(hasher.finalize())
    }

    /// Bytes as lowercase hex.
    public static func encode<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A file that could not be read for hashing.
    public struct FileError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }
}
