import Basics
import Foundation
import TestSupport
import XCTest
@testable import Imaging

final class PNGCodecTests: XCTestCase {
    private func pattern(width: Int, height: Int, channels: Int, depth: BitDepth) -> Image {
        var rng = SeededGenerator(seed: UInt64(width * 31 + channels))
        let samples = (0..<(width * height * channels)).map { _ in UInt16(rng.below(depth.maxValue + 1)) }
        return Image(width: width, height: height, channels: channels, depth: depth, samples: samples)
    }

    func testEightBitImagesRoundTripExactlyInEveryChannelLayout() throws {
        for channels in 1...4 {
            let image = pattern(width: 13, height: 7, channels: channels, depth: .eight)
            let decoded = try PNGCodec.decode(PNGCodec.encode(image))
            XCTAssertEqual(decoded, image, "\(channels) channels")
        }
    }

    func testSixteenBitGrayAndRGBRoundTripExactly() throws {
        for channels in [1, 3] {
            let image = pattern(width: 9, height: 11, channels: channels, depth: .sixteen)
            let decoded = try PNGCodec.decode(PNGCodec.encode(image))
            XCTAssertEqual(decoded.depth, .sixteen)
            XCTAssertEqual(decoded, image, "\(channels) channels")
        }
    }

    func testSixteenBitAlphaRoundTripsExactlyWhereOpaque() throws {
        for channels in [2, 4] {
            var image = pattern(width: 8, height: 8, channels: channels, depth: .sixteen)
            for p in 0..<64 { image.samples[p * channels + channels - 1] = 65535 }
            XCTAssertEqual(try PNGCodec.decode(PNGCodec.encode(image)), image, "\(channels) channels")
        }
    }

    func testSixteenBitTranslucentColourSurvivesWithinPremultiplicationError() throws {
        var image = pattern(width: 8, height: 8, channels: 4, depth: .sixteen)
        for p in 0..<64 { image.samples[p * 4 + 3] = 40000 }
        let decoded = try PNGCodec.decode(PNGCodec.encode(image))
        for (a, b) in zip(image.samples, decoded.samples) {
            XCTAssertLessThanOrEqual(abs(Int(a) - Int(b)), 2)
        }
    }

    func testFastEncodingDecodesToTheSamePixels() throws {
        let image = pattern(width: 20, height: 10, channels: 3, depth: .eight)
        XCTAssertEqual(try PNGCodec.decode(PNGCodec.encode(image, fast: true)), image)
    }

    func testSixteenBitFilesAreWrittenWithoutColourTags() throws {
        let data = try PNGCodec.encode(pattern(width: 4, height: 4, channels: 3, depth: .sixteen))
        for tag in ["gAMA", "cHRM", "sRGB", "iCCP"] {
            XCTAssertNil(data.range(of: Data(tag.utf8)), tag)
        }
    }

    func testChunkRemovalLeavesDamagedStreamsAlone() {
        let damaged = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 99, 0x67, 0x41, 0x4D, 0x41])
        XCTAssertEqual(PNGChunks.removing(PNGChunks.colourChunks, from: damaged), damaged)
    }

    func testEncodedBytesAreDeterministic() throws {
        let image = pattern(width: 16, height: 16, channels: 3, depth: .eight)
        XCTAssertEqual(try PNGCodec.encode(image), try PNGCodec.encode(image))
    }

    func testFileRoundTripThroughImageCodec() throws {
        let url = TemporaryFolder.url("rt", extension: "png")
        defer { try? FileManager.default.removeItem(at: url) }
        let image = pattern(width: 5, height: 3, channels: 3, depth: .eight)
        try ImageCodec.write(image, to: url)
        XCTAssertEqual(try ImageCodec.read(url), image)
    }
}
