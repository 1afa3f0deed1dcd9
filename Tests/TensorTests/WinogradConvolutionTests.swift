import Basics
import Tensor
import XCTest

/// Winograd F(2×2, 3×3) against a plain six-loop convolution, on the layouts both callers use
/// (NCHW tensors and channel-major batches), with partial tiles, uneven padding and several bands.
final class WinogradConvolutionTests: XCTestCase {
    func testMatchesDirectSumsOnChannelMajorBatchesWithUnevenPadding() {
        // Channel-major [C, N, H, W] in and out, as FIDInception's FeatureMap; padding 0 rows, 1 column;
        // a tiny budget so the tile rows split into several bands, some crossing image boundaries.
        for (batch, cin, cout, h, w, ph, pw, budget) in [(3, 8, 16, 9, 8, 0, 1, 4096), (2, 10, 24, 6, 11, 2, 1, 1 << 20),
                                                          (1, 12, 16, 5, 5, 1, 1, 16 * 16 * 3)] {
            var rng = SeededGenerator(seed: UInt64(h * 100 + w))
            let x = Tensor.randomNormal([cin, batch, h, w], generator: &rng)
            let k = Tensor.randomNormal([cout, cin, 3, 3], std: 0.3, generator: &rng)
            let oh = h + 2 * ph - 2, ow = w + 2 * pw - 2
            let winograd = WinogradConvolution(weight: k.pointer, outputChannels: cout, inputChannels: cin,
                                               padHeight: ph, padWidth: pw)
            XCTAssertTrue(winograd.outputSize(height: h, width: w) == (oh, ow))
            let y = Tensor(zeros: [cout, batch, oh, ow])
            winograd.forward(x.pointer, channelStride: batch * h * w, imageStride: h * w, images: batch, height: h, width: w,
                             y.pointer, outChannelStride: batch * oh * ow, outImageStride: oh * ow, budget: budget)
            var worst: Float = 0
            for o in 0..<cout { for n in 0..<batch { for i in 0..<oh { for j in 0..<ow {
                var sum: Float = 0
                for c in 0..<cin { for a in 0..<3 { for b in 0..<3 {
                    let yy = i - ph + a, xx = j - pw + b
                    guard yy >= 0 && yy < h && xx >= 0 && xx < w else { continue }
                    sum += x.pointer[((c * batch + n) * h + yy) * w + xx] * k.pointer[((o * cin + c) * 3 + a) * 3 + b]
                } } }
                worst = max(worst, abs(sum - y.pointer[((o * batch + n) * oh + i) * ow + j]))
            } } } }
            XCTAssertLessThan(worst, 2e-5, "batch \(batch), \(cin)→\(cout), \(h)×\(w), padding \(ph),\(pw)")
        }
    }

    func testNCHWConvolutionTakesTheRouteAndAgreesWithThePerChannelSum() {
        // The per-input-channel convolutions have one input channel, below the Winograd threshold,
        // so they run through im2col: the two routes must agree.
        var rng = SeededGenerator(seed: 9)
        let x = Tensor.randomNormal([2, 8, 13, 10], generator: &rng)
        let w = Tensor.randomNormal([16, 8, 3, 3], std: 0.2, generator: &rng)
        XCTAssertTrue(WinogradConvolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1,
                                                inChannels: 8, outChannels: 16, outHeight: 13, outWidth: 10))
        XCTAssertFalse(WinogradConvolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1,
                                                 inChannels: 1, outChannels: 16, outHeight: 13, outWidth: 10))
        let full = x.conv2d(weight: w, padding: 1)
        var summed = x.slice(axis: 1, 0..<1).conv2d(weight: w.slice(axis: 1, 0..<1), padding: 1)
        for c in 1..<8 { summed = summed + x.slice(axis: 1, c..<(c + 1)).conv2d(weight: w.slice(axis: 1, c..<(c + 1)), padding: 1) }
        let worst = zip(full.scalars, summed.scalars).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 2e-5)
    }

    func testWeightGradientMatchesTheDirectSumOnBatchesPartialTilesAndBands() {
        // Odd output sizes (partial tiles at the bottom and right), uneven padding, several bands, and
        // a sum in double precision over every image and output position as the reference.
        for (batch, cin, cout, h, w, ph, pw, budget) in [(3, 8, 16, 9, 8, 0, 1, 4096), (2, 10, 24, 6, 11, 2, 1, 1 << 20),
                                                          (1, 12, 16, 5, 5, 1, 1, 16 * 16 * 3), (1, 128, 128, 34, 34, 0, 0, 1 << 20)] {
            var rng = SeededGenerator(seed: UInt64(h * 10 + w + cin))
            let x = Tensor.randomNormal([batch, cin, h, w], generator: &rng)
            let oh = h + 2 * ph - 2, ow = w + 2 * pw - 2
            let g = Tensor.randomNormal([batch, cout, oh, ow], generator: &rng)
            let start = Tensor.randomNormal([cout, cin, 3, 3], generator: &rng)
            let dw = start.copy()
            WinogradConvolution.weightGradient(inputChannels: cin, outputChannels: cout, padHeight: ph, padWidth: pw,
                                               x.pointer, channelStride: h * w, imageStride: cin * h * w, images: batch,
                                               height: h, width: w, gradOutput: g.pointer, outChannelStride: oh * ow,
                                               outImageStride: cout * oh * ow, into: dw.pointer, budget: budget)
            var worst = 0.0, largest = 0.0
            for o in 0..<cout { for c in 0..<cin { for a in 0..<3 { for b in 0..<3 {
                var sum = 0.0
                for n in 0..<batch { for i in 0..<oh { for j in 0..<ow {
                    let yy = i - ph + a, xx = j - pw + b
                    guard yy >= 0 && yy < h && xx >= 0 && xx < w else { continue }
                    sum += Double(x.pointer[((n * cin + c) * h + yy) * w + xx]) * Double(g.pointer[((n * cout + o) * oh + i) * ow + j])
                } } }
                let index = ((o * cin + c) * 3 + a) * 3 + b
                // The gradient is added to what was there.
                worst = max(worst, abs(Double(dw.pointer[index] - start.pointer[index]) - sum))
                largest = max(largest, abs(sum))
            } } } }
            XCTAssertLessThan(worst / largest, 2e-6, "batch \(batch), \(cin)→\(cout), \(h)×\(w), padding \(ph),\(pw)")
        }
    }

    func testConvolutionsWeightGradientTakesTheWinogradRouteAndAgreesWithIm2col() {
        // The same layer with 8 and with 7 input channels: the first takes Winograd's weight gradient,
        // the second im2col's; the 8-channel layer's gradient must equal the 7-channel one's on the shared channels
        // when the eighth channel's input is zero.
        var rng = SeededGenerator(seed: 12)
        let x7 = Tensor.randomNormal([2, 7, 11, 9], generator: &rng)
        let x8 = Tensor.concat([x7, Tensor(zeros: [2, 1, 11, 9])], axis: 1)
        let w8 = Tensor.randomNormal([16, 8, 3, 3], std: 0.2, generator: &rng, requiresGrad: true)
        let w7 = w8.slice(axis: 1, 0..<7).copy()
        w7.requiresGrad = true
        let target = Tensor.randomNormal([2, 16, 11, 9], generator: &rng)
        (x8.conv2d(weight: w8, padding: 1) * target).sum().backward()
        (x7.conv2d(weight: w7, padding: 1) * target).sum().backward()
        let g8 = w8.grad!.slice(axis: 1, 0..<7).copy().scalars, g7 = w7.grad!.scalars
        let worst = zip(g8, g7).map { abs($0 - $1) }.max() ?? 0, largest = g7.map { abs($0) }.max() ?? 1
        XCTAssertLessThan(worst / largest, 1e-5)
    }

    func testInputGradientFromTheAdjointEqualsTheFlippedKernelsConvolution() {
        // Padding 0 and 1 (adjoint padding 2 and 1), odd sizes, two images: the input gradient a Winograd
        // layer gets from its forward's transform against the convolution with the flipped, transposed kernel.
        for (padding, h, w) in [(0, 7, 10), (1, 6, 12)] {  // outputs under 8 rows: F(2×2), not F(4×4)
            var rng = SeededGenerator(seed: UInt64(40 + padding))
            let x = Tensor.randomNormal([2, 16, h, w], generator: &rng, requiresGrad: true)
            let k = Tensor.randomNormal([16, 16, 3, 3], std: 0.2, generator: &rng)
            let y = x.conv2d(weight: k, padding: padding)
            let g = Tensor.randomNormal(y.shape, generator: &rng)
            (y * g).sum().backward()
            let flipped = Tensor(zeros: [16, 16, 3, 3])
            for o in 0..<16 { for c in 0..<16 { for t in 0..<9 {
                flipped.pointer[(c * 16 + o) * 9 + t] = k.pointer[(o * 16 + c) * 9 + 8 - t]
            } } }
            // The same product through im2col: one input channel at a time, below Winograd's threshold.
            var expected = g.slice(axis: 1, 0..<1).conv2d(weight: flipped.slice(axis: 1, 0..<1), padding: 2 - padding)
            for o in 1..<16 {
                expected = expected + g.slice(axis: 1, o..<(o + 1)).conv2d(weight: flipped.slice(axis: 1, o..<(o + 1)), padding: 2 - padding)
            }
            let got = x.grad!.scalars, want = expected.scalars
            XCTAssertEqual(got.count, want.count)
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0, largest = want.map { abs($0) }.max() ?? 1
            XCTAssertLessThan(worst / largest, 2e-6, "padding \(padding)")
        }
    }
}
