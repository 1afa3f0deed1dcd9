/// Tagged JSON form of parameter values, for storing fingerprint keys in the ledger and reading
/// them back exactly (an untagged JSON number could not say whether it was 1 or 1.0).
extension ParamValue: Codable {
    private enum CodingKeys: String, CodingKey { case t, v }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .t) {
        case "null": self = .null
        case "bool": self = .bool(try c.decode(Bool.self, forKey: .v))
        case "int": self = .int(try c.decode(Int.self, forKey: .v))
        case "double": self = .double(try c.decode(Double.self, forKey: .v))
        case "string": self = .string(try c.decode(String.self, forKey: .v))
        case "list": self = .list(try c.decode([ParamValue].self, forKey: .v))
        case "map": self = .map(try c.decode([String: ParamValue].self, forKey: .v))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .t, in: c, debugDescription: "unknown value tag \(other)")
        }
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .null: try c.encode("null", forKey: .t)
        case .bool(let b): try c.encode("bool", forKey: .t); try c.encode(b, forKey: .v)
        case .int(let i): try c.encode("int", forKey: .t); try c.encode(i, forKey: .v)
        case .double(let d): try c.encode("double", forKey: .t); try c.encode(d, forKey: .v)
        case .string(let s): try c.encode("string", forKey: .t); try c.encode(s, forKey: .v)
        case .list(let l): try c.encode("list", forKey: .t); try c.encode(l, forKey: .v)
        case .map(let m): try c.encode("map", forKey: .t); try c.encode(m, forKey: .v)
        }
    }
}
