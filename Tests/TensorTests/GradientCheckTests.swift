import Basics
import Tensor
import XCTest

/// Each gradient rule against central finite differences.
final class GradientCheckTests: XCTestCase {
    var rng = SeededGenerator(seed: 7)

    func input(_ shape: [Int]) -> Tensor { Tensor.randomNormal(shape, generator: &rng, requiresGrad: true) }

    /// Values at least 0.1 from zero, for rules with a kink at 0.
    func awayFromZero(_ shape: [Int]) -> Tensor {
        let t = input(shape)
        for i in 0..<t.count { t.pointer[i] += t.pointer[i] >= 0 ? 0.1 : -0.1 }
        return t
    }

    /// Distinct values 0.05 apart in shuffled order, so no max-pool window has a near tie.
    func distinct(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        var values = (0..<n).map { Float($0) * 0.05 - Float(n) * 0.025 }
        values.shuffle(using: &rng)
        return Tensor(shape: shape, values: values, requiresGrad: true)
    }

    func positive(_ shape: [Int]) -> Tensor {
        let t = input(shape)
        for i in 0..<t.count { t.pointer[i] = abs(t.pointer[i]) + 0.5 }
        return t
    }

    func check(_ inputs: [Tensor], tolerance: Float = 1e-2, _ f: @escaping ([Tensor]) -> Tensor,
               file: StaticString = #filePath, line: UInt = #line) {
        let error = GradientCheck.maxError(inputs, epsilon: 1e-2, f)
        XCTAssertLessThan(error, tolerance, file: file, line: line)
    }

    func testBroadcastingArithmeticGradients() {
        check([input([2, 3, 4]), input([3, 1])]) { $0[0] + $0[1] }
        check([input([2, 3, 4]), input([4])]) { $0[0] - $0[1] }
        check([input([2, 3, 4]), input([1, 3, 1])]) { $0[0] * $0[1] }
        check([input([2, 3]), positive([3])]) { $0[0] / $0[1] }
        check([input([2, 3])]) { ($0[0] * 3 + 1 - 2) / 4 }
    }

    func testUnaryGradients() {
        check([input([3, 4])]) { $0[0].exp() }
        check([positive([3, 4])]) { $0[0].log() }
        check([positive([3, 4])]) { $0[0].sqrt() }
        check([positive([3, 4])]) { $0[0].pow(2.5) }
        check([awayFromZero([3, 4])]) { $0[0].abs() }
        check([input([3, 4])]) { $0[0].tanh() }
        check([input([3, 4])]) { $0[0].sigmoid() }
        check([awayFromZero([3, 4])]) { $0[0].relu() }
        check([awayFromZero([3, 4])]) { $0[0].leakyRelu(slope: 0.2) }
        check([input([3, 4])]) { $0[0].squared() }
    }

    func testReductionGradients() {
        check([input([2, 3, 4])]) { $0[0].sum(axes: [1]) }
        check([input([2, 3, 4])]) { $0[0].mean(axes: [0, 2], keepDims: true) }
        check([input([2, 3, 4])]) { $0[0].sum() }
        check([input([2, 3, 4])]) { $0[0].mean(axes: [-1]) }
    }

    func testMaxMinAndSoftmaxGradients() {
        check([distinct([2, 5, 3])]) { $0[0].max(axis: 1) }
        check([distinct([3, 4])]) { $0[0].min(axis: -1, keepDims: true) }
        check([input([3, 6])]) { $0[0].softmax(axis: -1) }
        check([input([4, 3])]) { $0[0].logSoftmax(axis: 0) }
    }

    func testRowGatherGradientAddsRepeatedRows() {
        let x = input([5, 3])
        XCTAssertLessThan(GradientCheck.maxError([x]) { ($0[0].rows([4, 0, 4, 2]) * $0[0].rows([1, 1, 3, 0])).sum() }, 1e-3)
        XCTAssertEqual(x.rows([2]).scalars, Array(x.scalars[6..<9]))
    }

    func testMatmulAndTransposeGradients() {
        check([input([3, 4]), input([4, 5])]) { $0[0].matmul($0[1]) }
        check([input([3, 4])]) { $0[0].transposed() }
    }

    func testConv2dGradientsForStridePaddingAndDilation() {
        check([input([2, 3, 7, 6]), input([4, 3, 3, 3]), input([4])]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 2, padding: 1)
        }
        check([input([1, 2, 8, 7]), input([3, 2, 3, 3])]) { $0[0].conv2d(weight: $0[1], padding: 2, dilation: 2) }
        check([input([2, 4, 3, 5]), input([3, 4, 1, 1]), input([3])]) { $0[0].conv2d(weight: $0[1], bias: $0[2]) }
    }

    func testConv2dInputGradientThroughTheFlippedKernelPath() {
        // Stride 1 with fewer output than input channels takes the flipped-kernel route for dx.
        check([input([2, 3, 8, 7]), input([2, 3, 3, 3]), input([2])]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2], padding: 1, dilation: 2)
        }
        check([input([1, 4, 6, 6]), input([4, 4, 3, 3])]) { $0[0].conv2d(weight: $0[1]) }
        // A non-square kernel falls back to the direct kernels' scatter.
        check([input([1, 3, 6, 6]), input([2, 3, 3, 2])]) { $0[0].conv2d(weight: $0[1], padding: 1) }
    }

    func testConv2dGradientsThroughTheUnpaddedDirectKernels() {
        // ≤ 4 outputs, stride 1, no padding: register-blocked strips of 16 plus a scalar tail (width 19).
        check([input([1, 2, 6, 21]), input([3, 2, 3, 3]), input([3])]) { $0[0].conv2d(weight: $0[1], bias: $0[2]) }
        check([input([2, 3, 7, 22]), input([1, 3, 2, 3])]) { $0[0].conv2d(weight: $0[1], dilation: 2) }
    }

    func testConv2dGradientsThroughTheBandedSgemmPath() {
        // More output channels than the direct-kernel limit: im2col + sgemm, col2im for dx.
        XCTAssertGreaterThan(5, ConvGeometry.directOutputChannelLimit)
        check([input([2, 2, 6, 5]), input([5, 2, 3, 3]), input([5])]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 2, padding: 1)
        }
        check([input([1, 3, 7, 6]), input([6, 3, 3, 3])]) { $0[0].conv2d(weight: $0[1], padding: 2, dilation: 2) }
        // Stride 1 with Cout <= Cin: flipped-kernel dx over the banded path.
        check([input([1, 6, 5, 5]), input([5, 6, 3, 3])]) { $0[0].conv2d(weight: $0[1], padding: 1) }
    }

    func testConv2dGradientsThroughTheWinogradPath() {
        // 3×3 stride 1 with ≥ 8 inputs and ≥ 16 outputs runs forward by Winograd F(2×2, 3×3); odd
        // output sizes leave partial tiles at the bottom and right.
        XCTAssertTrue(WinogradConvolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1,
                                                inChannels: 8, outChannels: 16, outHeight: 5, outWidth: 4))
        check([input([1, 8, 5, 4]), input([16, 8, 3, 3]), input([16])]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2], padding: 1)
        }
        // Cout ≤ Cin: dx is itself a Winograd convolution (flipped kernel, padding 2).
        XCTAssertTrue(WinogradConvolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1,
                                                inChannels: 16, outChannels: 16, outHeight: 7, outWidth: 6))
        check([input([1, 16, 7, 6]), input([16, 16, 3, 3])]) { $0[0].conv2d(weight: $0[1]) }
    }

    func testTransposedConvGradients() {
        check([input([2, 4, 3, 4]), input([4, 3, 3, 3]), input([3])]) {
            $0[0].convTranspose2d(weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
        }
        check([input([1, 2, 3, 3]), input([2, 2, 4, 4])]) { $0[0].convTranspose2d(weight: $0[1], stride: 2, padding: 1) }
    }

    func testPaddingGradients() {
        check([input([1, 2, 5, 6])]) { $0[0].padded(left: 1, right: 2, top: 3, bottom: 1, mode: .reflect) }
        check([input([1, 2, 5, 6])]) { $0[0].padded(left: 2, right: 0, top: 1, bottom: 3, mode: .zero) }
    }

    func testNormalizationGradients() {
        check([input([2, 3, 5, 4])]) { $0[0].instanceNorm() }
        check([input([2, 3, 5, 4]), input([3]), input([3])]) { $0[0].instanceNorm(weight: $0[1], bias: $0[2]) }
        let mean = Tensor(shape: [3], values: [0.1, -0.2, 0.3]), variance = Tensor(shape: [3], values: [0.5, 1.5, 2])
        check([input([2, 3, 4, 4]), input([3]), input([3])]) {
            $0[0].batchNormInference(runningMean: mean, runningVar: variance, weight: $0[1], bias: $0[2])
        }
    }

    func testPoolingGradients() {
        check([distinct([2, 2, 7, 6])]) { $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1) }
        check([input([2, 2, 7, 6])]) { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1, countIncludePad: true) }
        check([input([2, 2, 7, 6])]) { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1, countIncludePad: false) }
        check([input([1, 2, 7, 5])]) { $0[0].adaptiveAvgPool2d(outHeight: 3, outWidth: 2) }
    }

    func testBilinearResizeGradients() {
        check([input([1, 2, 5, 7])]) { $0[0].resizedBilinear(height: 8, width: 11) }
        check([input([1, 2, 9, 7])]) { $0[0].resizedBilinear(height: 4, width: 3) }
    }

    func testShapeOpGradients() {
        check([input([2, 2, 3]), input([2, 1, 3])]) { Tensor.concat([$0[0], $0[1]], axis: 1) }
        check([input([2, 3, 6])]) { $0[0].slice(axis: 2, 1..<4) }
        check([input([4, 3])]) { $0[0].slice(axis: 0, 1..<3) }
        check([input([2, 3, 4])]) { $0[0].reshaped([6, -1]).tanh() }
    }

    func testCheckerDetectsAWrongRule() {
        // A deliberately wrong gradient (forward x², backward as if 3x) must be caught.
        let x = input([3])
        let error = GradientCheck.maxError([x]) { inputs in
            let a = inputs[0]
            return a.squared().detached().copy() + (a * 3 - (a * 3).detached())  // value x², slope 3
        }
        XCTAssertGreaterThan(error, 0.1)
    }
}
