import Basics
import TestSupport
import XCTest
@testable import Imaging

final class JPEGCodecTests: XCTestCase {
    /// A smooth test card with mild noise: what JPEG is meant for.
    private func card(width: Int, height: Int, channels: Int) -> Image {
        var rng = SeededGenerator(seed: 11)
        var image = Image(width: width, height: height, channels: channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let v = 128 + 80 * sin(Double(x) * 0.2 + Double(c)) * cos(Double(y) * 0.15) + Double(rng.normal()) * 3
                    image[x, y, c] = UInt16(min(max(v.rounded(), 0), 255))
                }
            }
        }
        return image
    }

    /// Stated tolerance: at quality 95 with 4:4:4 chroma, mean absolute error below 3 levels and
    /// no sample off by more than 16 on smooth content.
    func testRoundTripAtQuality95IsWithinTheStatedTolerance() throws {
        for channels in [1, 3] {
            let image = card(width: 40, height: 32, channels: channels)
            let decoded = try JPEGCodec.decode(JPEGCodec.encode(image, quality: 95))
            XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [40, 32, channels])
            let diffs = zip(image.samples, decoded.samples).map { abs(Int($0) - Int($1)) }
            let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
            XCTAssertLessThan(mean, 3, "\(channels) channels")
            XCTAssertLessThanOrEqual(diffs.max()!, 16, "\(channels) channels")
        }
    }

    func testLowerQualityGivesSmallerFiles() throws {
        let image = card(width: 64, height: 64, channels: 3)
        XCTAssertLessThan(try JPEGCodec.encode(image, quality: 30).count, try JPEGCodec.encode(image, quality: 95).count)
    }

    func testWriteAndReadByExtension() throws {
        let url = TemporaryFolder.url("card", extension: "jpeg")
        defer { try? FileManager.default.removeItem(at: url) }
        let image = card(width: 16, height: 16, channels: 3)
        try ImageCodec.write(image, to: url, quality: 90)
        let data = try Data(contentsOf: url)
        XCTAssertEqual(ImageFormat(sniffing: data), .jpeg)
        XCTAssertEqual(try ImageCodec.read(url).width, 16)
    }
}
