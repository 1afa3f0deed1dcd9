import Basics
@testable import Tensor
import XCTest

/// Winograd F(m×m, r×r) from the one-axis transforms against the convolution summed in double precision.
final class Winograd2DConvolutionTests: XCTestCase {
    /// Direct cross-correlation in double, NCHW, "same" padding.
    private func reference(_ x: [Float], _ w: [Float], images: Int, cin: Int, cout: Int, height: Int, width: Int,
                           taps: Int) -> [Double] {
        let p = (taps - 1) / 2
        var out = [Double](repeating: 0, count: images * cout * height * width)
        for n in 0..<images { for o in 0..<cout { for y in 0..<height { for xx in 0..<width {
            var s = 0.0
            for c in 0..<cin { for ky in 0..<taps { for kx in 0..<taps {
                let iy = y + ky - p, ix = xx + kx - p
                guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
                s += Double(w[((o * cin + c) * taps + ky) * taps + kx]) * Double(x[((n * cin + c) * height + iy) * width + ix])
            } } }
            out[((n * cout + o) * height + y) * width + xx] = s
        } } } }
        return out
    }

    func testSquareWinogradMatchesTheConvolutionInDouble() {
        var rng = SeededGenerator(seed: 72)
        for (taps, outputs, height, width) in [(5, 2, 35, 35), (5, 2, 7, 9), (5, 2, 4, 3), (5, 2, 1, 1), (3, 2, 8, 8),
                                               (3, 4, 10, 6), (5, 3, 9, 11)] {
            let images = 3, cin = 9, cout = 16
            let x = (0..<(images * cin * height * width)).map { _ in rng.nextNormal() }
            let w = (0..<(cout * cin * taps * taps)).map { _ in rng.nextNormal() * 0.2 }
            let conv = w.withUnsafeBufferPointer {
                Winograd2DConvolution(weight: $0.baseAddress!, outputChannels: cout, inputChannels: cin, taps: taps, outputs: outputs)
            }
            var y = [Float](repeating: .nan, count: images * cout * height * width)
            x.withUnsafeBufferPointer { input in
                y.withUnsafeMutableBufferPointer { output in
                    // A small budget, so the images come in bands.
                    conv.forward(input.baseAddress!, channelStride: height * width, imageStride: cin * height * width,
                                 images: images, height: height, width: width, output.baseAddress!,
                                 outChannelStride: height * width, outImageStride: cout * height * width, budget: 8192)
                }
            }
            let truth = reference(x, w, images: images, cin: cin, cout: cout, height: height, width: width, taps: taps)
            let scale = truth.map(abs).max()!
            let worst = zip(y, truth).map { abs(Double($0) - $1) }.max()!
            let shape = "F(\(outputs)×\(outputs), \(taps)×\(taps)) on \(height)×\(width)"
            XCTAssertFalse(y.contains { $0.isNaN }, "every output written (\(shape))")
            // About 2.5e-6 of the largest output (F(2, 7) alone: 4e-7; im2col in float: about 1e-7).
            XCTAssertLessThan(worst / scale, 4e-6, shape)
        }
    }

    func testOnlyFiveByFiveSameKernelsTakeTheRoute() {
        func outputs(_ k: Int, stride: Int = 1, _ pad: Int, channels: Int = 48) -> Int? {
            Winograd2DConvolution.outputs(kernelHeight: k, kernelWidth: k, strideHeight: stride, strideWidth: stride,
                                          padHeight: pad, padWidth: pad, inChannels: channels, outChannels: 64)
        }
        XCTAssertEqual(outputs(5, 2), 2)
        XCTAssertNil(outputs(5, stride: 2, 2))
        XCTAssertNil(outputs(5, 0))
        XCTAssertNil(outputs(3, 1))
        XCTAssertNil(outputs(5, 2, channels: 3))
        XCTAssertNil(Winograd2DConvolution.outputs(kernelHeight: 5, kernelWidth: 3, strideHeight: 1, strideWidth: 1,
                                                   padHeight: 2, padWidth: 1, inChannels: 48, outChannels: 64))
    }
}
