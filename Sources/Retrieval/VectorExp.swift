#if canImport(Glibc)
import Glibc
#endif
import CVectorMath

/// `expf` over an array with the C library's own bits: sixteen values at a time through the
/// AVX-512 copy of glibc's expf in `CVectorMath` where the CPU has AVX-512 and a check at first use
/// finds the copy equal to this process's `expf`; one `expf` call per value otherwise. The contextual
/// loss spends most of its arithmetic here, and its value and gradient keep their bits either way.
enum VectorExp {
    /// Whether `apply` uses the vector copy (decided once per process).
    static let isVectorised: Bool = pleinair_expf_supported() != 0 && agreesWithLibm()

    /// out[i] = expf(x[i]) for i < count; `x` and `out` may be the same memory.
    static func apply(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        if isVectorised {
            pleinair_expf(x, out, count)
        } else {
            for i in 0..<count { out[i] = expf(x[i]) }
        }
    }

    /// Compares the copy with `expf` on every 4,096th bit pattern of all floats (NaNs, infinities,
    /// subnormals and both signs among them) and densely on [−110, 90], where the fast path, its
    /// table's 32 entries and both slow-path edges lie: about 1.3 million values, a few milliseconds.
    /// A C library with another algorithm (a different glibc, musl) fails it, and the scalar path is used.
    static func agreesWithLibm() -> Bool {
        var inputs = [Float]()
        inputs.reserveCapacity((1 << 20) + 300_001)
        for step in 0..<(UInt32(1) << 20) { inputs.append(Float(bitPattern: step &* 4096 &+ (step & 4095))) }
        for i in 0...300_000 { inputs.append(-110 + Float(i) * (200 / 300_000)) }
        var vector = [Float](repeating: 0, count: inputs.count)
        pleinair_expf(inputs, &vector, inputs.count)
        for (x, y) in zip(inputs, vector) {
            let expected = expf(x)
            if expected.bitPattern != y.bitPattern && !(expected.isNaN && y.isNaN) { return false }
        }
        return true
    }
}
