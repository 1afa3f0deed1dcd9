import Foundation

/// The class names of a mask folder, read from its `classes.txt`: one `ID NAME` line per class
/// (ids 0...255, names without spaces; `#` starts a comment). Class 0 is everything else: pixels no
/// named class covers, and the patches of a semantic bank that no class covers by half.
public struct SegmentationClasses: Equatable, Sendable {
    public static let fileName = "classes.txt"

    /// Names by class id; id 0 is always present.
    public let names: [Int: String]

    /// Classes from `names`; class 0 is named `other` unless given.
    public init(_ names: [Int: String]) {
        var all = names
        if all[0] == nil { all[0] = "other" }
        self.names = all
    }

    /// The ids in increasing order.
    public var ids: [Int] { names.keys.sorted() }

    /// The name of class `id`, or `class<id>` for an id the file does not name.
    public func name(_ id: Int) -> String { names[id] ?? "class\(id)" }

    /// Parses the text of a classes file; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws -> SegmentationClasses {
        var names: [Int: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 2, let id = Int(fields[0]), (0...255).contains(id) else {
                throw MaskError.malformedClasses(path: path, line: number + 1,
                                                 "expected 'ID NAME' with an id in 0...255, got '\(line.trimmingCharacters(in: .whitespaces))'")
            }
            let name = String(fields[1])
            guard names[id] == nil else { throw MaskError.malformedClasses(path: path, line: number + 1, "class \(id) is named twice") }
            guard !names.values.contains(name) else {
                throw MaskError.malformedClasses(path: path, line: number + 1, "two classes are named '\(name)'")
            }
            names[id] = name
        }
        return SegmentationClasses(names)
    }

    /// Reads `classes.txt` from a mask folder.
    public static func read(from folder: URL) throws -> SegmentationClasses {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MaskError.missingClasses(path: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MaskError.malformedClasses(path: url.path, line: 1, "not UTF-8 text")
        }
        return try parse(text, path: url.path)
    }

    /// The file's text: one `ID NAME` line per class, ids ascending.
    public var text: String { ids.map { "\($0) \(names[$0]!)\n" }.joined() }

    /// Writes `classes.txt` into `folder`.
    public func write(to folder: URL) throws {
        let url = folder.appendingPathComponent(Self.fileName)
        do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
            throw MaskError.io(path: url.path, error.localizedDescription)
        }
    }
}
