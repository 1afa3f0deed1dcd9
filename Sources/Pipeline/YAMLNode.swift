/// A YAML document as a tree that remembers where each node was written.
package indirect enum YAMLValue: Sendable {
    /// A scalar with its text and whether it was quoted (quoted scalars are always strings).
    case scalar(String, quoted: Bool)
    case sequence([YAMLNode])
    case mapping([(key: YAMLNode, value: YAMLNode)])
}

extension YAMLValue {
    /// An unquoted scalar (only those can be special, like the merge key `<<`).
    var isPlain: Bool {
        if case .scalar(_, let quoted) = self { return !quoted }
        return false
    }
}

/// A YAML node and the place it starts.
package struct YAMLNode: Sendable {
    package var value: YAMLValue
    package var location: SourceLocation

    package init(_ value: YAMLValue, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    /// The scalar's text, nil for collections.
    package var scalar: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    /// The mapping's entries, nil for other nodes.
    package var mapping: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    /// The sequence's items, nil for other nodes.
    package var sequence: [YAMLNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// A short name of the node's type for error messages.
    package var typeName: String {
        switch value {
        case .scalar(let text, let quoted):
            if quoted { return "string" }
            if YAMLNode.isNull(text) { return "null" }
            return "scalar"
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }

    static func isNull(_ text: String) -> Bool { ["", "~", "null", "Null", "NULL"].contains(text) }
}
