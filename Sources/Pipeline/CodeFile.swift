/// How a code file was reached from the one before it in a chain.
public struct CodeLink: Sendable, Equatable, Codable {
    public enum Relation: String, Sendable, Codable {
        case imported = "imported by"
        case sourced = "sourced by"
        case run = "run by"
    }

    public var relation: Relation
    /// The file that imports, sources or runs it.
    public var by: String

    public init(_ relation: Relation, by: String) {
        self.relation = relation
        self.by = by
    }
}

/// One file a `cmd` stage's fingerprint covers, and the chain that brought it in: nearest first,
/// ending at a file the command names; empty for the files the command names or `code:` lists.
/// Printed as `helper.py (imported by score.py)`.
public struct CodeFile: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var path: String
    public var via: [CodeLink]

    public init(path: String, via: [CodeLink] = []) {
        self.path = path
        self.via = via
    }

    public init(stringLiteral path: String) { self.init(path: path) }

    /// `imported by helper.py, imported by score.py`; empty when the command names the file.
    public var chain: String { via.map { "\($0.relation.rawValue) \($0.by)" }.joined(separator: ", ") }

    public var description: String { via.isEmpty ? path : "\(path) (\(chain))" }
}
