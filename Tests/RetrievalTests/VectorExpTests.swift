import Basics
import CVectorMath
import Foundation
import Tensor
import XCTest
@testable import Retrieval

/// CVectorMath's expf gives `expf`'s bits, its contextual-loss row kernels give the bits of their scalar
/// form, and the loss keeps the bits of the Swift code it replaced, one `expf` call at a time
/// (`referenceLoss` below is that code).
final class VectorExpTests: XCTestCase {
    func testTheVectorCopyIsUsedWhereTheCPUHasAVX512() {
        if pleinair_expf_supported() != 0 {
            XCTAssertTrue(VectorExp.isVectorised, "the AVX-512 copy disagrees with this C library's expf: the loss runs as scalar C")
        } else {
            XCTAssertFalse(VectorExp.isVectorised)
            print("VectorExpTests: no AVX-512 here; VectorExp is expf one value at a time, checked against itself")
        }
    }

    func testEveryCountAndBothSlowPathsHaveExpfsBits() {
        var rng = SeededGenerator(seed: 30)
        // The loss's range, the edges of glibc's fast path (±88, −103.97, 88.72), specials, subnormals.
        var inputs: [Float] = (0..<5_000).map { _ in Float.random(in: -120...90, using: &rng) }
        inputs += [88, -88, 88.7, 88.72, 88.73, -103.27, -103.28, -103.9, -103.97, -103.98, -104, -1e30, 1e30,
                   .infinity, -.infinity, .nan, 0, -0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude,
                   87.99999, -87.99999, 0x1.62e42ep6, 0x1.62e430p6, -0x1.9fe368p6, -0x1.9fe36ap6]
        guard VectorExp.isVectorised else {
            print("VectorExpTests: no AVX-512 here; the kernels run as scalar C with expf, checked below against the loss's reference")
            return
        }
        for count in [0, 1, 15, 16, 17, 33, inputs.count] {
            let x = Array(inputs.suffix(count))
            var out = [Float](repeating: 7, count: count + 1)  // one past the end must stay untouched
            pleinair_expf(x, &out, count)
            for (i, v) in x.enumerated() {
                let expected = expf(v)
                XCTAssertTrue(expected.bitPattern == out[i].bitPattern || (expected.isNaN && out[i].isNaN),
                              "expf(\(v)) = \(expected), the vector copy gave \(out[i]) (count \(count))")
            }
            XCTAssertEqual(out[count], 7, "wrote past the end at count \(count)")
        }
        var inPlace = inputs
        inPlace.withUnsafeMutableBufferPointer { pleinair_expf($0.baseAddress!, $0.baseAddress!, $0.count) }
        XCTAssertEqual(zip(inputs, inPlace).filter { expf($0).bitPattern != $1.bitPattern && !$1.isNaN }.count, 0)
    }

    /// The row kernels' vector and scalar forms give the same bits, on rows with ties (±0 among them),
    /// NaNs first and later, infinities, and lengths around the 16-lane and 1,024-value chunk edges, in
    /// groups of rows that are and are not multiples of eight.
    func testRowKernelsVectorAndScalarFormsAgreeBitForBit() {
        guard VectorExp.isVectorised else {
            print("VectorExpTests: no AVX-512 here; only the scalar row kernels exist to run")
            return
        }
        var rng = SeededGenerator(seed: 32)
        for (rows, u, h) in [(1, 1, 1 as Float), (3, 17, 0.5), (8, 16, 1), (13, 1_025, 0.1), (9, 2_050, 0.02)] {
            var cosines = (0..<(rows * u)).map { _ in Float.random(in: -1...1, using: &rng) }
            if u > 8 {
                cosines[3] = 1; cosines[5] = 1  // two equal minima in row 0
                cosines[u + 2] = .nan  // a NaN inside row 1
                cosines[u + 4] = 1; cosines[u + 6] = 1  // two zero distances, +0 …
                if rows > 2 { cosines[2 * u] = .nan }  // … and a row whose first distance is NaN
                if rows > 3 { for j in 0..<u { cosines[3 * u + j] = -.infinity } }  // every distance +inf
            }
            func run(_ vectorised: Int32) -> ([Int64], [Float], [Float], [Float], [Float]) {
                var best = [Int64](repeating: -1, count: rows), r = [Float](repeating: 0, count: rows)
                var q = r, sums = r, c = cosines
                pleinair_contextual_forward(c, rows, u, h, 1e-5, vectorised, &best, &r, &q, &sums)
                let scales = q.map { -0.7 * $0 }
                pleinair_contextual_backward(&c, rows, u, h, best, r, sums, scales, vectorised)
                return (best, r, q, sums, c)
            }
            let (vector, scalar) = (run(1), run(0))
            XCTAssertEqual(vector.0, scalar.0, "argmin, \(rows)×\(u)")
            for (name, a, b) in [("r", vector.1, scalar.1), ("q", vector.2, scalar.2), ("sums", vector.3, scalar.3), ("g_C", vector.4, scalar.4)] {
                XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(name), \(rows)×\(u), h \(h)")
            }
            if u > 8 { XCTAssertEqual(vector.0[0], 3, "the first of two equal minima") }
        }
    }

    /// Value and gradient bits against the per-value `expf` code, at bandwidths that put many arguments
    /// below −88 (glibc's slow path) and with more real patches than one vector or block of rows.
    func testContextualLossKeepsTheBitsOfOneExpfAtATime() {
        var rng = SeededGenerator(seed: 31)
        for (m, u, d, h) in [(9, 37, 12, 1 as Float), (300, 53, 27, 0.5), (40, 211, 48, 0.02)] {
            let generated = Tensor.randomUniform([m, d], low: -1, high: 1, generator: &rng, requiresGrad: true)
            let real = Tensor.randomUniform([u, d], low: -1, high: 1, generator: &rng)
            let mean = Tensor.randomUniform([d], low: -0.2, high: 0.2, generator: &rng)
            let loss = ContextualLoss.loss(generated: generated, real: real, mean: mean, bandwidth: h)
            loss.backward()
            let (value, gradient) = Self.referenceLoss(generated, real, mean, h)
            XCTAssertEqual(loss.item.bitPattern, value.bitPattern, "value at \(m)×\(u), h \(h): \(loss.item) against \(value)")
            let differing = zip(generated.grad!.scalars, gradient).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertEqual(differing, 0, "gradient values with other bits at \(m)×\(u), h \(h)")
        }
    }

    /// The contextual loss and its gradient as `ContextualLoss` computed them before `VectorExp`:
    /// `expf` per value, the softmax denominator summed again in the backward pass.
    static func referenceLoss(_ generated: Tensor, _ real: Tensor, _ mean: Tensor, _ h: Float) -> (Float, [Float]) {
        GradMode.withoutGradient {
            let m = generated.shape[0], u = real.shape[0], d = real.shape[1], block = ContextualLoss.block
            let (xn, norms) = ContextualLoss.normalizedRows(generated, mean)
            let ynT = ContextualLoss.normalizedRows(real, mean).0.transposed()
            let yn = ynT.transposed()
            func blocks(_ body: (Int, Tensor) -> Void) {
                for start in stride(from: 0, to: m, by: block) {
                    let rows = min(block, m - start)
                    body(start, xn.slice(axis: 0, start..<(start + rows)).matmul(ynT).map { 1 - $0 })
                }
            }
            var argmin = [Int](repeating: 0, count: m), r = [Float](repeating: 0, count: m), q = [Float](repeating: 0, count: m)
            blocks { start, dist in
                for i in 0..<dist.shape[0] {
                    let row = dist.pointer + i * u
                    var best = 0
                    for j in 1..<u where row[j] < row[best] { best = j }
                    let ri = row[best] + ContextualLoss.epsilon
                    var sum: Float = 0
                    for j in 0..<u { sum += expf((1 - row[j] / ri) / h) }
                    argmin[start + i] = best
                    r[start + i] = ri
                    q[start + i] = expf((1 - row[best] / ri) / h) / sum
                }
            }
            let total = q.reduce(0, +)
            let value = -logf(total / Float(m))
            let upstream: Float = 1
            let gradXn = Tensor(zeros: [m, d])
            blocks { start, dist in
                let rows = dist.shape[0]
                let gC = Tensor(zeros: [rows, u])
                for i in 0..<rows {
                    let row = dist.pointer + i * u, out = gC.pointer + i * u
                    let gi = start + i, ri = r[gi], best = argmin[gi]
                    var sum: Float = 0
                    for j in 0..<u { out[j] = expf((1 - row[j] / ri) / h); sum += out[j] }
                    let scale = -upstream / total * q[gi]
                    var gradR: Float = 0
                    for j in 0..<u {
                        let ga = scale * ((j == best ? 1 : 0) - out[j] / sum)
                        gradR += ga * row[j] / (h * ri * ri)
                        out[j] = ga / (h * ri)
                    }
                    out[best] -= gradR
                }
                let part = gC.matmul(yn)
                (gradXn.pointer + start * d).update(from: part.pointer, count: rows * d)
            }
            var gradX = [Float](repeating: 0, count: m * d)
            for i in 0..<m {
                let a = gradXn.pointer + i * d, xr = xn.pointer + i * d
                var dot: Float = 0
                for k in 0..<d { dot += a[k] * xr[k] }
                let inv = 1 / norms[i]
                for k in 0..<d { gradX[i * d + k] = (a[k] - xr[k] * dot) * inv }
            }
            return (value, gradX)
        }
    }
}
