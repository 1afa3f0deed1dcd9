import Basics
import NN
import Tensor
import XCTest

final class ModuleTests: XCTestCase {
    var rng = SeededGenerator(seed: 3)

    func testSequentialNamesParametersLikePyTorch() {
        let net = Sequential([
            Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, generator: &rng), ReLU(),
            BatchNorm2d(channels: 4), Conv2d(inChannels: 4, outChannels: 2, kernelSize: 1, bias: false, generator: &rng),
        ])
        XCTAssertEqual(net.namedParameters().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight"])
        XCTAssertEqual(net.namedBuffers().map(\.name), ["2.running_mean", "2.running_var"])
    }

    func testLoadStateDictCopiesValuesAndRejectsMismatches() throws {
        let a = Conv2d(inChannels: 2, outChannels: 2, kernelSize: 3, generator: &rng)
        let b = Conv2d(inChannels: 2, outChannels: 2, kernelSize: 3, generator: &rng)
        try b.loadStateDict(a.stateDict())
        XCTAssertEqual(b.weight.scalars, a.weight.scalars)
        XCTAssertThrowsError(try b.loadStateDict(["weight": a.weight])) {
            XCTAssertEqual($0 as? StateDictError, .missingKey("bias"))
        }
        var extra = a.stateDict()
        extra["other"] = a.bias!
        XCTAssertThrowsError(try b.loadStateDict(extra)) { XCTAssertEqual($0 as? StateDictError, .unexpectedKey("other")) }
        extra["weight"] = Tensor(zeros: [2, 2, 1, 1])
        XCTAssertThrowsError(try b.loadStateDict(extra, strict: false)) {
            XCTAssertEqual($0 as? StateDictError, .shapeMismatch(key: "weight", expected: [2, 2, 3, 3], found: [2, 2, 1, 1]))
        }
    }

    func testSetTrainingReachesEveryDescendant() {
        let bn = BatchNorm2d(channels: 2)
        let net = Sequential([Sequential([bn])])
        net.setTraining(false)
        XCTAssertFalse(bn.isTraining)
    }

    func testBatchNormTrainingUpdatesRunningStatisticsLikePyTorch() {
        let bn = BatchNorm2d(channels: 1)
        let x = Tensor(shape: [2, 1, 1, 2], values: [1, 2, 3, 6])
        let y = bn(x)
        // mean 3, biased var 3.5, unbiased 14/3: running = 0.9·init + 0.1·batch.
        XCTAssertEqual(bn.runningMean.item, 0.3, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVar.item, 0.9 + 0.1 * 14 / 3, accuracy: 1e-6)
        XCTAssertEqual(y.scalars[0], -2 / (3.5 + 1e-5).squareRoot(), accuracy: 1e-5)
    }

    func testBatchNormEvaluationUsesRunningStatistics() {
        let bn = BatchNorm2d(channels: 1)
        bn.runningMean.assign(Tensor(scalar: 1)); bn.runningVar.assign(Tensor(scalar: 4))
        bn.setTraining(false)
        XCTAssertEqual(bn(Tensor(shape: [1, 1, 1, 1], values: [5])).item, 4 / (4 + 1e-5).squareRoot(), accuracy: 1e-5)
    }

    func testLayerGradientsMatchFiniteDifferences() {
        let linear = Linear(inFeatures: 4, outFeatures: 3, generator: &rng)
        let x = Tensor.randomNormal([2, 4], generator: &rng, requiresGrad: true)
        XCTAssertLessThan(GradientCheck.maxError([x, linear.weight, linear.bias!]) { _ in linear(x) }, 1e-2)
        let bn = BatchNorm2d(channels: 2)
        let y = Tensor.randomNormal([2, 2, 3, 3], generator: &rng, requiresGrad: true)
        XCTAssertLessThan(GradientCheck.maxError([y, bn.weight, bn.bias]) { _ in bn(y) }, 1e-2)
        let a = Tensor.randomNormal([2, 3], generator: &rng, requiresGrad: true)
        let b = Tensor.randomNormal([2, 3], generator: &rng, requiresGrad: true)
        XCTAssertLessThan(GradientCheck.maxError([a, b]) { mseLoss($0[0], $0[1]) }, 1e-2)
        XCTAssertLessThan(GradientCheck.maxError([a, b]) { l1Loss($0[0], $0[1]) }, 1e-2)
    }
}
