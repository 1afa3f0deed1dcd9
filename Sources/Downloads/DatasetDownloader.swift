import Foundation
import Imaging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where an install stands, for progress displays (the library itself never prints).
package struct DownloadProgress: Sendable {
    /// Bytes of the archive on disk so far.
    package let bytes: Int64
    /// Total bytes, when the server or the catalogue says.
    package let total: Int64?
}

/// What `DatasetDownloader.install` did.
package struct InstalledDataset: Sendable, Equatable {
    /// The dataset folder (`directory/name`, CycleGAN layout).
    package let root: URL
    /// SHA-256 of the archive it came from (nil when an existing folder was adopted as is).
    package let archiveSHA256: String?
    /// Bytes transferred over the network in this call (0 when nothing was downloaded).
    package let downloadedBytes: Int64
    /// Size of the partial download this call resumed from (0 for a fresh start).
    package let resumedFrom: Int64
    /// True when the dataset was already installed and nothing was fetched or extracted.
    package let alreadyInstalled: Bool
}

/// Downloads a public dataset by name, verifies it, and unpacks it into the CycleGAN layout.
///
/// Verification: the archive's size must equal the server's Content-Length (or Content-Range
/// total) and the catalogue's size, and its SHA-256 the catalogue's, when those are known; every
/// file's CRC-32 is checked on extraction. A partial download (`NAME.zip.part`) is resumed with an
/// HTTP Range request, within a call (`attempts`) and across calls. An archive placed by hand as
/// `NAME.zip` in the directory is verified and used without any network access.
package struct DatasetDownloader: Sendable {
    /// Base URL the archive name is appended to (a local server in tests).
    package var baseURL: URL
    /// The datasets known by name.
    package var catalog: [DatasetCatalogEntry]
    /// Requests per install before giving up (each resumes where the previous stopped).
    package var attempts: Int
    /// Seconds without progress before a request fails.
    package var timeout: TimeInterval
    /// Keep `NAME.zip` after a successful extraction.
    package var keepArchive: Bool

    /// A downloader; defaults fetch the CycleGAN sets from their official location.
    package init(baseURL: URL = DatasetCatalog.officialBaseURL, catalog: [DatasetCatalogEntry] = DatasetCatalog.cycleGAN,
                attempts: Int = 3, timeout: TimeInterval = 60, keepArchive: Bool = false) {
        self.baseURL = baseURL
        self.catalog = catalog
        self.attempts = max(1, attempts)
        self.timeout = timeout
        self.keepArchive = keepArchive
    }

    static let markerName = ".pleinair-dataset.json"

    /// Installs `name` as `directory/name` (CycleGAN layout) unless already there.
    package func install(_ name: String, into directory: URL,
                        progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> InstalledDataset {
        guard let entry = catalog.first(where: { $0.name == name }) else {
            throw DownloadError.unknownDataset(name: name, known: catalog.map(\.name))
        }
        let fm = FileManager.default
        let target = directory.appendingPathComponent(name)
        if let installed = try alreadyInstalled(entry, at: target) { return installed }
        if fm.fileExists(atPath: target.path) {
            // Something is there but does not open as the dataset: never overwrite a person's files.
            throw DownloadError.io(path: target.path, message: "exists but is not a complete \(name) dataset; move it away and retry")
        }
        try? fm.createDirectory(at: directory, withIntermediateDirectories: true)

        let archive = directory.appendingPathComponent("\(name).zip")
        let partial = directory.appendingPathComponent("\(name).zip.part")
        var downloaded: Int64 = 0, resumedFrom: Int64 = 0
        let sha: String
        if fm.fileExists(atPath: archive.path) {
            sha = try verify(archive, entry: entry, deleteOnChecksumMismatch: false)
        } else {
            (downloaded, resumedFrom) = try fetch(entry, to: partial, progress: progress)
            sha = try verify(partial, entry: entry, deleteOnChecksumMismatch: true)
            do {
                try fm.moveItem(at: partial, to: archive)
            } catch {
                throw DownloadError.io(path: archive.path, message: "cannot rename download: \(error.localizedDescription)")
            }
        }

        let staging = directory.appendingPathComponent(".\(name).extracting-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: staging) }
        _ = try ArchiveExtractor.extract(archive, to: staging)
        let unpacked = fm.fileExists(atPath: staging.appendingPathComponent(name).path) ? staging.appendingPathComponent(name) : staging
        _ = try CycleGANDataset(root: unpacked)  // the archive must hold the four splits
        do {
            try fm.moveItem(at: unpacked, to: target)
            let marker = ["name": name, "archive_sha256": sha]
            try JSONSerialization.data(withJSONObject: marker, options: [.sortedKeys])
                .write(to: target.appendingPathComponent(DatasetDownloader.markerName), options: .atomic)
        } catch {
            throw DownloadError.io(path: target.path, message: "cannot install: \(error.localizedDescription)")
        }
        if !keepArchive { try? fm.removeItem(at: archive) }
        return InstalledDataset(root: target, archiveSHA256: sha, downloadedBytes: downloaded,
                                resumedFrom: resumedFrom, alreadyInstalled: false)
    }

    /// An install PleinAir completed before (marker present and the layout opens), or a folder a
    /// person unpacked by hand that opens as a CycleGAN dataset.
    private func alreadyInstalled(_ entry: DatasetCatalogEntry, at target: URL) throws -> InstalledDataset? {
        guard FileManager.default.fileExists(atPath: target.path), (try? CycleGANDataset(root: target)) != nil else { return nil }
        var sha: String? = nil
        if let data = try? Data(contentsOf: target.appendingPathComponent(DatasetDownloader.markerName)),
           let marker = try? JSONSerialization.jsonObject(with: data) as? [String: String] {
            sha = marker["archive_sha256"]
        }
        return InstalledDataset(root: target, archiveSHA256: sha, downloadedBytes: 0, resumedFrom: 0, alreadyInstalled: true)
    }

    /// Downloads to `partial`, resuming it; returns (bytes transferred, size resumed from).
    private func fetch(_ entry: DatasetCatalogEntry, to partial: URL,
                       progress: (@Sendable (DownloadProgress) -> Void)?) throws -> (Int64, Int64) {
        try ResumableTransfer(url: baseURL.appendingPathComponent("\(entry.name).zip"), partial: partial, expectedSize: entry.size,
                              attempts: attempts, timeout: timeout, manualDestination: partial.deletingPathExtension())
            .run(progress: progress)
    }

    /// Checks size and checksum; returns the SHA-256.
    private func verify(_ file: URL, entry: DatasetCatalogEntry, deleteOnChecksumMismatch: Bool) throws -> String {
        let size = ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size]) as? Int64) ?? -1
        if let expected = entry.size, size != expected {
            if deleteOnChecksumMismatch { try? FileManager.default.removeItem(at: file) }
            throw DownloadError.verificationFailed(path: file.path, message: "size \(size) bytes, expected \(expected)")
        }
        let sha = try FileHash.sha256(of: file)
        if let expected = entry.sha256, sha != expected.lowercased() {
            if deleteOnChecksumMismatch { try? FileManager.default.removeItem(at: file) }
            throw DownloadError.verificationFailed(path: file.path, message: "SHA-256 \(sha), expected \(expected)"
                + (deleteOnChecksumMismatch ? " (download deleted; run again)" : " (delete or replace the file)"))
        }
        return sha
    }
}
