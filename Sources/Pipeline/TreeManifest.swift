import Basics
import Foundation

/// The list of files in a folder with their content hashes; its text is hashed to name the folder.
package struct TreeManifest: Sendable, Equatable {
    package struct Entry: Sendable, Equatable {
        package var path: String
        package var hash: String
        package var size: Int64
    }

    package var entries: [Entry]

    /// The canonical text: a header line, then `hash size path` per file, sorted by path.
    package var text: String {
        var out = "pleinair-tree 1\n"
        for e in entries {
            out += "\(e.hash) \(e.size) \(TreeManifest.escape(e.path))\n"
        }
        return out
    }

    package var totalSize: Int64 { entries.reduce(0) { $0 + $1.size } }

    /// Reads a manifest back from its text.
    package static func parse(_ text: String) -> TreeManifest? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "pleinair-tree 1" else { return nil }
        lines.removeFirst()
        var entries: [Entry] = []
        for line in lines where !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, let size = Int64(parts[1]) else { return nil }
            entries.append(Entry(path: unescape(String(parts[2])), hash: String(parts[0]), size: size))
        }
        return TreeManifest(entries: entries)
    }

    static func escape(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func unescape(_ path: String) -> String {
        path.replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%25", with: "%")
    }

    /// Regular files below `folder` (links followed), relative paths sorted bytewise, with their stat.
    static func listFiles(_ folder: String) throws -> [(String, stat)] {
        var out: [(String, stat)] = []
        func walk(_ relative: String) throws {
            let absolute = relative.isEmpty ? folder : folder + "/" + relative
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: absolute)
            } catch {
                throw HashError(path: absolute, message: "cannot list the folder")
            }
            for name in names {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard stat(folder + "/" + child, &info) == 0 else {
                    throw HashError(path: folder + "/" + child, message: errnoMessage())
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: try walk(child)
                case S_IFREG: out.append((child, info))
                default: throw HashError(path: folder + "/" + child, message: "not a regular file or folder")
                }
            }
        }
        try walk("")
        out.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return out
    }
}
