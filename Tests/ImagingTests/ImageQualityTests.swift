import Basics
import XCTest
@testable import Imaging

final class ImageQualityTests: XCTestCase {
    func testMatchesTheNumpyReferenceImplementation() throws {
        let manifest = try PillowReferenceTests.manifest()
        XCTAssertFalse(manifest.ssim.isEmpty)
        for case_ in manifest.ssim {
            let a = try ImageCodec.read(PillowReferenceTests.directory.appendingPathComponent(case_.a))
            let b = try ImageCodec.read(PillowReferenceTests.directory.appendingPathComponent(case_.b))
            XCTAssertEqual(try ImageQuality.ssim(a, b), case_.ssim, accuracy: 1e-9)
            XCTAssertEqual(try ImageQuality.psnr(a, b), case_.psnr, accuracy: 1e-9)
            XCTAssertLessThan(case_.ssim, 0.95, "the reference pair should be visibly different")
        }
    }

    func testIdenticalImagesScorePerfectly() throws {
        let image = DemoScenes.photo(seed: 2, size: 24)
        XCTAssertEqual(try ImageQuality.ssim(image, image), 1, accuracy: 1e-12)
        XCTAssertEqual(try ImageQuality.psnr(image, image), .infinity)
    }

    func testPSNROfAKnownError() throws {
        let a = Image(width: 4, height: 4, channels: 1, fill: 100)
        let b = Image(width: 4, height: 4, channels: 1, fill: 110)
        // MSE 100: 10 log10(255² / 100).
        XCTAssertEqual(try ImageQuality.psnr(a, b), 10 * log10(255.0 * 255.0 / 100), accuracy: 1e-12)
    }

    func testMoreNoiseLowersBothScores() throws {
        let clean = DemoScenes.photo(seed: 5, size: 32)
        func noisy(_ sigma: Float) -> Image {
            var rng = SeededGenerator(seed: 1)
            var out = clean
            out.samples = clean.samples.map { UInt16(min(max(Float($0) + sigma * rng.normal(), 0), 255).rounded()) }
            return out
        }
        let slight = noisy(3), heavy = noisy(25)
        XCTAssertGreaterThan(try ImageQuality.ssim(clean, slight), try ImageQuality.ssim(clean, heavy))
        XCTAssertGreaterThan(try ImageQuality.psnr(clean, slight), try ImageQuality.psnr(clean, heavy))
    }

    func testMismatchedOrTinyImagesAreErrors() {
        let a = Image(width: 12, height: 12, channels: 3), b = Image(width: 12, height: 13, channels: 3)
        XCTAssertThrowsError(try ImageQuality.psnr(a, b))
        XCTAssertThrowsError(try ImageQuality.ssim(a, a.convertedTo16Bit()))
        let tiny = Image(width: 8, height: 8, channels: 1)
        XCTAssertThrowsError(try ImageQuality.ssim(tiny, tiny)) { error in
            XCTAssertEqual(error as? ImageQualityError, .tooSmall(width: 8, height: 8))
        }
    }
}
