import Basics
import Foundation

/// A file that could not be hashed.
package struct HashError: Error, CustomStringConvertible {
    package var path: String
    package var message: String
    package var description: String { "\(path): \(message)" }
}

/// Content hashes of files (SHA-256) and folders (SHA-256 of a sorted manifest of their files:
/// a Merkle hash). Files whose inode, size and mtime are unchanged since they were last hashed
/// are not read again. Safe to use from one thread at a time; hashes files on all cores.
package final class ContentHasher {
    private var states: [String: FileState]
    private var updated: [String: FileState] = [:]
    private let cache: FileStateCache?
    private let lock = NSLock()
    /// Files actually read since creation (tests assert on it).
    package private(set) var filesRead = 0

    package init(cache: FileStateCache?) throws {
        self.cache = cache
        self.states = try cache?.loadFileStates() ?? [:]
    }

    /// Writes new file states back to the cache.
    package func flush() throws {
        lock.lock()
        let pending = updated
        updated = [:]
        lock.unlock()
        try cache?.saveFileStates(pending)
    }

    /// Moves what is known about files under `old` to their new place under `new` (a rename keeps
    /// inode, size and mtime), so stored outputs are not read again on the next cache check.
    package func rebase(from old: String, to new: String) {
        let prefix = Self.stateKey(old) + "/"
        let target = Self.stateKey(new) + "/"
        lock.lock()
        for (key, state) in updated where key.hasPrefix(prefix) {
            let moved = target + key.dropFirst(prefix.count)
            updated[key] = nil
            states[key] = nil
            updated[moved] = state
            states[moved] = state
        }
        lock.unlock()
    }

    /// Records the hash of a file just written (its stat is read now).
    package func remember(path: String, hash: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let key = Self.stateKey(path)
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        let state = FileState(inode: UInt64(info.st_ino), size: Int64(info.st_size), mtimeNanoseconds: mtime, hash: hash)
        lock.lock()
        states[key] = state
        updated[key] = state
        lock.unlock()
    }

    /// Hash of a file, or of a folder's manifest.
    package func hash(path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw HashError(path: path, message: errno == ENOENT ? "no such file or folder" : errnoMessage())
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return try SHA256Digest.hex(Data(manifest(folder: path).text.utf8))
        }
        return try hashFile(path, info)
    }

    /// The manifest of a folder: every regular file below it with its hash and size, sorted by path.
    package func manifest(folder: String) throws -> TreeManifest {
        let files = try TreeManifest.listFiles(folder)
        var entries = [TreeManifest.Entry?](repeating: nil, count: files.count)
        var failure: Error?
        let failureLock = NSLock()
        entries.withUnsafeMutableBufferPointer { buffer in
            let out = buffer
            DispatchQueue.concurrentPerform(iterations: min(files.count, ProcessInfo.processInfo.activeProcessorCount * 4)) { worker in
                var i = worker
                let stride = min(files.count, ProcessInfo.processInfo.activeProcessorCount * 4)
                while i < files.count {
                    do {
                        let (relative, info) = files[i]
                        let hash = try hashFile(folder + "/" + relative, info)
                        out[i] = TreeManifest.Entry(path: relative, hash: hash, size: Int64(info.st_size))
                    } catch {
                        failureLock.lock()
                        failure = failure ?? error
                        failureLock.unlock()
                    }
                    i += stride
                }
            }
        }
        if let failure { throw failure }
        return TreeManifest(entries: entries.map { $0! })
    }

    private func hashFile(_ path: String, _ info: stat) throws -> String {
        let key = Self.stateKey(path)
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        lock.lock()
        let known = states[key]
        lock.unlock()
        if let known, known.inode == UInt64(info.st_ino), known.size == Int64(info.st_size), known.mtimeNanoseconds == mtime {
            return known.hash
        }
        let hash = try ContentHasher.sha256(file: path)
        let state = FileState(inode: UInt64(info.st_ino), size: Int64(info.st_size), mtimeNanoseconds: mtime, hash: hash)
        lock.lock()
        states[key] = state
        updated[key] = state
        filesRead += 1
        lock.unlock()
        return hash
    }

    /// The key a path's state is kept under: the path with `.`, `..` and repeated or trailing
    /// slashes resolved lexically. Symlinks are not resolved (Foundation's `standardizingPath`
    /// did, at a `stat` per component: a tenth of a 10,000-stage no-op rerun); the stat that decides
    /// whether the hash still holds follows them anyway.
    static func stateKey(_ path: String) -> String {
        let utf8 = path.utf8
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0, clean = true
        for byte in utf8 {
            // "//", "/./" or "/../" (and their ends, checked below) need the slow path.
            if byte == UInt8(ascii: "/") && (previous == UInt8(ascii: "/")
                                            || (previous == UInt8(ascii: ".") && (beforePrevious == UInt8(ascii: "/")
                                                                                 || beforePrevious == UInt8(ascii: ".")))) {
                clean = false
                break
            }
            beforePrevious = previous
            previous = byte
        }
        if clean && utf8.count > 1 && !path.hasSuffix("/") && !path.hasSuffix("/.") && !path.hasSuffix("/..")
            && !path.hasPrefix("./") && !path.hasPrefix("../") {
            return path
        }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", path.hasPrefix("/") { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// SHA-256 of a file's bytes, bypassing any state.
    package static func sha256(file path: String) throws -> String {
        do {
            return try SHA256Digest.hex(file: path)
        } catch let error as SHA256Digest.FileError {
            throw HashError(path: path, message: error.message)
        }
    }
}
