import Foundation
import Imaging
import Vision

/// What `ReleasedModelFetcher.fetch` did for one file.
public struct FetchedFile: Sendable, Equatable {
    public let path: URL
    public let sha256: String
    /// Bytes transferred in this call (0 when the file was already there).
    public let downloadedBytes: Int64
    public let verdict: TrustedHashes.Verdict
}

/// Puts a released model's files in a shared cache (`$PLEINAIR_WEIGHTS/released/<source>/<name>/`),
/// downloading what has a direct link (resumably), and holds every file to the SHA-256 recorded
/// at its first download. Files without a direct link must be placed by hand; the error says
/// where to get them and where to put them.
public struct ReleasedModelFetcher {
    /// The cache root; a model lives in `root/<source>/<name>/`.
    public var root: URL
    /// A mirror replacing the publishers' links: `<base>/<file of the official URL>`, or
    /// `<base>/<name>/<file>` for files without one.
    public var baseURL: URL?
    public var attempts: Int
    public var timeout: TimeInterval

    public init(root: URL = PretrainedWeights.directory().appendingPathComponent("released"), baseURL: URL? = nil,
                attempts: Int = 3, timeout: TimeInterval = 60) {
        self.root = root
        self.baseURL = baseURL
        self.attempts = attempts
        self.timeout = timeout
    }

    /// The folder the model's files go in.
    public func folder(for model: ReleasedModel) -> URL {
        root.appendingPathComponent(model.source.rawValue).appendingPathComponent(model.name)
    }

    /// Makes every file of `model` present and trusted; returns them in the model's order.
    public func fetch(_ model: ReleasedModel, trust: TrustedHashes,
                      progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> [FetchedFile] {
        let folder = folder(for: model)
        let fm = FileManager.default
        let manual = model.files.filter { file in
            source(of: file, in: model) == nil && !fm.fileExists(atPath: folder.appendingPathComponent(file.name).path)
        }
        if !manual.isEmpty {
            throw DatasetError.downloadFailed(url: model.page.absoluteString, message:
                "\(model.id) has no direct download link (a Google Drive folder); download "
                + manual.map(\.name).joined(separator: " and ") + " from \(model.page.absoluteString) and put "
                + (manual.count == 1 ? "it" : "them") + " in \(folder.path)/ (or name a mirror: the stage's base_url, `weights fetch --url`)")
        }
        var out: [FetchedFile] = []
        for file in model.files {
            let destination = folder.appendingPathComponent(file.name)
            var downloaded: Int64 = 0
            var origin = "placed by hand"
            if let url = source(of: file, in: model) {
                // An empty prefix accepts any bytes: the trust record below is the check.
                let result = try VerifiedDownload(url: url, destination: destination, sha256Prefix: "", attempts: attempts,
                                                  timeout: timeout).run(progress: progress)
                downloaded = result.downloadedBytes
                origin = url.absoluteString
            }
            let sha = try FileHash.sha256(of: destination)
            let size = ((try? fm.attributesOfItem(atPath: destination.path)[.size]) as? Int64) ?? 0
            let verdict = try trust.check(id: model.id, file: file.name, sha256: sha, size: size, path: destination, source: origin)
            out.append(FetchedFile(path: destination, sha256: sha, downloadedBytes: downloaded, verdict: verdict))
        }
        return out
    }

    /// Where `file` is downloaded from: the mirror when one is given, else the publisher's link.
    func source(of file: (name: String, url: URL?), in model: ReleasedModel) -> URL? {
        if let baseURL {
            if let official = file.url { return baseURL.appendingPathComponent(official.lastPathComponent) }
            return baseURL.appendingPathComponent(model.name).appendingPathComponent(file.name)
        }
        return file.url
    }
}
