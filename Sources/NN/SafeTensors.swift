import Foundation
import Tensor

/// A safetensors file that cannot be read or written, with the path and key at fault.
public struct SafeTensorsError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "safetensors \(path): \(reason)" }
}

/// Reads and writes the safetensors format (8-byte little-endian header length, JSON header, raw data)
/// so weights move between PleinAir and PyTorch.
public enum SafeTensors {
    /// Loads every tensor of the file as Float32 (F32, F16, BF16, F64 and I64 entries are converted).
    public static func read(contentsOf url: URL) throws -> [String: Tensor] {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw SafeTensorsError(path: url.path, reason: "cannot read: \(error)")
        }
        return try decode(data, path: url.path)
    }

    /// Parses safetensors bytes; `path` only labels errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> [String: Tensor] {
        func fail(_ r: String) -> SafeTensorsError { SafeTensorsError(path: path, reason: r) }
        guard data.count >= 8 else { throw fail("file shorter than its 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw fail("header length \(headerLength) exceeds file") }
        let body = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<body)) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var out: [String: Tensor] = [:]
        for (key, value) in header where key != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [NSNumber])?.map(\.intValue),
                  let offsets = (entry["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2 else {
                throw fail("entry '\(key)' lacks dtype, shape or data_offsets")
            }
            let n = shape.reduce(1, *)
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F16", "BF16": width = 2
            case "F64", "I64": width = 8
            default: throw fail("entry '\(key)' has unsupported dtype \(dtype)")
            }
            guard offsets[1] - offsets[0] == n * width, offsets[0] >= 0, body + offsets[1] <= data.count else {
                throw fail("entry '\(key)' data_offsets \(offsets) do not fit shape \(shape) of \(dtype)")
            }
            let t = Tensor(zeros: shape)
            let dst = t.pointer
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                let src = raw.baseAddress! + body + offsets[0]
                for i in 0..<n {
                    switch dtype {
                    case "F32": dst[i] = Float(bitPattern: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
                    case "F16": dst[i] = halfToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
                    case "BF16": dst[i] = Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16)
                    case "F64": dst[i] = Float(Double(bitPattern: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                    default: dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                    }
                }
            }
            out[key] = t
        }
        return out
    }

    /// Writes `tensors` as F32 (keys sorted so the bytes are reproducible), atomically.
    public static func write(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:]) throws {
        do { try encode(tensors, metadata: metadata).write(to: url, options: .atomic) } catch {
            throw SafeTensorsError(path: url.path, reason: "cannot write: \(error)")
        }
    }

    /// Serialises `tensors` as F32 safetensors bytes.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) throws -> Data {
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
            let shape = t.shape.map(String.init).joined(separator: ",")
            parts.append("\(keyJSON):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + 4 * t.count)]}")
            offset += 4 * t.count
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // pad so the data starts 8-byte aligned
        var data = Data(capacity: 8 + header.count + offset)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for k in keys {
            let t = tensors[k]!
            var values = t.scalars.map { $0.bitPattern.littleEndian }
            values.withUnsafeMutableBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// IEEE half → single, including subnormals, infinities and NaN.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
