#if canImport(Glibc)
import Glibc
#endif
import CVectorMath

/// Whether CVectorMath's AVX-512 kernels may run: the CPU has AVX-512 and FMA, and its copy of
/// glibc's expf gives this process's `expf` bits (checked once per process, at first use). The
/// contextual loss's row kernels run vectorised where it holds and as scalar C with `expf` elsewhere;
/// its value and gradient keep their bits either way.
enum VectorExp {
    /// Whether the vector kernels are used (decided once per process).
    static let isVectorised: Bool = pleinair_expf_supported() != 0 && agreesWithLibm()

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
