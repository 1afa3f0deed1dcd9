import Foundation
import NN
import Tensor
import XCTest

/// Every primitive against PyTorch 1.13 values from scripts/reference/engine_reference.py:
/// forward output and the gradient of each input for a fixed upstream gradient.
final class GoldenOpTests: XCTestCase {
    static let cases: [String: ([Tensor]) -> Tensor] = [
        "add_broadcast": { $0[0] + $0[1] },
        "sub": { $0[0] - $0[1] },
        "mul_broadcast": { $0[0] * $0[1] },
        "div_broadcast": { $0[0] / $0[1] },
        "exp": { $0[0].exp() },
        "log": { $0[0].log() },
        "sqrt": { $0[0].sqrt() },
        "pow": { $0[0].pow(2.5) },
        "abs": { $0[0].abs() },
        "tanh": { $0[0].tanh() },
        "sigmoid": { $0[0].sigmoid() },
        "relu": { $0[0].relu() },
        "leaky_relu": { $0[0].leakyRelu(slope: 0.2) },
        "sum_axis1": { $0[0].sum(axes: [1]) },
        "mean_axes02_keep": { $0[0].mean(axes: [0, 2], keepDims: true) },
        "sum_all": { $0[0].sum() },
        "matmul": { $0[0].matmul($0[1]) },
        "conv2d_s2_p1_bias": { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 2, padding: 1) },
        "conv2d_dilation2_p2": { $0[0].conv2d(weight: $0[1], padding: 2, dilation: 2) },
        "conv2d_pointwise": { $0[0].conv2d(weight: $0[1], bias: $0[2]) },
        "conv2d_k4_s2_p1": { $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 2, padding: 1) },
        "conv2d_direct_unpadded": { $0[0].conv2d(weight: $0[1], bias: $0[2]) },
        "conv2d_winograd_p1": { $0[0].conv2d(weight: $0[1], bias: $0[2], padding: 1) },
        "conv2d_winograd_valid": { $0[0].conv2d(weight: $0[1]) },
        "conv_transpose2d_s2_op1": {
            $0[0].convTranspose2d(weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
        },
        "reflection_pad": { $0[0].padded(left: 1, right: 2, top: 3, bottom: 1, mode: .reflect) },
        "zero_pad": { $0[0].padded(left: 2, right: 1, top: 0, bottom: 3, mode: .zero) },
        "instance_norm": { $0[0].instanceNorm() },
        "instance_norm_affine": { $0[0].instanceNorm(weight: $0[1], bias: $0[2]) },
        "batch_norm_eval": {
            $0[0].batchNormInference(runningMean: Tensor(shape: [3], values: [0.1, -0.2, 0.3]),
                                     runningVar: Tensor(shape: [3], values: [0.5, 1.5, 2.0]),
                                     weight: $0[1], bias: $0[2])
        },
        "max_pool": { $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1) },
        "avg_pool_include_pad": { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1, countIncludePad: true) },
        "avg_pool_exclude_pad": { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1, countIncludePad: false) },
        "adaptive_avg_pool": { $0[0].adaptiveAvgPool2d(outHeight: 3, outWidth: 2) },
        "bilinear_up": { $0[0].resizedBilinear(height: 8, width: 11) },
        "bilinear_down": { $0[0].resizedBilinear(height: 4, width: 3) },
        "concat_axis1": { Tensor.concat([$0[0], $0[1]], axis: 1) },
        "slice_axis2": { $0[0].slice(axis: 2, 1..<4) },
        "max_axis1": { $0[0].max(axis: 1) },
        "min_axis_last_keep": { $0[0].min(axis: -1, keepDims: true) },
        "softmax": { $0[0].softmax(axis: -1) },
        "log_softmax_axis0": { $0[0].logSoftmax(axis: 0) },
        "mse_loss": { mseLoss($0[0], $0[1]) },
        "l1_loss": { l1Loss($0[0], $0[1]) },
    ]

    func testEveryReferenceOpMatchesPyTorchForwardAndBackward() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "ops", withExtension: "safetensors", subdirectory: "Fixtures"))
        let fixtures = try SafeTensors.read(contentsOf: url)
        let names = Set(fixtures.keys.compactMap { $0.hasSuffix(".out") ? String($0.dropLast(4)) : nil })
        XCTAssertEqual(names, Set(Self.cases.keys), "reference script and test table list different ops")
        for name in names.sorted() {
            guard let op = Self.cases[name] else { continue }
            var inputs: [Tensor] = []
            while let x = fixtures["\(name).in\(inputs.count)"] {
                inputs.append(Tensor(shape: x.shape, values: x.scalars, requiresGrad: true))
            }
            let y = op(inputs)
            let expected = try XCTUnwrap(fixtures["\(name).out"])
            XCTAssertEqual(y.count, expected.count, "\(name) output size")
            XCTAssertLessThan(GradientCheck.relativeError(y, expected), 1e-4, "\(name) forward")
            y.backward(try XCTUnwrap(fixtures["\(name).gout"]))
            for (i, x) in inputs.enumerated() {
                let g = try XCTUnwrap(x.grad, "\(name) input \(i) got no gradient")
                XCTAssertLessThan(GradientCheck.relativeError(g, try XCTUnwrap(fixtures["\(name).grad\(i)"])), 1e-4, "\(name) grad \(i)")
            }
        }
    }
}
