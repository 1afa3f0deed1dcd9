import Foundation
import XCTest
@testable import Imaging

/// Checks decoding and resizing against Pillow, through the fixtures that
/// scripts/reference/imaging_reference.py writes.
final class PillowReferenceTests: XCTestCase {
    struct Manifest: Decodable {
        struct Decode: Decodable { let file, raw: String; let width, height, channels, depth: Int }
        struct Resize: Decodable { let source, filter, raw: String; let width, height, channels, depth: Int }
        struct Similarity: Decodable { let a, b: String; let ssim, psnr: Double }
        let decode: [Decode]
        let resize: [Resize]
        let ssim: [Similarity]
    }

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/reference")

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
    }

    static func expected(_ raw: String, width: Int, height: Int, channels: Int, depth: Int) throws -> Image {
        let data = try Data(contentsOf: directory.appendingPathComponent(raw))
        let samples: [UInt16]
        if depth == 16 {
            samples = stride(from: 0, to: data.count, by: 2).map { UInt16(data[$0]) | UInt16(data[$0 + 1]) << 8 }
        } else {
            samples = data.map { UInt16($0) }
        }
        return Image(width: width, height: height, channels: channels, depth: depth == 16 ? .sixteen : .eight, samples: samples)
    }

    /// The largest absolute sample difference; fails the test if the shapes differ.
    static func maxDifference(_ a: Image, _ b: Image, file: StaticString = #filePath, line: UInt = #line) -> Int {
        XCTAssertEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels], file: file, line: line)
        guard a.samples.count == b.samples.count else { return Int.max }
        return zip(a.samples, b.samples).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    func testManifestCoversEveryFormatTheIssueNames() throws {
        let files = Set(try Self.manifest().decode.map(\.file))
        for needed in ["rgb8.png", "gray8.png", "rgba8.png", "gray_alpha8.png", "palette.png",
                       "palette_transparent.png", "gray16.png", "rgb16.png", "photo_q90.jpg", "gray_q85.jpg"] {
            XCTAssertTrue(files.contains(needed), needed)
        }
    }

    func testDecodingMatchesPillow() throws {
        for case_ in try Self.manifest().decode {
            let decoded = try ImageCodec.read(Self.directory.appendingPathComponent(case_.file))
            let expected = try Self.expected(case_.raw, width: case_.width, height: case_.height,
                                             channels: case_.channels, depth: case_.depth)
            XCTAssertEqual(decoded.depth, expected.depth, case_.file)
            // PNG must be exact; JPEG decoders may legitimately differ by rounding, allow one level.
            let tolerance = case_.file.hasSuffix(".jpg") ? 1 : 0
            XCTAssertLessThanOrEqual(Self.maxDifference(decoded, expected), tolerance, case_.file)
        }
    }

    func testResizingMatchesPillowWithinOneLevel() throws {
        let manifest = try Self.manifest()
        XCTAssertGreaterThanOrEqual(manifest.resize.count, 16)
        for case_ in manifest.resize {
            let source = try ImageCodec.read(Self.directory.appendingPathComponent(case_.source))
            let filter = ResizeFilter(rawValue: case_.filter)!
            let resized = source.resized(width: case_.width, height: case_.height, filter: filter)
            let expected = try Self.expected(case_.raw, width: case_.width, height: case_.height,
                                             channels: case_.channels, depth: case_.depth)
            XCTAssertLessThanOrEqual(Self.maxDifference(resized, expected), 1, case_.raw)
        }
    }
}
