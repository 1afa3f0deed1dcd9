import Basics
import XCTest
@testable import Imaging

final class ImageOperationsTests: XCTestCase {
    /// A 2-channel 8-bit image whose samples encode their own position: (x + 10 * y, c).
    private func numbered(width: Int, height: Int) -> Image {
        var image = Image(width: width, height: height, channels: 2)
        for y in 0..<height { for x in 0..<width { image[x, y, 0] = UInt16(x + 10 * y); image[x, y, 1] = 200 } }
        return image
    }

    func testCropTakesTheRequestedRegion() {
        let crop = numbered(width: 6, height: 5).cropped(x: 2, y: 1, width: 3, height: 2)
        XCTAssertEqual(crop.width, 3)
        XCTAssertEqual((0..<3).map { crop[$0, 0, 0] }, [12, 13, 14])
        XCTAssertEqual((0..<3).map { crop[$0, 1, 0] }, [22, 23, 24])
    }

    func testCenterCropIsCentred() {
        let crop = numbered(width: 7, height: 7).centerCropped(width: 3, height: 3)
        XCTAssertEqual(crop[1, 1, 0], 33)
    }

    func testRandomCropIsReproducibleForASeedAndStaysInside() {
        let image = numbered(width: 9, height: 8)
        var a = SeededGenerator(seed: 4), b = SeededGenerator(seed: 4)
        var seen = Set<UInt16>()
        for _ in 0..<50 {
            let crop = image.randomCropped(width: 4, height: 3, using: &a)
            XCTAssertEqual(crop, image.randomCropped(width: 4, height: 3, using: &b))
            XCTAssertEqual([crop.width, crop.height], [4, 3])
            seen.insert(crop[0, 0, 0])
        }
        XCTAssertGreaterThan(seen.count, 5, "positions should vary")
        XCTAssertTrue(seen.allSatisfy { $0 % 10 <= 5 && $0 / 10 <= 5 })
    }

    func testFlipMirrorsColumnsAndKeepsChannelsTogether() {
        let image = numbered(width: 4, height: 2)
        let flipped = image.flippedHorizontally()
        XCTAssertEqual((0..<4).map { flipped[$0, 1, 0] }, [13, 12, 11, 10])
        XCTAssertEqual(flipped[0, 0, 1], 200)
        XCTAssertEqual(flipped.flippedHorizontally(), image)
    }

    func testPlanarFloatsUseCHWLayoutAndTheMinusOneToOneRange() {
        var image = Image(width: 2, height: 1, channels: 3)
        image.samples = [0, 128, 255, 255, 0, 51]
        let planar = image.planarFloats()
        XCTAssertEqual(planar.count, 6)
        XCTAssertEqual(planar[0], -1)                    // R of pixel 0
        XCTAssertEqual(planar[1], 1)                     // R of pixel 1
        XCTAssertEqual(planar[2], 128 / 255 * 2 - 1, accuracy: 1e-6)  // G of pixel 0
        XCTAssertEqual(planar[5], 51 / 255 * 2 - 1, accuracy: 1e-6)   // B of pixel 1
    }

    func testPlanarFloatsCanFillASlotOfABatch() {
        let a = DemoScenes.photo(seed: 1, size: 8), b = DemoScenes.photo(seed: 2, size: 8)
        var batch = [Float](repeating: 9, count: 2 * 3 * 64 + 1)
        batch.withUnsafeMutableBufferPointer { buffer in
            a.writePlanarFloats(into: UnsafeMutableBufferPointer(rebasing: buffer[0..<192]))
            b.writePlanarFloats(into: UnsafeMutableBufferPointer(rebasing: buffer[192...]))
        }
        XCTAssertEqual(Array(batch[0..<192]), a.planarFloats())
        XCTAssertEqual(Array(batch[192..<384]), b.planarFloats())
        XCTAssertEqual(batch[384], 9, "nothing written past the image")
    }

    func testPlanarRoundTripIsExactAtBothDepths() {
        var rng = SeededGenerator(seed: 8)
        for depth in [BitDepth.eight, .sixteen] {
            let samples = (0..<(5 * 4 * 3)).map { _ in UInt16(rng.below(depth.maxValue + 1)) }
            let image = Image(width: 5, height: 4, channels: 3, depth: depth, samples: samples)
            XCTAssertEqual(Image(planarFloats: image.planarFloats(), width: 5, height: 4, channels: 3, depth: depth), image)
        }
    }

    func testFromPlanarClampsRoundsAndMapsNaNToBlack() {
        let tiny: Float = 1 / 255 - 1, tie: Float = 1.6 / 255 * 2 - 1
        let values: [Float] = [-3, 3, .nan, 0, tiny, tie, .infinity, -.infinity]
        let image = Image(planarFloats: values, width: 8, height: 1, channels: 1)
        // 0 maps to exactly 127.5, rounded away from zero: 128; 1.6/255*2-1 maps to 1.6: 2.
        XCTAssertEqual(image.samples, [0, 255, 0, 128, 0, 2, 255, 0])
    }

    func testConversionsBetweenDepthsAndLayouts() {
        let image = Image(width: 1, height: 1, channels: 4, bytes: [10, 20, 30, 40])
        XCTAssertEqual(image.convertedTo16Bit().samples, [2570, 5140, 7710, 10280])
        XCTAssertEqual(image.convertedTo16Bit().convertedTo8Bit(), image)
        XCTAssertEqual(image.removingAlpha().samples, [10, 20, 30])
        let luma: Double = 0.299 * 10 + 0.587 * 20 + 0.114 * 30
        XCTAssertEqual(image.toGray().samples, [UInt16(luma.rounded())])
        XCTAssertEqual(Image(width: 1, height: 1, channels: 2, bytes: [7, 9]).toRGB().samples, [7, 7, 7])
    }

    func testResizeKeepsConstantImagesConstant() {
        let image = Image(width: 13, height: 9, channels: 3, fill: 77)
        for filter in ResizeFilter.allCases {
            for (w, h) in [(5, 4), (30, 20), (13, 3)] {
                let resized = image.resized(width: w, height: h, filter: filter)
                XCTAssertTrue(resized.samples.allSatisfy { $0 == 77 }, "\(filter) \(w)x\(h)")
            }
        }
    }

    func testAreaDownscaleByTwoAveragesBlocks() {
        let image = Image(width: 4, height: 2, channels: 1, bytes: [0, 10, 20, 40, 2, 12, 20, 40])
        XCTAssertEqual(image.resized(width: 2, height: 1, filter: .area).samples, [6, 30])
    }

    func testPlainBilinearAliasesWhereAntialiasedBilinearDoesNot() {
        // One bright column in every four, shrunk 4x: plain bilinear reads only the two pixels
        // around each output centre (both dark) and misses the lines; the widened triangle sees them.
        var image = Image(width: 16, height: 1, channels: 1)
        for x in 0..<16 { image[x, 0, 0] = x % 4 == 0 ? 255 : 0 }
        XCTAssertEqual(image.resized(width: 4, height: 1, filter: .bilinearNoAntialias).samples, [0, 0, 0, 0])
        let smooth = image.resized(width: 4, height: 1, filter: .bilinear)
        XCTAssertTrue(smooth.samples.dropFirst().allSatisfy { (40...90).contains($0) }, "\(smooth.samples)")
    }

    func testShorterSideResizeKeepsAspect() {
        let image = Image(width: 40, height: 20, channels: 3)
        let resized = image.resized(shorterSide: 10)
        XCTAssertEqual([resized.width, resized.height], [20, 10])
    }
}
