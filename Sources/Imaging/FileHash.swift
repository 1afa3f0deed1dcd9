import Basics
import Foundation

/// SHA-256 of files, with Imaging's error type (the hashing is `SHA256Digest`'s).
public enum FileHash {
    /// The lowercase hex SHA-256 of the file's bytes, streamed.
    public static func sha256(of url: URL) throws -> String {
        do {
            return try SHA256Digest.hex(file: url.path)
        } catch let error as SHA256Digest.FileError {
            throw DatasetError.io(path: url.path, message: "cannot read for hashing: \(error.message)")
        }
    }
}
