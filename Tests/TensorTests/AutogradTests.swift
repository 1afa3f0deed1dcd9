import Tensor
import XCTest

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateAcrossBackwardCalls() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [6, 6])
    }

    func testATensorUsedTwiceReceivesBothContributions() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        (x * x + x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3, 5])
    }

    func testNoGradModeRecordsNothing() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let y = GradMode.withoutGradient { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue((x * 2).requiresGrad)
    }

    func testDetachedTensorStopsGradient() {
        let x = Tensor(shape: [1], values: [2], requiresGrad: true)
        (x * x.detached()).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [2])
    }

    func testInputsWithoutRequiresGradGetNoGradient() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true), c = Tensor(shape: [2], values: [3, 4])
        (x * c).sum().backward()
        XCTAssertNil(c.grad)
        XCTAssertEqual(x.grad?.scalars, [3, 4])
    }

    func testBackwardWithSeedScalesGradients() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        x.exp().backward(Tensor(shape: [2], values: [1, 0]))
        XCTAssertEqual(x.grad!.scalars[0], Float(M_E), accuracy: 1e-5)
        XCTAssertEqual(x.grad!.scalars[1], 0)
    }
}

#if canImport(Glibc)
import Glibc
#endif
