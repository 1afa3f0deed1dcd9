import Basics
import Tensor
import XCTest
import CycleGAN

/// junyanz's image pool: stores until full, then swaps in about half the time.
final class ImagePoolTests: XCTestCase {
    private func image(_ v: Float) -> Tensor { Tensor(shape: [1, 1, 1, 2], values: [v, v]) }

    func testUntilFullEveryImageIsReturnedAndKept() {
        let pool = ImagePool(capacity: 3)
        var rng = SeededGenerator(seed: 1)
        for v in [1, 2, 3] as [Float] { XCTAssertEqual(pool.query(image(v), generator: &rng).scalars, [v, v]) }
        XCTAssertEqual(pool.images.map { $0.scalars[0] }, [1, 2, 3])
    }

    func testWhenFullAboutHalfTheQueriesReturnAnOlderImage() {
        let pool = ImagePool(capacity: 4)
        var rng = SeededGenerator(seed: 2)
        for v in 0..<4 { _ = pool.query(image(Float(v)), generator: &rng) }
        var older = 0
        for v in 100..<1100 where pool.query(image(Float(v)), generator: &rng).scalars[0] != Float(v) { older += 1 }
        XCTAssertEqual(Double(older) / 1000, 0.5, accuracy: 0.06)
        XCTAssertEqual(pool.images.count, 4)
    }

    func testAZeroCapacityPoolPassesImagesThroughDetached() {
        let pool = ImagePool(capacity: 0)
        var rng = SeededGenerator(seed: 3)
        let x = Tensor(shape: [2, 1, 1, 1], values: [1, 2], requiresGrad: true)
        let y = pool.query(x * 2, generator: &rng)
        XCTAssertEqual(y.scalars, [2, 4])
        XCTAssertFalse(y.requiresGrad)
    }
}
