import Basics
import Tensor
import XCTest

/// Winograd F(4×4, 3×3) against sums in double precision: partial tiles at the bottom and right,
/// padding 0–2, several bands, batches, the adjoint (the input gradient with the kernel read
/// flipped and transposed), and the route `conv2d` takes for the residual blocks.
final class Winograd4ConvolutionTests: XCTestCase {
    /// Worst |got − want| over the largest |want|: F(4×4)'s transforms scale by up to 8 and 1/24, so
    /// its error is relative to the outputs' magnitude rather than per element. Measured: 8.7e-6 on
    /// the 128-channel forward, 1.0e-5 and 1.1e-5 on conv2d's output and input gradient; the bound is 2e-5.
    private let bound = 2e-5
    private func relativeError(_ got: [Float], _ want: [Double]) -> Double {
        let worst = zip(got, want).map { abs(Double($0) - $1) }.max() ?? 0
        return worst / max(want.map { abs($0) }.max() ?? 1, 1e-30)
    }

    private func directSum(_ x: Tensor, _ k: Tensor, padding: Int, flipped: Bool = false) -> [Double] {
        let n = x.shape[0], cin = x.shape[1], h = x.shape[2], w = x.shape[3]
        let cout = flipped ? k.shape[1] : k.shape[0], oh = h + 2 * padding - 2, ow = w + 2 * padding - 2
        var out = [Double](repeating: 0, count: n * cout * oh * ow)
        for b in 0..<n { for o in 0..<cout { for i in 0..<oh { for j in 0..<ow {
            var sum = 0.0
            for c in 0..<cin { for a in 0..<3 { for e in 0..<3 {
                let y = i - padding + a, xx = j - padding + e
                guard y >= 0 && y < h && xx >= 0 && xx < w else { continue }
                let tap = flipped ? k.pointer[((c * cout + o) * 3 + 2 - a) * 3 + 2 - e] : k.pointer[((o * cin + c) * 3 + a) * 3 + e]
                sum += Double(x.pointer[((b * cin + c) * h + y) * w + xx]) * Double(tap)
            } } }
            out[((b * cout + o) * oh + i) * ow + j] = sum
        } } } }
        return out
    }

    func testForwardMatchesTheDirectSumWithPartialTilesPaddingAndBands() {
        for (batch, cin, cout, h, w, padding, budget) in [(2, 8, 16, 13, 10, 1, 1 << 20), (1, 12, 16, 9, 11, 0, 36 * 16 * 3),
                                                          (3, 16, 24, 8, 8, 2, 4096), (1, 128, 128, 34, 34, 0, 1 << 20)] {
            var rng = SeededGenerator(seed: UInt64(h * 31 + w + cin))
            let x = Tensor.randomNormal([batch, cin, h, w], generator: &rng)
            let k = Tensor.randomNormal([cout, cin, 3, 3], std: 0.2, generator: &rng)
            let conv = Winograd4Convolution(weight: k.pointer, outputChannels: cout, inputChannels: cin, padding: padding)
            let (oh, ow) = conv.outputSize(height: h, width: w)
            let y = Tensor(zeros: [batch, cout, oh, ow])
            conv.forward(x.pointer, channelStride: h * w, imageStride: cin * h * w, images: batch, height: h, width: w,
                         y.pointer, outChannelStride: oh * ow, outImageStride: cout * oh * ow, budget: budget)
            XCTAssertLessThan(relativeError(y.scalars, directSum(x, k, padding: padding)), bound,
                              "batch \(batch), \(cin)→\(cout), \(h)×\(w), padding \(padding)")
        }
    }

    func testAdjointIsTheConvolutionWithTheFlippedTransposedKernel() {
        for (cin, cout, h, w, padding) in [(16, 24, 11, 9, 0), (24, 16, 8, 13, 1)] {
            var rng = SeededGenerator(seed: UInt64(cin + h))
            // The forward convolution maps cin → cout; its adjoint maps cout-channel gradients to cin.
            let k = Tensor.randomNormal([cout, cin, 3, 3], std: 0.2, generator: &rng)
            let g = Tensor.randomNormal([2, cout, h, w], generator: &rng)
            let adjoint = Winograd4Convolution(weight: k.pointer, outputChannels: cin, inputChannels: cout,
                                               padding: 2 - padding, adjoint: true)
            let (oh, ow) = adjoint.outputSize(height: h, width: w)
            let dx = Tensor(zeros: [2, cin, oh, ow])
            adjoint.forward(g.pointer, channelStride: h * w, imageStride: cout * h * w, images: 2, height: h, width: w,
                            dx.pointer, outChannelStride: oh * ow, outImageStride: cin * oh * ow)
            XCTAssertLessThan(relativeError(dx.scalars, directSum(g, k, padding: 2 - padding, flipped: true)), bound,
                              "\(cout)→\(cin), \(h)×\(w), padding \(2 - padding)")
        }
    }

    func testConvolutionTakesTheRouteForwardAndBackward() {
        // A residual-block layer (128 channels, 16×16 out): conv2d's output and input gradient against
        // double-precision sums, and its weight gradient (F(2×2)) against one too.
        XCTAssertTrue(Winograd4Convolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1,
                                                 inChannels: 128, outChannels: 128, outHeight: 16, outWidth: 16))
        XCTAssertFalse(Winograd4Convolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1,
                                                  inChannels: 128, outChannels: 128, outHeight: 7, outWidth: 16))
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.randomNormal([1, 128, 18, 18], generator: &rng, requiresGrad: true)
        let k = Tensor.randomNormal([128, 128, 3, 3], std: 0.05, generator: &rng, requiresGrad: true)
        let y = x.conv2d(weight: k)
        XCTAssertLessThan(relativeError(y.scalars, directSum(x.detached(), k.detached(), padding: 0)), bound)
        let g = Tensor.randomNormal(y.shape, generator: &rng)
        (y * g).sum().backward()
        XCTAssertLessThan(relativeError(x.grad!.scalars, directSum(g, k.detached(), padding: 2, flipped: true)), bound)
        var dw = [Double](repeating: 0, count: 128 * 128 * 9)
        for o in 0..<128 { for c in 0..<128 { for a in 0..<3 { for e in 0..<3 {
            var sum = 0.0
            for i in 0..<16 { for j in 0..<16 {
                sum += Double(g.pointer[(o * 16 + i) * 16 + j]) * Double(x.pointer[(c * 18 + i + a) * 18 + j + e])
            } }
            dw[((o * 128 + c) * 3 + a) * 3 + e] = sum
        } } } }
        XCTAssertLessThan(relativeError(k.grad!.scalars, dw), bound)
    }

    func testWeightGradientMatchesTheDirectSumOnBatchesPartialTilesAndBands() {
        for (batch, cin, cout, h, w, padding, budget) in [(2, 8, 16, 13, 10, 1, 1 << 20), (1, 12, 16, 9, 11, 0, 36 * 16 * 3),
                                                          (3, 16, 24, 8, 8, 2, 4096), (1, 128, 128, 34, 34, 0, 1 << 20),
                                                          (1, 8, 16, 36, 36, 1, 1 << 20)] {
            var rng = SeededGenerator(seed: UInt64(h * 7 + w + cout))
            let x = Tensor.randomNormal([batch, cin, h, w], generator: &rng)
            let oh = h + 2 * padding - 2, ow = w + 2 * padding - 2
            let g = Tensor.randomNormal([batch, cout, oh, ow], generator: &rng)
            let start = Tensor.randomNormal([cout, cin, 3, 3], generator: &rng)
            let dw = start.copy()
            Winograd4Convolution.weightGradient(inputChannels: cin, outputChannels: cout, padding: padding, x.pointer,
                                                channelStride: h * w, imageStride: cin * h * w, images: batch, height: h,
                                                width: w, gradOutput: g.pointer, outChannelStride: oh * ow,
                                                outImageStride: cout * oh * ow, into: dw.pointer, budget: budget)
            var want = [Double](repeating: 0, count: cout * cin * 9)
            for o in 0..<cout { for c in 0..<cin { for a in 0..<3 { for e in 0..<3 {
                var sum = 0.0
                for b in 0..<batch { for i in 0..<oh { for j in 0..<ow {
                    let y = i - padding + a, xx = j - padding + e
                    guard y >= 0 && y < h && xx >= 0 && xx < w else { continue }
                    sum += Double(x.pointer[((b * cin + c) * h + y) * w + xx]) * Double(g.pointer[((b * cout + o) * oh + i) * ow + j])
                } } }
                want[((o * cin + c) * 3 + a) * 3 + e] = sum
            } } } }
            // The gradient is added to what was there.
            let got = zip(dw.scalars, start.scalars).map { $0 - $1 }
            XCTAssertLessThan(relativeError(got, want), bound, "batch \(batch), \(cin)→\(cout), \(h)×\(w), padding \(padding)")
        }
    }
}
