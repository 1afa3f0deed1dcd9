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
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw SafeTensorsError(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        let (entries, metadata) = try SafeTensorsContainer.entries(of: data, path: url.path)
        var tensors: [String: Float64Array] = [:]
        for entry in entries {
            guard entry.dtype == "F64" || entry.dtype == "F32" else {
                throw SafeTensorsError(path: url.path, reason: "entry '\(entry.key)' has dtype \(entry.dtype); only F64 and F32 are read here")
            }
            var values = [Double](repeating: 0, count: entry.count)
            data.withUnsafeBytes { raw in
                let src = raw.baseAddress! + entry.start
                for i in 0..<entry.count {
                    values[i] = entry.dtype == "F64"
                        ? Double(bitPattern: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)
                        : Double(Float(bitPattern: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian))
                }
            }
            tensors[entry.key] = Float64Array(shape: entry.shape, values: values)
        }
        return (tensors, metadata)
    }

    /// Writes `tensors` as F64 entries (keys sorted, so equal inputs give equal bytes), atomically.
    public static func write(_ tensors: [String: Float64Array], metadata: [String: String] = [:], to url: URL) throws {
        let data = try SafeTensorsContainer.assemble(tensors.mapValues { t in
            var bits = t.values.map { $0.bitPattern.littleEndian }
            return ("F64", t.shape, bits.withUnsafeMutableBytes { Data($0) })
        }, metadata: metadata)
        do { try data.write(to: url, options: .atomic) } catch {
            throw SafeTensorsError(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
