import Foundation

/// A stage parameter's value after substitution, in a canonical form that hashes stably.
package indirect enum ParamValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ParamValue])
    case map([String: ParamValue])

    /// Infers the type of an unquoted scalar the way YAML 1.2's core schema does.
    package static func fromScalar(_ text: String, quoted: Bool) -> ParamValue {
        if quoted { return .string(text) }
        if YAMLNode.isNull(text) { return .null }
        switch text {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let int = Int(text) { return .int(int) }
        if text.contains(where: { $0.isNumber }), let double = Double(text), !text.hasPrefix("0x") { return .double(double) }
        return .string(text)
    }

    package var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return ParamValue.format(d)
        case .string(let s): return s
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let map):
            return "{" + map.keys.sorted().map { "\($0): \(map[$0]!.description)" }.joined(separator: ", ") + "}"
        }
    }

    /// Shortest text that reads back as the same double, so hashes do not depend on formatting.
    static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    package var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    package var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    package var listValue: [ParamValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// A short name of the value's type for error messages.
    package var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .list: return "list"
        case .map: return "mapping"
        }
    }
}
