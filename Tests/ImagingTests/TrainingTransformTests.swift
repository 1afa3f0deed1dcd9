import Basics
import XCTest
@testable import Imaging

final class TrainingTransformTests: XCTestCase {
    func testTrainingSamplesHaveTheCropSizeAndAreReproducible() {
        let transform = TrainingTransform(loadSize: 40, cropSize: 32)
        let image = DemoScenes.photo(seed: 3, size: 48)
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1)
        var distinct = Set<[UInt16]>()
        for _ in 0..<8 {
            let sample = transform.training(image, using: &a)
            XCTAssertEqual([sample.width, sample.height, sample.channels], [32, 32, 3])
            XCTAssertEqual(sample, transform.training(image, using: &b))
            distinct.insert(sample.samples)
        }
        XCTAssertGreaterThan(distinct.count, 1, "crops and flips should vary")
    }

    func testFlipCanBeTurnedOff() {
        // With load == crop there is one crop position, so without flips every sample is identical.
        let transform = TrainingTransform(loadSize: 16, cropSize: 16, flip: false)
        let image = DemoScenes.photo(seed: 4, size: 16)
        var rng = SeededGenerator(seed: 2)
        for _ in 0..<6 { XCTAssertEqual(transform.training(image, using: &rng), image) }
    }

    func testEvaluationResizesGrayAlphaAnd16BitInputsToRGB8() {
        let transform = TrainingTransform(loadSize: 20, cropSize: 10)
        let gray16 = Image(width: 30, height: 30, channels: 2, depth: .sixteen, fill: 65535)
        let out = transform.evaluation(gray16)
        XCTAssertEqual([out.width, out.height, out.channels], [10, 10, 3])
        XCTAssertEqual(out.depth, .eight)
        XCTAssertTrue(out.samples.allSatisfy { $0 == 255 })
    }
}
