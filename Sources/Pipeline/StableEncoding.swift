/// A canonical text encoding for values that are hashed: sorted keys, fixed number formats,
/// escaped strings. Hashes must never depend on dictionary order or `Hashable`.
enum StableEncoding {
    static func encode(_ value: ParamValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    static func write(_ value: ParamValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += "i" + String(i)
        case .double(let d): out += "d" + ParamValue.format(d)
        case .string(let s): writeString(s, into: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .map(let map):
            out += "{"
            for (i, key) in map.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                writeString(key, into: &out)
                out += ":"
                write(map[key]!, into: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        // Most strings (hashes, paths, commands) need no escape: appended whole, not scalar by scalar
        // (a tenth of planning 10,000 stages). A byte below 0x20 in UTF-8 is such a scalar itself.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        out += "\""
    }
}
