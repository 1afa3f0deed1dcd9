/// How a code file was reached from the one before it in a chain.
package struct CodeLink: Sendable, Equatable, Codable {
    package enum Relation: String, Sendable, Codable {
        case imported = "imported by"
        case sourced = "sourced by"
        case run = "run by"
    }

    package var relation: Relation
    /// The file that imports, sources or runs it.
    package var by: String

    package init(_ relation: Relation, by: String) {
        self.relation = relation
        self.by = by
    }
}

/// One file a `cmd` stage's fingerprint covers, and the chain that brought it in: nearest first,
/// ending at a file the command names; empty for the files the command names or `code:` lists.
/// Printed as `helper.py (imported by score.py)`.
package struct CodeFile: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral {
    package var path: String
    package var via: [CodeLink]

    package init(path: String, via: [CodeLink] = []) {
        self.path = path
        self.via = via
    }

    package init(stringLiteral path: String) { self.init(path: path) }

    /// `imported by helper.py, imported by score.py`; empty when the command names the file.
    package var chain: String { via.map { "\($0.relation.rawValue) \($0.by)" }.joined(separator: ", ") }

    package var description: String { via.isEmpty ? path : "\(path) (\(chain))" }
}
