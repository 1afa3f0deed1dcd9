import Basics
import Tensor
@testable import Pretrained
import XCTest

/// The channel-major pools FIDInception uses agree with the engine's NCHW pooling ops (themselves
/// checked against PyTorch) on sizes where windows are clipped on every side.
final class FeatureMapPoolingTests: XCTestCase {
    func testMaxAndAveragePoolsMatchTheTensorOps() {
        var rng = SeededGenerator(seed: 21)
        for (h, w) in [(7, 6), (8, 8), (1, 5), (2, 1), (17, 17)] {
            let x = Tensor.randomNormal([2, 3, h, w], generator: &rng)
            let map = FeatureMap(nchw: x)
            func nchw(_ m: FeatureMap) -> [Float] {
                var out = [Float](repeating: 0, count: m.channels * m.batch * m.plane)
                for n in 0..<m.batch { for c in 0..<m.channels { for i in 0..<m.plane {
                    out[(n * m.channels + c) * m.plane + i] = m.pointer[(c * m.batch + n) * m.plane + i]
                } } }
                return out
            }
            func assertClose(_ a: [Float], _ b: Tensor, _ what: String) {
                XCTAssertEqual(a.count, b.count, what)
                let worst = zip(a, b.scalars).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-6, "\(what) at \(h)×\(w)")
            }
            // A maximum is exact in any order: the max pools agree bit for bit.
            func assertSame(_ a: [Float], _ b: Tensor, _ what: String) {
                XCTAssertEqual(a.map(\.bitPattern), b.scalars.map(\.bitPattern), "\(what) at \(h)×\(w)")
            }
            assertClose(nchw(map.averagePool3x3ExcludingPadding()),
                        x.avgPool2d(kernel: 3, stride: 1, padding: 1, countIncludePad: false), "average pool")
            assertSame(nchw(map.maxPool(kernel: 3, stride: 1, padding: 1)), x.maxPool2d(kernel: 3, stride: 1, padding: 1),
                        "max pool, stride 1, padding 1")
            if h >= 3 && w >= 3 {
                assertSame(nchw(map.maxPool(kernel: 3, stride: 2, padding: 0)), x.maxPool2d(kernel: 3, stride: 2, padding: 0),
                            "max pool, stride 2")
            }
        }
    }
}
