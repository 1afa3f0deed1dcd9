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

    func testGraphsDroppedWithoutBackwardAreFreed() {
        // A rule that captured its own output would keep output → node → rule → output alive forever.
        let x = Tensor(shape: [1, 1, 3, 3], values: [1, 2, 3, 4, 5, 6, 7, 8, 9], requiresGrad: true)
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("exp", { $0.exp() }), ("sqrt", { $0.sqrt() }), ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }),
            ("relu", { $0.relu() }), ("instanceNorm", { $0.instanceNorm() }), ("softmax", { $0.softmax() }),
            ("conv2d", { $0.conv2d(weight: Tensor(shape: [1, 1, 2, 2], repeating: 1)) }),
        ]
        for (name, op) in ops {
            weak var weakOutput: Tensor?
            do {
                let y = op(x)
                XCTAssertTrue(y.requiresGrad)
                weakOutput = y
            }
            XCTAssertNil(weakOutput, "\(name) output outlived its last reference")
        }
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
