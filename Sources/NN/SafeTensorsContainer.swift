import Foundation

/// The safetensors container, independent of element type: an 8-byte little-endian header length,
/// a JSON header naming each entry's dtype, shape and byte range, then the raw data. `SafeTensors`
/// (Float32 tensors) and `Float64SafeTensors` (statistics kept in double) read and write through it.
public enum SafeTensorsContainer {
    /// One entry of the header, its bytes located in the file.
    public struct Entry {
        public let key: String
        public let dtype: String
        public let shape: [Int]
        /// Absolute byte offset of the first element.
        public let start: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// Bytes per element of the dtypes PleinAir reads.
    public static let widths = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8]

    /// Parses and checks the header of `data` (`path` only labels errors): every entry's dtype
    /// is one of `widths` and its range fits its shape and the file.
    public static func entries(of data: Data, path: String) throws -> (entries: [Entry], metadata: [String: String]) {
        func fail(_ r: String) -> SafeTensorsError { SafeTensorsError(path: path, reason: r) }
        guard data.count >= 8 else { throw fail("file shorter than its 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw fail("header length \(headerLength) exceeds the file") }
        let body = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<body)) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var entries: [Entry] = []
        for (key, value) in header where key != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [NSNumber])?.map(\.intValue),
                  let offsets = (entry["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2 else {
                throw fail("entry '\(key)' lacks dtype, shape or data_offsets")
            }
            guard let width = widths[dtype] else { throw fail("entry '\(key)' has unsupported dtype \(dtype)") }
            // Checked arithmetic throughout: the header is the file's claim, not a fact.
            var bytes = shape.allSatisfy { $0 >= 0 } ? width : -1
            for extent in shape where bytes >= 0 {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: extent)
                bytes = overflow ? -1 : product
            }
            guard bytes >= 0, offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == bytes,
                  offsets[1] <= data.count - body else {
                throw fail("entry '\(key)' data_offsets \(offsets) do not fit shape \(shape) of \(dtype) in a file of \(data.count) bytes")
            }
            entries.append(Entry(key: key, dtype: dtype, shape: shape, start: body + offsets[0]))
        }
        return (entries, header["__metadata__"] as? [String: String] ?? [:])
    }

    /// The file holding `entries` (in key order, so equal inputs give equal bytes), each with its
    /// dtype, shape and already little-endian element bytes.
    public static func assemble(_ entries: [String: (dtype: String, shape: [Int], bytes: Data)],
                                metadata: [String: String] = [:]) throws -> Data {
        let keys = entries.keys.sorted()
        var parts: [String] = []
        if !metadata.isEmpty {
            let meta = try JSONSerialization.data(withJSONObject: metadata, options: .sortedKeys)
            parts.append("\"__metadata__\":" + String(decoding: meta, as: UTF8.self))
        }
        var offset = 0
        for k in keys {
            let e = entries[k]!
            let keyJSON = String(decoding: try JSONSerialization.data(withJSONObject: k, options: .fragmentsAllowed), as: UTF8.self)
            parts.append("\(keyJSON):{\"dtype\":\"\(e.dtype)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],"
                         + "\"data_offsets\":[\(offset),\(offset + e.bytes.count)]}")
            offset += e.bytes.count
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // pad so the data starts 8-byte aligned
        var data = Data(capacity: 8 + header.count + offset)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for k in keys { data.append(entries[k]!.bytes) }
        return data
    }
}
