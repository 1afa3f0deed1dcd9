import Basics
import Foundation

/// A stored output or object that no longer matches its recorded hash.
package struct StoreProblem: Sendable, CustomStringConvertible {
    package var path: String
    package var message: String
    package var description: String { "\(path): \(message)" }
}

/// The content-addressed store: every output file is an object named by its SHA-256 under
/// `objects/`; folder outputs are also recorded as manifest objects. `cache/FINGERPRINT/OUTPUT`
/// is the readable copy of a stage's outputs (hard links to the objects), created atomically.
package final class ArtifactStore {
    package let workspace: Workspace
    let hasher: ContentHasher
    private let fm = FileManager.default
    /// `cache/` and `views/` as paths, built once: a no-op rerun asks for one path under each per
    /// stage, and Foundation's `URL.appendingPathComponent` was a tenth of its time.
    private let cachePath: String
    private let viewsPath: String

    package init(workspace: Workspace, hasher: ContentHasher) {
        self.workspace = workspace
        self.hasher = hasher
        cachePath = workspace.cache.path
        viewsPath = workspace.views.path
    }

    package func objectURL(_ hash: String) -> URL {
        workspace.objects.appendingPathComponent(String(hash.prefix(2))).appendingPathComponent(hash)
    }

    /// Where the outputs of a fingerprint live once stored.
    package func outputURL(fingerprint: String, name: String) -> URL {
        workspace.cache.appendingPathComponent(fingerprint).appendingPathComponent(name)
    }

    /// `outputURL`'s path, without building a URL.
    func outputPath(fingerprint: String, name: String) -> String {
        cachePath + "/" + fingerprint + "/" + name
    }

    /// Moves a finished stage's outputs (in `staging`, one entry per output name) into the store.
    /// Returns what to record. Nothing is visible under `cache/` until everything is stored.
    package func ingest(staging: URL, outputs: [String], fingerprint: String) throws -> (outputs: [RecordedOutput], sizes: [String: Int64]) {
        var recorded: [RecordedOutput] = []
        var sizes: [String: Int64] = [:]
        for name in outputs {
            let url = staging.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isFolder) else {
                throw StoreError.missingOutput(name)
            }
            if isFolder.boolValue {
                let manifest = try hasher.manifest(folder: url.path)
                for entry in manifest.entries {
                    try storeObject(from: url.appendingPathComponent(entry.path), hash: entry.hash)
                }
                let text = Data(manifest.text.utf8)
                let treeHash = SHA256Digest.hex(text)
                try writeObject(text, hash: treeHash)
                recorded.append(RecordedOutput(name: name, hash: treeHash, type: "tree"))
                sizes[treeHash] = manifest.totalSize
            } else {
                let hash = try ContentHasher.sha256(file: url.path)
                try storeObject(from: url, hash: hash)
                recorded.append(RecordedOutput(name: name, hash: hash, type: "file"))
                sizes[hash] = Int64((try? fm.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
            }
        }
        let destination = workspace.cache.appendingPathComponent(fingerprint)
        try replace(destination, with: staging)
        hasher.rebase(from: staging.path, to: destination.path)
        for output in recorded where output.type == "file" {
            hasher.remember(path: destination.appendingPathComponent(output.name).path, hash: output.hash)
        }
        return (recorded, sizes)
    }

    /// Whether a fingerprint's outputs are present and match their recorded hashes; rebuilds the
    /// readable copy from objects when only it is missing.
    package func isIntact(fingerprint: String, outputs: [RecordedOutput]) -> Bool {
        for output in outputs {
            let path = outputPath(fingerprint: fingerprint, name: output.name)
            // The usual case, a copy that is there: one stat, answered by the hasher's state cache.
            if let hash = try? hasher.hash(path: path) {
                guard hash == output.hash else { return false }
                continue
            }
            if !fm.fileExists(atPath: path) {
                guard (try? materialise(output, at: outputURL(fingerprint: fingerprint, name: output.name))) != nil else { return false }
            }
            guard let hash = try? hasher.hash(path: path), hash == output.hash else { return false }
        }
        return true
    }

    /// Recreates an output's readable copy from the objects.
    func materialise(_ output: RecordedOutput, at url: URL) throws {
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if output.type == "file" {
            try link(objectURL(output.hash), to: url)
            return
        }
        let text = try String(contentsOf: objectURL(output.hash), encoding: .utf8)
        guard let manifest = TreeManifest.parse(text) else { throw StoreError.corrupt(objectURL(output.hash).path) }
        let staging = url.deletingLastPathComponent().appendingPathComponent(".\(output.name).\(getpid()).tmp")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        for entry in manifest.entries {
            let target = staging.appendingPathComponent(entry.path)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try link(objectURL(entry.hash), to: target)
        }
        try replace(url, with: staging)
    }

    /// Points `views/EXPERIMENT/STAGE` at the stage's current outputs. A view already pointing
    /// there (every stage of a no-op rerun) costs one `readlink`.
    package func linkView(experiment: String, stage: String, fingerprint: String) throws {
        let folder = viewsPath + "/" + experiment
        let view = folder + "/" + stage
        let target = "../../cache/\(fingerprint)"
        if Self.symbolicLinkTarget(view) == target { return }
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.\(stage).\(getpid()).link"
        try? fm.removeItem(atPath: temporary)
        try fm.createSymbolicLink(atPath: temporary, withDestinationPath: target)
        guard rename(temporary, view) == 0 else { throw StoreError.io(view, errnoMessage()) }
    }

    /// What a symbolic link points to, as written; nil when `path` is not one.
    static func symbolicLinkTarget(_ path: String) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(PATH_MAX) + 1) { buffer -> String? in
            let count = buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                readlink(path, $0, buffer.count - 1)
            }
            guard count >= 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
        }
    }

    private func storeObject(from url: URL, hash: String) throws {
        let object = objectURL(hash)
        chmod(url.path, 0o444)
        if fm.fileExists(atPath: object.path) { return }
        try fm.createDirectory(at: object.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ArtifactStore.fsync(url.path)
        if Glibc.link(url.path, object.path) != 0 && errno != EEXIST {
            throw StoreError.io(object.path, errnoMessage())
        }
    }

    private func writeObject(_ data: Data, hash: String) throws {
        let object = objectURL(hash)
        if fm.fileExists(atPath: object.path) { return }
        try fm.createDirectory(at: object.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = object.path + ".\(getpid()).tmp"
        guard fm.createFile(atPath: temporary, contents: data) else { throw StoreError.io(temporary, "cannot write (disk full?)") }
        try ArtifactStore.fsync(temporary)
        chmod(temporary, 0o444)
        guard rename(temporary, object.path) == 0 else { throw StoreError.io(object.path, errnoMessage()) }
    }

    private func link(_ source: URL, to destination: URL) throws {
        guard fm.fileExists(atPath: source.path) else { throw StoreError.corrupt(source.path) }
        if Glibc.link(source.path, destination.path) != 0 {
            throw StoreError.io(destination.path, errnoMessage())
        }
    }

    /// Atomically puts `source` at `destination`, replacing what was there.
    private func replace(_ destination: URL, with source: URL) throws {
        if fm.fileExists(atPath: destination.path) {
            let old = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).old")
            try? fm.removeItem(at: old)
            try fm.moveItem(at: destination, to: old)
            try? ArtifactStore.removeTree(old)
        }
        guard rename(source.path, destination.path) == 0 else { throw StoreError.io(destination.path, errnoMessage()) }
        try? ArtifactStore.fsync(destination.deletingLastPathComponent().path)
    }

    /// Removes a folder holding read-only files.
    static func removeTree(_ url: URL) throws {
        if let walker = FileManager.default.enumerator(atPath: url.path) {
            for case let relative as String in walker { chmod(url.appendingPathComponent(relative).path, 0o755) }
        }
        try FileManager.default.removeItem(at: url)
    }

    static func fsync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError.io(path, errnoMessage()) }
        defer { close(fd) }
        if Glibc.fsync(fd) != 0 && errno != EINVAL { throw StoreError.io(path, errnoMessage()) }
    }
}

/// Store failures.
package enum StoreError: Error, CustomStringConvertible {
    case missingOutput(String)
    case corrupt(String)
    case io(String, String)

    package var description: String {
        switch self {
        case .missingOutput(let name): return "the stage did not write its output '\(name)'"
        case .corrupt(let path): return "\(path): stored object missing or corrupt"
        case .io(let path, let message): return "\(path): \(message)"
        }
    }
}
