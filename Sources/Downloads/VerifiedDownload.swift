import Foundation
import Imaging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `VerifiedDownload.run` did.
package struct DownloadedFile: Sendable, Equatable {
    /// Where the verified file is.
    package let path: URL
    /// Its SHA-256 (lowercase hex).
    package let sha256: String
    /// Bytes transferred over the network in this call (0 when the file was already there).
    package let downloadedBytes: Int64
    /// True when a verified file was already in place and nothing was fetched.
    package let alreadyPresent: Bool
}

/// Downloads one file (model weights) to a fixed place, resuming an interrupted transfer
/// (`NAME.part`, HTTP Range) and accepting it only if its SHA-256 starts with the expected
/// hex prefix (torch hub names weight files with the first digits of their SHA-256).
package struct VerifiedDownload: Sendable {
    package var url: URL
    package var destination: URL
    /// Expected SHA-256 or a prefix of it, hex.
    package var sha256Prefix: String
    /// Requests before giving up (each resumes where the previous stopped).
    package var attempts: Int
    /// Seconds without progress before a request fails.
    package var timeout: TimeInterval

    /// Describes a download of `url` to `destination`, checked against `sha256Prefix`.
    package init(url: URL, destination: URL, sha256Prefix: String, attempts: Int = 3, timeout: TimeInterval = 60) {
        self.url = url
        self.destination = destination
        self.sha256Prefix = sha256Prefix.lowercased()
        self.attempts = max(1, attempts)
        self.timeout = timeout
    }

    /// Fetches and verifies the file unless a verified copy is already at `destination`.
    package func run(progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> DownloadedFile {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination.path) {
            let sha = try FileHash.sha256(of: destination)
            guard sha.hasPrefix(sha256Prefix) else {
                throw DownloadError.verificationFailed(path: destination.path,
                    message: "SHA-256 \(sha) does not start with \(sha256Prefix) (delete or replace the file)")
            }
            return DownloadedFile(path: destination, sha256: sha, downloadedBytes: 0, alreadyPresent: true)
        }
        do {
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw DownloadError.io(path: destination.deletingLastPathComponent().path, message: "cannot create: \(error.localizedDescription)")
        }
        let partial = destination.appendingPathExtension("part")
        let (transferred, _) = try ResumableTransfer(url: url, partial: partial, expectedSize: nil, attempts: attempts,
                                                     timeout: timeout, manualDestination: destination).run(progress: progress)
        let sha = try FileHash.sha256(of: partial)
        guard sha.hasPrefix(sha256Prefix) else {
            try? fm.removeItem(at: partial)
            throw DownloadError.verificationFailed(path: partial.path,
                message: "SHA-256 \(sha) does not start with \(sha256Prefix) (download deleted; run again)")
        }
        do { try fm.moveItem(at: partial, to: destination) } catch {
            throw DownloadError.io(path: destination.path, message: "cannot rename download: \(error.localizedDescription)")
        }
        return DownloadedFile(path: destination, sha256: sha, downloadedBytes: transferred, alreadyPresent: false)
    }
}
