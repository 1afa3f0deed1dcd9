import Basics
@testable import Tensor
import XCTest

/// Winograd F(2, r) along one axis against the convolution summed in double precision.
final class Winograd1DConvolutionTests: XCTestCase {
    /// Direct cross-correlation in double, NCHW, "same" padding along the kernel's axis.
    private func reference(_ x: [Float], _ w: [Float], images: Int, cin: Int, cout: Int, height: Int, width: Int,
                           taps: Int, axis: Winograd1DConvolution.Axis) -> [Double] {
        let p = (taps - 1) / 2
        var out = [Double](repeating: 0, count: images * cout * height * width)
        for n in 0..<images { for o in 0..<cout { for y in 0..<height { for xx in 0..<width {
            var s = 0.0
            for c in 0..<cin { for k in 0..<taps {
                let (iy, ix) = axis == .width ? (y, xx + k - p) : (y + k - p, xx)
                guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
                s += Double(w[(o * cin + c) * taps + k]) * Double(x[((n * cin + c) * height + iy) * width + ix])
            } }
            out[((n * cout + o) * height + y) * width + xx] = s
        } } } }
        return out
    }

    func testOneAxisWinogradMatchesTheConvolutionInDouble() {
        var rng = SeededGenerator(seed: 71)
        for (axis, taps, height, width) in [(Winograd1DConvolution.Axis.width, 7, 17, 17), (.height, 7, 17, 17),
                                            (.width, 7, 5, 9), (.height, 7, 9, 4), (.width, 3, 8, 8), (.height, 5, 6, 3),
                                            (.width, 7, 2, 1)] {
            let images = 2, cin = 9, cout = 16
            let x = (0..<(images * cin * height * width)).map { _ in rng.nextNormal() }
            let w = (0..<(cout * cin * taps)).map { _ in rng.nextNormal() * 0.3 }
            let conv = w.withUnsafeBufferPointer {
                Winograd1DConvolution(weight: $0.baseAddress!, outputChannels: cout, inputChannels: cin, taps: taps, axis: axis)
            }
            var y = [Float](repeating: .nan, count: images * cout * height * width)
            x.withUnsafeBufferPointer { input in
                y.withUnsafeMutableBufferPointer { output in
                    conv.forward(input.baseAddress!, channelStride: height * width, imageStride: cin * height * width,
                                 images: images, height: height, width: width, output.baseAddress!,
                                 outChannelStride: height * width, outImageStride: cout * height * width, budget: 4096)
                }
            }
            let truth = reference(x, w, images: images, cin: cin, cout: cout, height: height, width: width, taps: taps, axis: axis)
            let scale = truth.map(abs).max()!
            let worst = zip(y, truth).map { abs(Double($0) - $1) }.max()!
            XCTAssertFalse(y.contains { $0.isNaN }, "every output written (\(axis), \(taps), \(height)×\(width))")
            XCTAssertLessThan(worst / scale, 2e-6, "\(axis), \(taps) taps, \(height)×\(width)")
        }
    }

    func testTheTransformsAreLavinsForFTwoThree() {
        // F(2, 3) from the points 0, ±1 and ∞: the classic matrices, up to the signs of Bᵀ's rows.
        let (aT, _, bT) = Winograd1DConvolution.transforms(outputs: 2, taps: 3)
        XCTAssertEqual(aT, [1, 1, 1, 0, 0, 1, -1, 1])
        XCTAssertEqual(bT.map(abs), [1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1])
    }

    func testSuitsOnlySameLengthSevenTapKernels() {
        XCTAssertTrue(Winograd1DConvolution.suits(kernelHeight: 1, kernelWidth: 7, strideHeight: 1, strideWidth: 1,
                                                  padHeight: 0, padWidth: 3, inChannels: 128, outChannels: 128))
        XCTAssertTrue(Winograd1DConvolution.suits(kernelHeight: 7, kernelWidth: 1, strideHeight: 1, strideWidth: 1,
                                                  padHeight: 3, padWidth: 0, inChannels: 160, outChannels: 192))
        XCTAssertFalse(Winograd1DConvolution.suits(kernelHeight: 1, kernelWidth: 7, strideHeight: 1, strideWidth: 2,
                                                   padHeight: 0, padWidth: 3, inChannels: 128, outChannels: 128))
        XCTAssertFalse(Winograd1DConvolution.suits(kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1,
                                                   padHeight: 1, padWidth: 1, inChannels: 128, outChannels: 128))
    }
}
