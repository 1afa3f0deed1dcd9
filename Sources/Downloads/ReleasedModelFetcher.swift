import Foundation
import Imaging
import Basics

/// What `ReleasedModelFetcher.fetch` did for one file.
package struct FetchedFile: Sendable, Equatable {
    package let path: URL
    package let sha256: String
    /// Bytes transferred in this call (0 when the file was already there).
    package let downloadedBytes: Int64
    package let verdict: TrustedHashes.Verdict
}

/// Puts a released model's files in a shared cache (`$PLEINAIR_WEIGHTS/released/<source>/<name>/`),
/// downloading what has a direct link (resumably), and holds every file to the SHA-256 recorded
/// at its first download. Files shipped in an archive (the Art2Real release) are taken from it: the
/// archive is downloaded resumably, its own hash recorded the same way, and unpacked. Files with no
/// link at all must be placed by hand; the error says where to get them and where to put them.
package struct ReleasedModelFetcher {
    /// The cache root; a model lives in `root/<source>/<name>/`.
    package var root: URL
    /// A mirror replacing the publishers' links: `<base>/<file of the official URL>`, or
    /// `<base>/<name>/<file>` for files without one.
    package var baseURL: URL?
    package var attempts: Int
    package var timeout: TimeInterval

    package init(root: URL = WeightsFolder.url().appendingPathComponent("released"), baseURL: URL? = nil,
                attempts: Int = 3, timeout: TimeInterval = 60) {
        self.root = root
        self.baseURL = baseURL
        self.attempts = attempts
        self.timeout = timeout
    }

    /// The folder the model's files go in.
    package func folder(for model: ReleasedModel) -> URL {
        root.appendingPathComponent(model.source.rawValue).appendingPathComponent(model.name)
    }

    /// Makes every file of `model` present and trusted; returns them in the model's order.
    package func fetch(_ model: ReleasedModel, trust: TrustedHashes,
                      progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> [FetchedFile] {
        let folder = folder(for: model)
        let fm = FileManager.default
        var manual = model.files.filter { file in
            source(of: file, in: model) == nil && !fm.fileExists(atPath: folder.appendingPathComponent(file.name).path)
        }
        var origin = "placed by hand"
        if !manual.isEmpty, let archive = model.archive {
            let url = baseURL.map { $0.appendingPathComponent(archive.lastPathComponent) } ?? archive
            try unpack(url, for: model, files: manual.map(\.name), into: folder, trust: trust, progress: progress)
            origin = "from \(url.absoluteString)"
            manual = []
        }
        if !manual.isEmpty {
            throw DownloadError.downloadFailed(url: model.page.absoluteString, message:
                "\(model.id) has no direct download link; download "
                + manual.map(\.name).joined(separator: " and ") + " from \(model.page.absoluteString) and put "
                + (manual.count == 1 ? "it" : "them") + " in \(folder.path)/ (or name a mirror: the stage's base_url, `weights fetch --url`)")
        }
        var out: [FetchedFile] = []
        for file in model.files {
            let destination = folder.appendingPathComponent(file.name)
            var downloaded: Int64 = 0
            var origin = origin
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

    /// Downloads `url` (a zip) into `folder`, holds it to its trust record, and moves `files` out of it
    /// into `folder` (found by name anywhere inside). The archive is removed once they are out.
    func unpack(_ url: URL, for model: ReleasedModel, files: [String], into folder: URL, trust: TrustedHashes,
                progress: (@Sendable (DownloadProgress) -> Void)?) throws {
        let fm = FileManager.default
        let archive = folder.appendingPathComponent(url.lastPathComponent)
        let fetched: DownloadedFile
        do {
            fetched = try VerifiedDownload(url: url, destination: archive, sha256Prefix: "", attempts: attempts, timeout: timeout)
                .run(progress: progress)
        } catch {
            throw DownloadError.downloadFailed(url: url.absoluteString, message: "\(error); offline, put \(url.lastPathComponent) (from "
                                              + "\(url.absoluteString)) or its " + files.joined(separator: " and ") + " in \(folder.path)/")
        }
        let size = ((try? fm.attributesOfItem(atPath: archive.path)[.size]) as? Int64) ?? 0
        _ = try trust.check(id: model.id, file: archive.lastPathComponent, sha256: fetched.sha256, size: size, path: archive,
                            source: url.absoluteString)
        let unpacked = folder.appendingPathComponent(".unpacked-\(getpid())")
        try? fm.removeItem(at: unpacked)
        defer { try? fm.removeItem(at: unpacked) }
        _ = try ArchiveExtractor.extract(archive, to: unpacked)
        let inside = (fm.enumerator(at: unpacked, includingPropertiesForKeys: nil)?.allObjects as? [URL]) ?? []
        for name in files {
            let matches = inside.filter { $0.lastPathComponent == name }
            guard matches.count == 1 else {
                throw DownloadError.io(path: archive.path, message: matches.isEmpty ? "holds no \(name)"
                                      : "holds \(matches.count) files named \(name); put the right one in \(folder.path)/ by hand")
            }
            do {
                try fm.moveItem(at: matches[0], to: folder.appendingPathComponent(name))
            } catch {
                throw DownloadError.io(path: folder.appendingPathComponent(name).path, message: "cannot move out of the archive: \(error)")
            }
        }
        try? fm.removeItem(at: archive)
    }

    /// Where `file` is downloaded from: the mirror when one is given, else the publisher's link; nil
    /// when it has no link of its own.
    func source(of file: (name: String, url: URL?), in model: ReleasedModel) -> URL? {
        if file.url == nil, model.archive != nil { return nil }  // it comes out of the archive
        if let baseURL {
            if let official = file.url { return baseURL.appendingPathComponent(official.lastPathComponent) }
            return baseURL.appendingPathComponent(model.name).appendingPathComponent(file.name)
        }
        return file.url
    }
}
