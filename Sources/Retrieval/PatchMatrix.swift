import NN

/// A bank's patches at one scale: 8-bit pixels, one patch per row, in memory-mapped shards, read as
/// floats in [−1, 1] on the fly with exactly the conversion images get (`Image.writePlanarFloats`:
/// `v · (2/255) − 1`), so a patch read from the bank equals the same patch cut from the float image.
/// 8-bit storage is lossless (the photographs are 8-bit) and a quarter of float32's size.
public final class PatchMatrix: @unchecked Sendable {
    public let bytes: ShardedMatrix<UInt8>
    public var rows: Int { bytes.rows }
    public var columns: Int { bytes.columns }

    public init(_ bytes: ShardedMatrix<UInt8>) { self.bytes = bytes }

    /// The float a stored byte stands for.
    @inline(__always)
    public static func value(_ byte: UInt8) -> Float { Float(byte) * (2 / Float(255)) - 1 }

    /// The byte a float in [−1, 1] of an 8-bit image came from (the inverse of `value`).
    @inline(__always)
    public static func byte(_ value: Float) -> UInt8 { UInt8(max(0, min(255, ((value + 1) * 127.5).rounded()))) }

    /// Converts `count` bytes at `source` into floats at `out`.
    @inline(__always)
    public static func convert(_ source: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { out[i] = value(source[i]) }
    }

    /// Row `i` as floats.
    public func row(_ i: Int) -> [Float] {
        let r = bytes.row(i)
        return [Float](unsafeUninitializedCapacity: columns) { out, n in
            Self.convert(r.baseAddress!, count: columns, into: out.baseAddress!)
            n = columns
        }
    }

    /// Writes row `i` as floats into `out`.
    @inline(__always)
    public func copyRow(_ i: Int, into out: UnsafeMutablePointer<Float>) {
        Self.convert(bytes.row(i).baseAddress!, count: columns, into: out)
    }

    /// Rows `ids` as floats, row-major (touches only those rows' pages).
    public func gather(_ ids: [Int]) -> [Float] {
        let d = columns
        return [Float](unsafeUninitializedCapacity: ids.count * d) { out, n in
            for (k, id) in ids.enumerated() { copyRow(id, into: out.baseAddress! + k * d) }
            n = ids.count * d
        }
    }

    /// Rows `range` as floats, row-major, read with `pread` (bulk passes: see `ShardedMatrix`).
    public func floats(_ range: Range<Int>) throws -> [Float] {
        let d = columns
        var staging = [UInt8](repeating: 0, count: range.count * d)
        try staging.withUnsafeMutableBufferPointer { try bytes.read(range, into: $0.baseAddress!) }
        return [Float](unsafeUninitializedCapacity: range.count * d) { out, n in
            staging.withUnsafeBufferPointer { Self.convert($0.baseAddress!, count: range.count * d, into: out.baseAddress!) }
            n = range.count * d
        }
    }

    /// Rows `ids` as floats, row-major, read with `pread` (scattered shortlists of large banks).
    public func readRows(_ ids: [Int], into out: UnsafeMutablePointer<Float>) throws {
        let d = columns
        var staging = [UInt8](repeating: 0, count: d)
        try staging.withUnsafeMutableBufferPointer { row in
            for (k, id) in ids.enumerated() {
                try bytes.read(row: id, into: row.baseAddress!)
                Self.convert(row.baseAddress!, count: d, into: out + k * d)
            }
        }
    }

    /// Every row as floats: for small banks only (4 bytes per value).
    public func allFloats() throws -> [Float] { try floats(0..<rows) }

    /// Float bytes of the whole bank: what `allFloats` would allocate.
    public var floatBytes: Int { rows * columns * 4 }
}
