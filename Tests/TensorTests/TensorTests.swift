import Basics
import Tensor
import XCTest

final class TensorTests: XCTestCase {
    func testStridesAreRowMajor() {
        XCTAssertEqual(Tensor(zeros: [2, 3, 4, 5]).strides, [60, 20, 5, 1])
    }

    func testReshapeSharesStorage() {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let v = t.reshaped([3, -1])
        XCTAssertEqual(v.shape, [3, 2])
        t.pointer[0] = 9
        XCTAssertEqual(v.scalars[0], 9)
    }

    func testSliceAlongFirstAxisIsAViewAndInnerAxisACopy() {
        let t = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let rows = t.slice(axis: 0, 1..<3)
        XCTAssertEqual(rows.scalars, [3, 4, 5, 6])
        XCTAssertTrue(rows.storage === t.storage)
        XCTAssertEqual(t.slice(axis: 1, 1..<2).scalars, [2, 4, 6])
    }

    func testConcatJoinsAlongTheGivenAxis() {
        let a = Tensor(shape: [2, 1], values: [1, 2]), b = Tensor(shape: [2, 2], values: [3, 4, 5, 6])
        XCTAssertEqual(Tensor.concat([a, b], axis: 1).scalars, [1, 3, 4, 2, 5, 6])
        XCTAssertEqual(Tensor.concat([b, b], axis: 0).shape, [4, 2])
    }

    func testBroadcastShapeFollowsNumPy() {
        XCTAssertEqual(Tensor.broadcastShape([2, 3, 4], [3, 1]), [2, 3, 4])
        XCTAssertEqual(Tensor.broadcastShape([1], [5, 2]), [5, 2])
        XCTAssertNil(Tensor.broadcastShape([2, 3], [4]))
    }

    func testBroadcastAddUsesStretchedAxes() {
        let a = Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5]), b = Tensor(shape: [2, 1], values: [10, 20])
        XCTAssertEqual((a + b).scalars, [10, 11, 12, 23, 24, 25])
    }

    func testSameSeedGivesBitIdenticalSamples() {
        var g1 = SeededGenerator(seed: 42), g2 = SeededGenerator(seed: 42), g3 = SeededGenerator(seed: 43)
        let a = Tensor.randomNormal([100], generator: &g1), b = Tensor.randomNormal([100], generator: &g2)
        XCTAssertEqual(a.scalars.map(\.bitPattern), b.scalars.map(\.bitPattern))
        XCTAssertNotEqual(a.scalars, Tensor.randomNormal([100], generator: &g3).scalars)
    }

    func testNormalSamplesHaveTheRequestedMoments() {
        var g = SeededGenerator(seed: 1)
        let t = Tensor.randomNormal([20000], mean: 2, std: 0.5, generator: &g)
        let mean = t.scalars.reduce(0, +) / Float(t.count)
        let variance = t.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(t.count)
        XCTAssertEqual(mean, 2, accuracy: 0.02)
        XCTAssertEqual(variance.squareRoot(), 0.5, accuracy: 0.02)
    }

    func testUniformSamplesStayInRange() {
        var g = SeededGenerator(seed: 1)
        let t = Tensor.randomUniform([5000], low: -0.3, high: 0.7, generator: &g)
        XCTAssertTrue(t.scalars.allSatisfy { $0 >= -0.3 && $0 < 0.7 })
        XCTAssertGreaterThan(t.scalars.max()!, 0.65)
        XCTAssertLessThan(t.scalars.min()!, -0.25)
    }

    func testMatmulMatchesHandComputedProduct() {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4]), b = Tensor(shape: [2, 1], values: [5, 6])
        XCTAssertEqual(a.matmul(b).scalars, [17, 39])
    }

    func testConvOutputShapeFollowsPyTorchFormula() {
        let x = Tensor(zeros: [1, 3, 32, 32])
        XCTAssertEqual(x.conv2d(weight: Tensor(zeros: [8, 3, 4, 4]), stride: 2, padding: 1).shape, [1, 8, 16, 16])
        XCTAssertEqual(x.convTranspose2d(weight: Tensor(zeros: [3, 5, 3, 3]), stride: 2, padding: 1,
                                         outputPadding: 1).shape, [1, 5, 64, 64])
    }

    func testIm2colThenCol2imCountsWindowCoverage() {
        // col2im(im2col(ones)) = how many windows cover each pixel: a check of the adjoint pair.
        let geo = ConvGeometry(channels: 1, height: 3, width: 3, kernelHeight: 2, kernelWidth: 2)
        let img = Tensor(shape: [9], repeating: 1), col = Tensor(zeros: [geo.columnRows * geo.columnCount])
        geo.im2col(img.pointer, col.pointer)
        let back = Tensor(zeros: [9])
        geo.col2im(col.pointer, back.pointer)
        XCTAssertEqual(back.scalars, [1, 2, 1, 2, 4, 2, 1, 2, 1])
    }
}
