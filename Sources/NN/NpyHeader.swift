import Foundation

/// The header of a NumPy `.npy` file (format versions 1, 2 and 3): element type, order, shape and
/// where the data starts. The one parser of `.npy` headers: bank matrices (`MappedMatrix`) and the
/// authors' mean patches (`NpyFile.readFloats`) both go through it, and the `npy` and `authors`
/// fuzz targets drive it.
public struct NpyHeader: Equatable, Sendable {
    /// NumPy's type string, e.g. `<f4`.
    public var descriptor: String
    public var fortranOrder: Bool
    public var shape: [Int]
    /// Byte offset of the first element.
    public var dataOffset: Int
    /// Bytes per element.
    public var elementSize: Int

    /// Product of the extents (checked not to overflow when parsed).
    public var count: Int { shape.reduce(1, *) }

    /// Longest header accepted. NumPy writes a few hundred bytes (its own reader refuses more than
    /// 10,000 by default); this leaves room for long shapes without letting a header ask for gigabytes.
    public static let maxHeaderBytes = 1 << 16

    /// Bytes per element of the type strings PleinAir reads.
    static let elementSizes: [String: Int] = ["<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8, "|u1": 1, "<u1": 1]

    /// Parses the header at the start of `bytes`, the first bytes of a file of `fileSize` bytes (the
    /// data need not be in `bytes`), and checks that the data the shape claims fits in the file.
    /// The message of a thrown `BankFileError.malformed` says what is wrong, `path` says where.
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileSize: Int, path: String) throws -> NpyHeader {
        func fail(_ message: String) -> BankFileError { .malformed(path: path, message) }
        guard bytes.count >= 10, fileSize >= bytes.count else { throw fail("file of \(fileSize) bytes is too short for a .npy header") }
        guard bytes[0] == 0x93, bytes[1] == 0x4e, bytes[2] == 0x55, bytes[3] == 0x4d, bytes[4] == 0x50, bytes[5] == 0x59 else {
            throw fail("missing the .npy magic")
        }
        let major = Int(bytes[6])
        guard (1...3).contains(major) else { throw fail(".npy format version \(major).\(bytes[7]) (1, 2 and 3 are read)") }
        let lengthBytes = major == 1 ? 2 : 4
        let start = 8 + lengthBytes
        guard bytes.count >= start else { throw fail("file of \(fileSize) bytes ends inside the header length") }
        var length = 0
        for i in 0..<lengthBytes { length |= Int(bytes[8 + i]) << (8 * i) }
        guard length <= maxHeaderBytes else { throw fail("header of \(length) bytes (at most \(maxHeaderBytes) are read)") }
        guard start + length <= fileSize, start + length <= bytes.count else {
            throw fail("header of \(length) bytes runs past the end of the file (\(fileSize) bytes)")
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}") else { throw fail("header is not a dictionary: \(Self.excerpt(text))") }

        let descriptor = try Self.value(of: "descr", in: trimmed, path: path)
        guard descriptor.hasPrefix("'") || descriptor.hasPrefix("\""), descriptor.count >= 2, descriptor.last == descriptor.first else {
            throw fail("'descr' is not a type string: \(Self.excerpt(descriptor))")
        }
        let type = String(descriptor.dropFirst().dropLast())
        guard let elementSize = elementSizes[type] else { throw fail("element type \(Self.excerpt(type)) is not one PleinAir reads") }
        let order = try Self.value(of: "fortran_order", in: trimmed, path: path)
        guard order == "False" || order == "True" else { throw fail("'fortran_order' is \(Self.excerpt(order)), not True or False") }
        let shapeText = try Self.value(of: "shape", in: trimmed, path: path)
        guard shapeText.hasPrefix("("), shapeText.hasSuffix(")") else { throw fail("'shape' is not a tuple: \(Self.excerpt(shapeText))") }
        var parts = shapeText.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.last == "" { parts.removeLast() }  // (5,) and (2, 3, )
        guard parts.count <= 32 else { throw fail("shape of \(parts.count) dimensions") }
        var shape: [Int] = [], count = 1
        for part in parts {
            guard let extent = Int(part), extent >= 0 else { throw fail("shape \(Self.excerpt(shapeText)) has a bad extent '\(Self.excerpt(part))'") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw fail("shape \(shapeText) overflows") }
            shape.append(extent)
            count = product
        }
        let offset = start + length
        guard count <= (fileSize - offset) / elementSize else {
            throw fail("data shorter than shape \(shape): \(fileSize - offset) bytes for \(count) elements of \(elementSize)")
        }
        return NpyHeader(descriptor: type, fortranOrder: order == "True", shape: shape, dataOffset: offset, elementSize: elementSize)
    }

    /// The text of the value of `'key'` in a header dictionary, up to the next top-level comma or the end.
    static func value(of key: String, in dictionary: String, path: String) throws -> String {
        let keys = ["'\(key)'", "\"\(key)\""]
        guard let found = keys.lazy.compactMap({ dictionary.range(of: $0) }).first else {
            throw BankFileError.malformed(path: path, "header has no '\(key)': \(excerpt(dictionary))")
        }
        var rest = dictionary[found.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { throw BankFileError.malformed(path: path, "header has no value for '\(key)'") }
        rest = rest.dropFirst().drop { $0 == " " }
        var depth = 0, quote: Character?
        var end = rest.endIndex
        scan: for i in rest.indices {
            let c = rest[i]
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "'", "\"": quote = c
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 { end = rest.index(after: i); break scan }  // the end of a tuple value
            case ",", "}":
                if depth == 0 { end = i; break scan }
            default: break
            }
        }
        return String(rest[..<end]).trimmingCharacters(in: .whitespaces)
    }

    /// At most 80 characters of hostile text, for a message.
    static func excerpt(_ text: String) -> String { text.count <= 80 ? text : String(text.prefix(80)) + "…" }
}
