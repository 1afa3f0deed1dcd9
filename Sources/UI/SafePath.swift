import Foundation

/// Resolves request paths to files strictly inside one folder: refuses `..`, `.`, absolute and empty
/// components and NUL (after the request's single percent-decoding, so `%2e%2e` is refused too), and
/// then refuses whatever resolves, through symlinks, to a place outside the folder's real path.
package struct SafePath: Sendable {
    /// The folder files may be served from, with its symlinks resolved.
    package let root: String

    package init(root: URL) {
        self.root = SafePath.realPath(root.path) ?? root.standardizedFileURL.path
    }

    /// The real path of `components` under the root, or nil when it is unsafe or does not exist.
    package func resolve(_ components: [String]) -> String? {
        guard !components.isEmpty else { return nil }
        for component in components {
            guard !component.isEmpty, component != ".", component != "..", !component.contains("/"),
                  !component.contains("\\"), !component.contains("\0") else { return nil }
        }
        return contained(root + "/" + components.joined(separator: "/"))
    }

    /// The real path of an absolute `path` (a log path the ledger recorded) if it lies inside the root.
    package func contained(_ path: String) -> String? {
        guard let real = SafePath.realPath(path) else { return nil }
        return real == root || real.hasPrefix(root + "/") ? real : nil
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
