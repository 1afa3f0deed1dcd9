import Basics
import Foundation

/// What to do with a file that does not decode.
public enum BadImagePolicy: String, Sendable, CaseIterable {
    /// Stop at the first bad file with its error.
    case fail
    /// Leave it out and report it in `LoadedImages.skipped`.
    case skip
}

/// A file left out under `BadImagePolicy.skip`, with why.
public struct SkippedImage: Equatable, Sendable {
    /// Path relative to the folder root.
    public let relativePath: String
    /// The decoding error.
    public let error: ImageError
}

/// Images loaded from a folder, in the folder's order, and the files skipped.
public struct LoadedImages: Sendable {
    /// (path relative to the root, image) in stable sorted order.
    public var images: [(relativePath: String, image: Image)]
    /// Files that did not decode (empty under `.fail`, which throws instead).
    public var skipped: [SkippedImage]
}

/// A folder of PNG/JPEG images: found recursively (symlinked files included, symlinked folders not
/// followed), hidden files and folders ignored, in a stable
/// order (relative paths compared byte-wise as UTF-8, so the order never depends on locale or
/// on the order the file system lists entries).
public struct ImageFolder: Sendable {
    /// The folder.
    public let root: URL
    /// Paths of the images relative to `root`, '/'-separated, sorted.
    public let relativePaths: [String]

    /// Lists the images under `root`; throws if it is missing, not a directory or has no images.
    public init(root: URL) throws {
        self.root = root.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.root.path, isDirectory: &isDirectory) else {
            throw DatasetError.notFound(path: root.path)
        }
        guard isDirectory.boolValue else { throw DatasetError.notADirectory(path: root.path) }
        relativePaths = try ImageFolder.list(self.root)
        guard !relativePaths.isEmpty else { throw DatasetError.noImages(path: root.path) }
    }

    /// Number of images.
    public var count: Int { relativePaths.count }

    /// Absolute URLs of the images, in order.
    public var files: [URL] { relativePaths.map { root.appendingPathComponent($0) } }

    /// Decodes image `index`.
    public func image(at index: Int) throws -> Image {
        try ImageCodec.read(root.appendingPathComponent(relativePaths[index]))
    }

    /// Decodes every image; under `.skip` bad files are reported in the result, never printed.
    public func loadAll(policy: BadImagePolicy) throws -> LoadedImages {
        var result = LoadedImages(images: [], skipped: [])
        for (index, path) in relativePaths.enumerated() {
            do {
                result.images.append((path, try image(at: index)))
            } catch let error as ImageError where policy == .skip {
                result.skipped.append(SkippedImage(relativePath: path, error: error))
            }
        }
        return result
    }

    /// SHA-256 (hex) over the sorted list of (relative path, SHA-256 of the file's bytes): changes
    /// when any image is added, removed, renamed or edited, and never because of timestamps.
    public func contentHash() throws -> String {
        var manifest = "pleinair-image-folder-v1\n"
        for path in relativePaths {
            manifest += "\(try FileHash.sha256(of: root.appendingPathComponent(path)))  \(path)\n"
        }
        return SHA256Digest.hex(Data(manifest.utf8))
    }

    static func list(_ root: URL) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                              options: [.skipsHiddenFiles]) else {
            throw DatasetError.io(path: root.path, message: "cannot list directory")
        }
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        var paths: [String] = []
        for case let url as URL in enumerator {
            guard ImageFormat(pathExtension: url.pathExtension) != nil else { continue }
            // Symlinked files count (datasets are often assembled from links); symlinked
            // directories are not followed, so a link cycle cannot loop the listing.
            let resolved = url.resolvingSymlinksInPath()
            guard (try? resolved.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(prefix) else { continue }
            let relative = String(full.dropFirst(prefix.count))
            // skipsHiddenFiles is not honoured everywhere; check every component ourselves.
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            paths.append(relative)
        }
        return paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
