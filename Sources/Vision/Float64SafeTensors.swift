import Foundation

/// A float64 array with its shape, as stored in a safetensors entry.
public struct Float64Array: Equatable, Sendable {
    /// Extent of each axis, outermost first.
    public var shape: [Int]
    /// The elements, row-major.
    public var values: [Double]

    /// Wraps `values` (their count must match `shape`).
    public init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }
}

/// Safetensors files whose entries must keep double precision (feature statistics, FID fixtures):
/// NN's `SafeTensors` narrows everything to Float32, which would cost the 1e-6 agreement FID needs.
public enum Float64SafeTensors {
    /// Reads every F64 or F32 entry as float64, and the `__metadata__` strings.
    public static func read(contentsOf url: URL) throws -> (tensors: [String: Float64Array], metadata: [String: String]) {
        func fail(_ r: String) -> SafeTensorsFormatError { SafeTensorsFormatError(path: url.path, reason: r) }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch { throw fail("cannot read: \(error.localizedDescription)") }
        guard data.count >= 8 else { throw fail("file shorter than its 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw fail("header length \(headerLength) exceeds the file") }
        let body = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<body)) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var tensors: [String: Float64Array] = [:]
        let metadata = header["__metadata__"] as? [String: String] ?? [:]
        for (key, value) in header where key != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [NSNumber])?.map(\.intValue),
                  let offsets = (entry["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2 else {
                throw fail("entry '\(key)' lacks dtype, shape or data_offsets")
            }
            let n = shape.reduce(1, *)
            let width = dtype == "F64" ? 8 : dtype == "F32" ? 4 : 0
            guard width > 0 else { throw fail("entry '\(key)' has dtype \(dtype); only F64 and F32 are read here") }
            guard offsets[0] >= 0, offsets[1] - offsets[0] == n * width, body + offsets[1] <= data.count else {
                throw fail("entry '\(key)' data_offsets \(offsets) do not fit shape \(shape) of \(dtype)")
            }
            var values = [Double](repeating: 0, count: n)
            data.withUnsafeBytes { raw in
                let src = raw.baseAddress! + body + offsets[0]
                for i in 0..<n {
                    values[i] = width == 8
                        ? Double(bitPattern: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)
                        : Double(Float(bitPattern: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian))
                }
            }
            tensors[key] = Float64Array(shape: shape, values: values)
        }
        return (tensors, metadata)
    }

    /// Writes `tensors` as F64 entries (keys sorted, so equal inputs give equal bytes), atomically.
    public static func write(_ tensors: [String: Float64Array], metadata: [String: String] = [:], to url: URL) throws {
        let keys = tensors.keys.sorted()
        var parts: [String] = []
        if !metadata.isEmpty {
            let meta = try JSONSerialization.data(withJSONObject: metadata, options: .sortedKeys)
            parts.append("\"__metadata__\":" + String(decoding: meta, as: UTF8.self))
        }
        var offset = 0
        for k in keys {
            let t = tensors[k]!
            let keyJSON = String(decoding: try JSONSerialization.data(withJSONObject: k, options: .fragmentsAllowed), as: UTF8.self)
            parts.append("\(keyJSON):{\"dtype\":\"F64\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                         + "\"data_offsets\":[\(offset),\(offset + 8 * t.values.count)]}")
            offset += 8 * t.values.count
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var data = Data(capacity: 8 + header.count + offset)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for k in keys {
            var bits = tensors[k]!.values.map { $0.bitPattern.littleEndian }
            bits.withUnsafeMutableBytes { data.append(contentsOf: $0) }
        }
        do { try data.write(to: url, options: .atomic) } catch {
            throw SafeTensorsFormatError(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// A safetensors file this module cannot read or write, with the path and what is wrong.
public struct SafeTensorsFormatError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "safetensors \(path): \(reason)" }
}
