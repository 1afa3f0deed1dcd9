import Foundation
import Tensor

/// A safetensors file that cannot be read or written, with the path and key at fault.
public struct SafeTensorsError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "safetensors \(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
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
        var out: [String: Tensor] = [:]
        for entry in try SafeTensorsContainer.entries(of: data, path: path).entries {
            let t = Tensor(zeros: entry.shape)
            let dst = t.pointer, dtype = entry.dtype
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                let src = raw.baseAddress! + entry.start
                for i in 0..<entry.count {
                    switch dtype {
                    case "F32": dst[i] = Float(bitPattern: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
                    case "F16": dst[i] = halfToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
                    case "BF16": dst[i] = Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16)
                    case "F64": dst[i] = Float(Double(bitPattern: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                    default: dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                    }
                }
            }
            out[entry.key] = t
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
        try SafeTensorsContainer.assemble(tensors.mapValues { t in
            var values = t.scalars.map { $0.bitPattern.littleEndian }
            return ("F32", t.shape, values.withUnsafeMutableBytes { Data($0) })
        }, metadata: metadata)
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
