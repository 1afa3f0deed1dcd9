import Basics
import CVectorMath
@testable import Tensor
import XCTest

/// Winograd F(m, r) along one axis against the convolution summed in double precision.
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
        for (axis, taps, outputs, height, width) in [(Winograd1DConvolution.Axis.width, 7, 2, 17, 17), (.height, 7, 2, 17, 17),
                                                     (.width, 7, 2, 5, 9), (.height, 7, 2, 9, 4), (.width, 3, 2, 8, 8),
                                                     (.height, 5, 2, 6, 3), (.width, 7, 2, 2, 1), (.width, 3, 4, 8, 8),
                                                     (.height, 3, 4, 8, 8), (.height, 3, 4, 7, 19), (.width, 3, 4, 5, 2),
                                                     (.height, 5, 3, 10, 3)] {
            let images = 2, cin = 9, cout = 16
            let x = (0..<(images * cin * height * width)).map { _ in rng.nextNormal() }
            let w = (0..<(cout * cin * taps)).map { _ in rng.nextNormal() * 0.3 }
            let conv = w.withUnsafeBufferPointer {
                Winograd1DConvolution(weight: $0.baseAddress!, outputChannels: cout, inputChannels: cin, taps: taps,
                                      outputs: outputs, axis: axis)
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
            let shape = "F(\(outputs), \(taps)) along the \(axis), \(height)×\(width)"
            XCTAssertFalse(y.contains { $0.isNaN }, "every output written (\(shape))")
            XCTAssertLessThan(worst / scale, 2e-6, shape)
        }
    }

    func testTheTransformsAreLavinsForFTwoThree() {
        // F(2, 3) from the points 0, ±1 and ∞: the classic matrices, up to the signs of Bᵀ's rows.
        let (aT, _, bT) = Winograd1DConvolution.transforms(outputs: 2, taps: 3)
        XCTAssertEqual(aT, [1, 1, 1, 0, 0, 1, -1, 1])
        XCTAssertEqual(bT.map(abs), [1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1])
    }

    func testOnlySameLengthSevenAndThreeTapKernelsTakeTheRoute() {
        func outputs(_ kh: Int, _ kw: Int, stride: (Int, Int) = (1, 1), _ ph: Int, _ pw: Int, channels: Int = 128) -> Int? {
            Winograd1DConvolution.outputs(kernelHeight: kh, kernelWidth: kw, strideHeight: stride.0, strideWidth: stride.1,
                                          padHeight: ph, padWidth: pw, inChannels: channels, outChannels: channels)
        }
        XCTAssertEqual(outputs(1, 7, 0, 3), 2)
        XCTAssertEqual(outputs(7, 1, 3, 0), 2)
        XCTAssertEqual(outputs(1, 3, 0, 1, channels: 384), 4)
        XCTAssertEqual(outputs(3, 1, 1, 0, channels: 384), 4)
        XCTAssertNil(outputs(1, 7, stride: (1, 2), 0, 3))
        XCTAssertNil(outputs(3, 3, 1, 1))
        XCTAssertNil(outputs(1, 5, 0, 2))
        XCTAssertNil(outputs(1, 3, 0, 0))
        XCTAssertNil(outputs(1, 3, 1, 1))
        XCTAssertNil(outputs(1, 7, 0, 3, channels: 4))
    }

    /// F(2, 7), F(4, 3) and F(2, 5) take kernels with the matrices compiled in (on AVX-512F); they must give the
    /// generic transforms' bits, zeros' signs included, on planes with every kind of edge tile.
    func testTheCompiledInKernelsGiveTheGenericTransformsBits() {
        var rng = SeededGenerator(seed: 5)
        for (outputs, taps, rows, columns) in [(2, 7, 17, 17), (2, 7, 8, 35), (2, 7, 3, 1), (4, 3, 8, 8), (4, 3, 13, 16),
                                               (4, 3, 2, 33), (2, 5, 35, 35), (2, 5, 35, 18), (3, 5, 9, 9)] {
            let (aT, _, bT) = Winograd1DConvolution.transforms(outputs: outputs, taps: taps)
            let alpha = outputs + taps - 1, padding = (taps - 1) / 2, tiles = (rows + outputs - 1) / outputs
            // Zeros of both signs and exact ties among the values, as after a ReLU.
            let plane = (0..<(rows * columns)).map { _ -> Float in
                let u = rng.nextNormal()
                return u < -0.5 ? 0 : u < -0.3 ? -0.0 : (u * 8).rounded() / 8
            }
            let stride = tiles * columns + 3
            var fast = [Float](repeating: .nan, count: alpha * stride), generic = fast
            for (v, function) in [(0, pleinair_line_input), (1, pleinair_line_input_generic)] {
                var out = [Float](repeating: .nan, count: alpha * stride)
                function(plane, Int32(rows), Int32(columns), bT, Int32(alpha), Int32(outputs), Int32(padding), Int32(tiles),
                         &out, stride)
                if v == 0 { fast = out } else { generic = out }
            }
            let shape = "F(\(outputs), \(taps)) on \(rows)×\(columns)"
            func firstDifference(_ a: [Float], _ b: [Float]) -> String {
                guard let i = a.indices.first(where: { a[$0].bitPattern != b[$0].bitPattern }) else { return "none" }
                return "at \(i): \(a[i]) against \(b[i])"
            }
            XCTAssertEqual(firstDifference(fast, generic), "none", "input transform, \(shape)")
            var planes = [[Float]]()
            for function in [pleinair_line_output, pleinair_line_output_generic] {
                var out = [Float](repeating: .nan, count: rows * columns)
                function(fast, stride, aT, Int32(alpha), Int32(outputs), Int32(tiles), Int32(rows), Int32(columns), &out)
                planes.append(out)
            }
            XCTAssertEqual(firstDifference(planes[0], planes[1]), "none", "output transform, \(shape)")
            XCTAssertFalse(planes[0].contains { $0.isNaN }, shape)
        }
    }
}
