import Basics
import Tensor
import XCTest

/// The AVX-512 direct kernels (ConvGeometry+DirectVector) give the bits of the Swift kernels they
/// replace, on the generator's RGB output layer and on awkward shapes: widths that are not whole
/// strips, one to four output channels, dilation, and infinities, NaNs and signed zeros.
final class DirectConvVectorTests: XCTestCase {
    private struct Case { let channels, height, width, kernel, dilation, outputs: Int }

    private let cases = [
        Case(channels: 32, height: 134, width: 134, kernel: 7, dilation: 1, outputs: 3),  // the generator's output conv
        Case(channels: 3, height: 20, width: 37, kernel: 3, dilation: 1, outputs: 1),
        Case(channels: 2, height: 9, width: 80, kernel: 5, dilation: 2, outputs: 2),
        Case(channels: 5, height: 11, width: 17, kernel: 9, dilation: 1, outputs: 4),
        Case(channels: 1, height: 4, width: 4, kernel: 1, dilation: 1, outputs: 3),
        Case(channels: 4, height: 30, width: 71, kernel: 4, dilation: 1, outputs: 3),
    ]

    private func bits(_ values: UnsafeBufferPointer<Float>) -> [UInt32] { values.map(\.bitPattern) }

    func testForwardAndWeightGradientHaveTheSwiftKernelsBits() {
        guard ConvGeometry.directKernelsVectorised else {
            print("DirectConvVectorTests: no AVX-512 here; the Swift kernels run, and the goldens check them")
            return
        }
        var rng = SeededGenerator(seed: 31)
        for (n, c) in cases.enumerated() {
            let geo = ConvGeometry(channels: c.channels, height: c.height, width: c.width, kernelHeight: c.kernel,
                                   kernelWidth: c.kernel, dilation: c.dilation)
            let image = Tensor.randomNormal([c.channels, c.height, c.width], generator: &rng)
            let weight = Tensor.randomNormal([c.outputs, geo.columnRows], std: 0.1, generator: &rng)
            let grad = Tensor.randomNormal([c.outputs, geo.outHeight, geo.outWidth], generator: &rng)
            if n == 1 {
                // Specials where the scalar order decides the answer: −0 sums, inf − inf, NaN.
                image.pointer[0] = .infinity; image.pointer[5] = -.infinity; image.pointer[9] = .nan
                image.pointer[40] = -0.0; weight.pointer[2] = -0.0; grad.pointer[3] = .nan; grad.pointer[7] = -0.0
            }
            let outputCount = c.outputs * geo.columnCount
            let vector = Tensor(zeros: [outputCount]), scalar = Tensor(zeros: [outputCount])
            geo.directForward(image.pointer, weight.pointer, outputChannels: c.outputs, vector.pointer, vectorised: true)
            geo.directForward(image.pointer, weight.pointer, outputChannels: c.outputs, scalar.pointer, vectorised: false)
            XCTAssertEqual(bits(.init(start: vector.pointer, count: outputCount)),
                           bits(.init(start: scalar.pointer, count: outputCount)), "forward, case \(n)")
            // Gradients accumulate: both start from the same nonzero values.
            let start = Tensor.randomNormal([c.outputs * geo.columnRows], generator: &rng)
            let vw = start.copy(), sw = start.copy()
            geo.directWeightGradient(image.pointer, grad.pointer, outputChannels: c.outputs, vw.pointer, vectorised: true)
            geo.directWeightGradient(image.pointer, grad.pointer, outputChannels: c.outputs, sw.pointer, vectorised: false)
            XCTAssertEqual(bits(.init(start: vw.pointer, count: vw.count)), bits(.init(start: sw.pointer, count: sw.count)),
                           "weight gradient, case \(n)")
        }
    }
}
