import CScanKernels
import COpenBLAS
import Foundation
import Tensor

/// A cached bank rounded to bf16 and packed for the AVX-512 BF16 dot product, with what the exact
/// scan's pre-screen needs to stay exact (`ExactScan+Prescreen.swift`): each row's norm, and the
/// summation order in which OpenBLAS's sgemm computes one element of a product, so that a kept
/// candidate's distance is recomputed with the bits the sgemm scan would have given it.
///
/// Built only where the CPU has AVX512_BF16 and the order has been matched on this machine's
/// OpenBLAS for this dimension (`BlockedDotOrder.calibrated`); elsewhere the scan stays the sgemm scan.
struct BF16Prescreen {
    /// The packed rows (`pleinair_bf16_pack_rows`), padded to a multiple of 32 rows.
    let packed: [UInt32]
    let paddedRows: Int
    let dimension: Int
    /// Words per packed row: two bf16 values each.
    var pairs: Int { (dimension + 1) / 2 }
    /// √ of each row's squared norm (the scan's own norms), and `Bound.rowTerm` of it, zero for the padding rows.
    let rootNorms: [Float]
    let rowTerms: [Float]
    let order: BlockedDotOrder

    static let cpuSupported = pleinair_bf16_supported() != 0

    /// The pre-screen of `rows` float rows (their squared `norms`), or nil where the CPU lacks
    /// AVX512_BF16 or this OpenBLAS's element order for `dimension` is not one `pleinair_blocked_dot` reproduces.
    init?(floats: UnsafePointer<Float>, rows: Int, dimension: Int, norms: [Float]) {
        guard Self.cpuSupported, rows > 0, dimension > 0, let order = BlockedDotOrder.calibrated(dimension: dimension) else { return nil }
        self.dimension = dimension
        self.order = order
        paddedRows = (rows + 31) / 32 * 32
        let pairs = (dimension + 1) / 2, padded = paddedRows
        packed = [UInt32](unsafeUninitializedCapacity: padded * pairs) { out, n in
            pleinair_bf16_pack_rows(floats, rows, dimension, padded, out.baseAddress!)
            n = padded * pairs
        }
        rootNorms = norms.map { $0.squareRoot() } + [Float](repeating: 0, count: padded - rows)
        rowTerms = norms.map(Bound.rowTerm) + [Float](repeating: 0, count: padded - rows)
    }

    /// A bound on |approximate − sgemm distance| for a query and a row of squared norms `qn`, `xn`
    /// (roots `rq`, `rx`): products of bf16-rounded values (relative error ≤ 2⁻⁷ + 2⁻¹⁶ each) summed
    /// in float32, against float32 products summed in float32 (each sum within γ_d·Σ|qᵢxᵢ| of the
    /// true one, Σ|qᵢxᵢ| ≤ |q|·|x|), doubled in the distance, plus the rounding of both distances'
    /// two additions and of the bound's own arithmetic (docs/memory-banks.md derives it):
    /// `product`·rq·rx + 2⁻¹⁹·(qn + xn) + 10⁻²⁹.
    struct Bound {
        /// Coefficient of rq·rx, with 1% to spare for the rounding of the roots and the product.
        let product: Float
        /// Coefficient of qn + xn (≥ 2·rq·rx): the four roundings of two distances and the three of a
        /// bound's end take at most 15 float32 units (2⁻²⁴) of it; this is 32.
        static let norms: Float = 0x1p-19
        /// VDPBF16PS flushes denormal products (each under 2⁻¹²⁶) to zero.
        static let absolute: Float = 1e-29

        init(dimension d: Int) {
            let u = 0x1p-24 as Double, gamma = Double(d) * u / (1 - Double(d) * u)
            product = Float(1.01 * (0x1p-6 + 0x1p-15 + 4.2 * gamma))
        }

        /// The query's share of a lower end: (1 − 2⁻¹⁹)·qn − 10⁻²⁹.
        static func queryTerm(_ queryNorm: Float) -> Float { (1 - norms) * queryNorm - absolute }
        /// The row's share of a lower end: (1 − 2⁻¹⁹)·xn.
        static func rowTerm(_ rowNorm: Float) -> Float { (1 - norms) * rowNorm }
        /// `product`·rq, the coefficient of rx.
        func queryProduct(_ queryNorm: Float) -> Float { product * queryNorm.squareRoot() }

        /// The lower end of the interval holding the sgemm scan's distance, from the approximate `dot`
        /// (the C screen computes the same with one fused multiply-add; the slack covers both).
        @inline(__always)
        static func lower(dot: Float, queryTerm: Float, rowTerm: Float, queryProduct: Float, rowRoot: Float) -> Float {
            (queryTerm + rowTerm) - (2 * dot + queryProduct * rowRoot)
        }

        /// The upper end of the interval.
        @inline(__always)
        static func upper(dot: Float, queryNorm: Float, rowNorm: Float, queryProduct: Float, rowRoot: Float) -> Float {
            max(0, (queryNorm + (rowNorm - 2 * dot)) + (queryProduct * rowRoot + norms * (queryNorm + rowNorm) + absolute))
        }
    }
}

/// The order in which this machine's OpenBLAS sums one element of an sgemm product above its
/// small-matrix bound, as `pleinair_blocked_dot`'s parameters: a fused multiply-add chain per block
/// of `blockQ` values of the shared dimension (halves rounded to `unroll` near the end).
struct BlockedDotOrder: Equatable {
    let blockQ: Int
    let unroll: Int

    private static let lock = NSLock()
    nonisolated(unsafe) private static var found: [Int: BlockedDotOrder?] = [:]

    /// The order that gives sgemm's bits on every element of a test product of `dimension` (64 ×
    /// enough rows to pass the small-matrix bound, seeded values in [−1, 1]), or nil when no
    /// candidate does. Measured once per dimension per process.
    static func calibrated(dimension d: Int) -> BlockedDotOrder? {
        lock.lock()
        defer { lock.unlock() }
        if let known = found[d] { return known }
        let order = measure(dimension: d)
        found[d] = order
        return order
    }

    private static func measure(dimension d: Int) -> BlockedDotOrder? {
        let m = 64, n = max(64, ExactScan.smallProduct / (m * d) + 64)
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        let a = (0..<(m * d)).map { _ in next() }, b = (0..<(n * d)).map { _ in next() }
        var c = [Float](repeating: 0, count: m * n)
        BLASKernel.splittingCalls(1) { _ in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(d), 1, a, Int32(d), b, Int32(d), 0, &c, Int32(n))
        }
        // One chain first (every dimension under the kernel's block), then the blockings OpenBLAS's
        // x86-64 kernels use (GEMM_Q from 128 to 1,024, unrolled by 4 to 32).
        var candidates = [BlockedDotOrder(blockQ: d, unroll: 1)]
        for q in stride(from: 128, through: 1024, by: 16) where q < d {
            for unroll in [16, 8, 4, 32] { candidates.append(BlockedDotOrder(blockQ: q, unroll: unroll)) }
        }
        return a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                candidates.first { order in
                    for i in 0..<m {
                        for j in 0..<n where order.dot(ap.baseAddress! + i * d, bp.baseAddress! + j * d, count: d).bitPattern != c[i * n + j].bitPattern {
                            return false
                        }
                    }
                    return true
                }
            }
        }
    }

    @inline(__always)
    func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        pleinair_blocked_dot(x, y, count, blockQ, unroll)
    }
}
