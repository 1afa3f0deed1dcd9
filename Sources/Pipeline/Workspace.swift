import Basics
import Foundation

/// The folders of a workspace: the content-addressed store and the ledger live under `artifacts/`.
package struct Workspace: Sendable {
    package var root: URL

    package init(root: URL) { self.root = root.standardizedFileURL }

    package var artifacts: URL { root.appendingPathComponent("artifacts") }
    package var objects: URL { artifacts.appendingPathComponent("objects") }
    package var cache: URL { artifacts.appendingPathComponent("cache") }
    package var views: URL { artifacts.appendingPathComponent("views") }
    package var tmp: URL { artifacts.appendingPathComponent("tmp") }
    package var work: URL { artifacts.appendingPathComponent("work") }
    package var logs: URL { artifacts.appendingPathComponent("logs") }
    package var ledgerPath: String { artifacts.appendingPathComponent("ledger.sqlite").path }
    package var lockPath: String { artifacts.appendingPathComponent("lock").path }

    /// Creates the folders if missing.
    package func prepare() throws {
        for url in [objects, cache, views, tmp, work, logs] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
    }

    /// An input path as written in a spec, made absolute against the workspace root.
    package func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }
}

/// An exclusive lock on a workspace (flock): one `run` at a time writes the store and the ledger.
package final class WorkspaceLock {
    private let fd: Int32

    /// Takes the lock, waiting for another run to finish; `onWait` is told once if it has to wait.
    package init(path: String, onWait: (String) -> Void) throws {
        // Close-on-exec: a stage's child process must not inherit (and so keep holding) the lock.
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HashError(path: path, message: "cannot open the workspace lock: \(errnoMessage())") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var holder = [UInt8](repeating: 0, count: 64)
            let n = pread(fd, &holder, 63, 0)
            let pid = n > 0 ? String(decoding: holder[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            onWait("waiting for another pleinair run on this workspace (pid \(pid)) to finish")
            guard flock(fd, LOCK_EX) == 0 else { throw HashError(path: path, message: "cannot take the workspace lock") }
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
