#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS
import CVectorMath
import Tensor

/// The contextual loss (Mechrez et al. 2018) between generated patches and a set of real patches,
/// as the authors compute it (aimagelab/art2real `affinities` + `compute_contextual`, METHOD.md):
///
/// subtract the bank's mean patch from both sides, L2-normalise, d = 1 − cosine, d̃ = d / (row min + ε),
/// CX = softmax over the row of (1 − d̃) / h, loss = −log(mean over generated patches of the row max).
///
/// The real patches are constants; the gradient flows to the generated patches through a hand-written
/// rule (checked against finite differences and PyTorch autograd in the tests). Rows are processed in
/// blocks and recomputed in the backward pass, so memory stays O(block × real patches). A block's rows
/// are split over the threads; CVectorMath's row kernels compute each row as a serial loop would (the
/// same bits at any thread count, vectorised or not: docs/training.md).
public enum ContextualLoss {
    /// ε added to each row's minimum distance (the authors' `epsilon`).
    public static let epsilon: Float = 1e-5
    /// Floor under vector norms, as `F.normalize` (eps 1e-12).
    static let normFloor: Float = 1e-12
    static let block = 256

    /// The loss of `generated` [M, D] (may require grad) against `real` [U, D] with the bank's `mean` [D].
    public static func loss(generated: Tensor, real: Tensor, mean: Tensor, bandwidth h: Float = 1) -> Tensor {
        precondition(generated.rank == 2 && real.rank == 2 && generated.shape[1] == real.shape[1] && mean.count == real.shape[1],
                     "contextual loss of \(generated.shape) against \(real.shape) with mean \(mean.shape)")
        precondition(generated.shape[0] > 0 && real.shape[0] > 0, "contextual loss needs patches on both sides")
        let m = generated.shape[0], u = real.shape[0], d = real.shape[1]
        let (xn, norms) = GradMode.withoutGradient { normalizedRows(generated, mean) }
        let ynT = GradMode.withoutGradient { normalizedRows(real, mean).0.transposed() }
        // Per generated patch: argmin of d, r = min d + ε, the softmax denominator and the row max q
        // (CVectorMath's row kernels, the bits of plain serial loops). The denominators are kept for
        // the backward pass, which would sum the same values in the same order.
        let vectorised: Int32 = VectorExp.isVectorised ? 1 : 0
        let state = RowState(count: m)
        GradMode.withoutGradient {
            forEachBlock(xn, ynT) { start, rows, cosines in
                // Rows are independent: split over the threads.
                Parallel.forEachRange(rows, work: 4 * u) { range in
                    let i = start + range.lowerBound
                    pleinair_contextual_forward(cosines + range.lowerBound * u, range.count, u, h, epsilon, vectorised,
                                                state.best + i, state.r + i, state.q + i, state.sums + i)
                }
            }
        }
        var total: Float = 0
        for i in 0..<m { total += state.q[i] }
        let value = -logf(total / Float(m))
        return Tensor.customOp(Tensor(scalar: value), inputs: [generated]) { g in
            // dL/da_ij = −(upstream / Σq) · q_i · (δ_j,best − CX_ij): each row's factor before the bracket.
            let upstream = g.item
            for i in 0..<m { state.scales[i] = -upstream / total * state.q[i] }
            let gradXn = Tensor(zeros: [m, d])
            let yn = ynT.transposed()
            forEachBlock(xn, ynT) { start, rows, cosines in
                // Each row's cosines become its gradient g_C in place.
                Parallel.forEachRange(rows, work: 4 * u) { range in
                    let i = start + range.lowerBound
                    pleinair_contextual_backward(cosines + range.lowerBound * u, range.count, u, h, state.best + i,
                                                 state.r + i, state.sums + i, state.scales + i, vectorised)
                }
                // gradXn's rows = g_C · ŷ, written in place.
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(u), 1,
                            cosines, Int32(u), yn.pointer, Int32(d), 0, gradXn.pointer + start * d, Int32(d))
            }
            // Through x̂ = x / ‖x‖: g_x = (g_x̂ − x̂ (g_x̂ · x̂)) / ‖x‖.
            let gradX = Tensor(zeros: [m, d])
            Parallel.forEachRange(m, work: 3 * d) { range in
                for i in range {
                    let a = gradXn.pointer + i * d, xr = xn.pointer + i * d, o = gradX.pointer + i * d
                    var dot: Float = 0
                    for k in 0..<d { dot += a[k] * xr[k] }
                    let inv = 1 / norms[i]
                    for k in 0..<d { o[k] = (a[k] - xr[k] * dot) * inv }
                }
            }
            return [gradX]
        }
    }

    /// The dense affinity CX [M, U] (softmax over each row), for tests and inspection.
    public static func affinity(generated: Tensor, real: Tensor, mean: Tensor, bandwidth h: Float = 1) -> Tensor {
        GradMode.withoutGradient {
            let dist = distances(generated: generated, real: real, mean: mean)
            let m = dist.shape[0], u = dist.shape[1]
            let out = Tensor(zeros: [m, u])
            for i in 0..<m {
                let row = dist.pointer + i * u, o = out.pointer + i * u
                var lowest = row[0]
                for j in 1..<u { lowest = min(lowest, row[j]) }
                var sum: Float = 0
                for j in 0..<u { o[j] = expf((1 - row[j] / (lowest + epsilon)) / h); sum += o[j] }
                for j in 0..<u { o[j] /= sum }
            }
            return out
        }
    }

    /// Cosine distances 1 − x̂·ŷ [M, U] after subtracting the mean patch.
    public static func distances(generated: Tensor, real: Tensor, mean: Tensor) -> Tensor {
        GradMode.withoutGradient {
            let c = normalizedRows(generated, mean).0.matmul(normalizedRows(real, mean).0.transposed())
            return c.map { 1 - $0 }
        }
    }

    /// Rows minus `mean`, divided by their norms (floored like `F.normalize`), and those norms.
    static func normalizedRows(_ x: Tensor, _ mean: Tensor) -> (Tensor, [Float]) {
        let n = x.shape[0], d = x.shape[1]
        let out = Tensor(zeros: [n, d])
        var norms = [Float](repeating: 0, count: n)
        let mp = mean.pointer
        for i in 0..<n {
            let src = x.pointer + i * d, o = out.pointer + i * d
            var ss: Float = 0
            for k in 0..<d { let v = src[k] - mp[k]; o[k] = v; ss += v * v }
            let norm = max(ss.squareRoot(), normFloor)
            norms[i] = norm
            let inv = 1 / norm
            for k in 0..<d { o[k] *= inv }
        }
        return (out, norms)
    }

    /// What the forward pass finds per generated patch and the backward pass reads: the argmin, r,
    /// q and the softmax denominator, and room for the backward's per-row factor.
    private final class RowState {
        let best: UnsafeMutablePointer<Int64>
        let r: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>
        let sums: UnsafeMutablePointer<Float>, scales: UnsafeMutablePointer<Float>

        init(count: Int) {
            func zeros<T: Numeric>(_: T.Type) -> UnsafeMutablePointer<T> {
                let p = UnsafeMutablePointer<T>.allocate(capacity: count)
                p.initialize(repeating: 0, count: count)
                return p
            }
            (best, r, q) = (zeros(Int64.self), zeros(Float.self), zeros(Float.self))
            (sums, scales) = (zeros(Float.self), zeros(Float.self))
        }

        deinit {
            for p in [r, q, sums, scales] { p.deallocate() }
            best.deallocate()
        }
    }

    /// Calls `body(firstRow, rows, cosines)` for blocks of rows of the cosine matrix x̂ŷᵀ [rows, U],
    /// one buffer for every block (the body may overwrite it; it turns each row into 1 − cosine).
    private static func forEachBlock(_ xn: Tensor, _ ynT: Tensor, _ body: (Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        let m = xn.shape[0], d = xn.shape[1], u = ynT.shape[1]
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: min(block, m) * u)
        defer { buffer.deallocate() }
        var start = 0
        while start < m {
            let rows = min(block, m - start)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(u), Int32(d), 1,
                        xn.pointer + start * d, Int32(d), ynT.pointer, Int32(u), 0, buffer, Int32(u))
            body(start, rows, buffer)
            start += rows
        }
    }
}
