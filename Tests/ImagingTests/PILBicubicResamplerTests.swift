import Foundation
import XCTest
@testable import Imaging

/// PILBicubicResampler against Pillow's own BICUBIC resize, through the fixtures that
/// scripts/reference/pil_bicubic_reference.py writes (20 images, up, down, one axis, mixed).
final class PILBicubicResamplerTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let width, height: Int
        let to_width, to_height: Int
    }
    struct Manifest: Decodable { let pillow: String; let cases: [Case] }

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/pil_bicubic")

    static func cases() throws -> [Case] {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json"))).cases
    }

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: directory.appendingPathComponent(name))) }

    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian) } }
    }

    func testFixturesCoverTwentyImagesUpAndDown() throws {
        let cases = try Self.cases()
        XCTAssertEqual(cases.count, 20)
        XCTAssertTrue(cases.contains { $0.to_width < $0.width && $0.to_height < $0.height })
        XCTAssertTrue(cases.contains { $0.to_width > $0.width && $0.to_height > $0.height })
        XCTAssertTrue(cases.contains { $0.to_width == $0.width || $0.to_height == $0.height })
    }

    func testEightBitRGBMatchesPillowWithinOneLevel() throws {
        var worst = 0, differing = 0, total = 0
        for c in try Self.cases() {
            let source = Image(width: c.width, height: c.height, channels: 3, bytes: try Self.bytes(c.name + "_source.u8"))
            let expected = try Self.bytes(c.name + "_rgb.u8")
            let resampler = PILBicubicResampler(width: c.width, height: c.height, toWidth: c.to_width, toHeight: c.to_height)
            let ours = resampler.resample(source)
            XCTAssertEqual([ours.width, ours.height, ours.channels], [c.to_width, c.to_height, 3], c.name)
            XCTAssertEqual(ours.samples.count, expected.count, c.name)
            for (a, b) in zip(ours.samples, expected) {
                let d = abs(Int(a) - Int(b))
                worst = max(worst, d); differing += d > 0 ? 1 : 0; total += 1
            }
            // The same path through Image.resized (what training and translation call).
            XCTAssertEqual(source.resized(width: c.to_width, height: c.to_height, filter: .bicubic), ours, c.name)
        }
        XCTAssertLessThanOrEqual(worst, 1, "\(differing) of \(total) samples differ")
        // Pillow's fixed point is reproduced, not approximated: expect no difference at all.
        XCTAssertEqual(differing, 0, "samples differing from Pillow (worst \(worst))")
    }

    func testFloatPlanesMatchPillowModeFWithinAThousandth() throws {
        var worst: Float = 0
        for c in try Self.cases() {
            let planes = try Self.floats(c.name + "_planes.f32"), expected = try Self.floats(c.name + "_float.f32")
            let resampler = PILBicubicResampler(width: c.width, height: c.height, toWidth: c.to_width, toHeight: c.to_height)
            let inPlane = c.width * c.height, outPlane = c.to_width * c.to_height
            XCTAssertEqual(expected.count, 3 * outPlane, c.name)
            for channel in 0..<3 {
                let ours = resampler.resample(plane: Array(planes[(channel * inPlane)..<((channel + 1) * inPlane)]))
                for (a, b) in zip(ours, expected[(channel * outPlane)..<((channel + 1) * outPlane)]) { worst = max(worst, abs(a - b)) }
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-3)
        print("PIL mode F: largest difference \(worst)")
    }

    func testPlanesOfAnEightBitImageAreItsChannelsAsFloats() throws {
        let c = try Self.cases()[3]
        let source = Image(width: c.width, height: c.height, channels: 3, bytes: try Self.bytes(c.name + "_source.u8"))
        let resampler = PILBicubicResampler(width: c.width, height: c.height, toWidth: c.to_width, toHeight: c.to_height)
        let planes = resampler.resamplePlanes(source)
        let green = resampler.resample(plane: (0..<(c.width * c.height)).map { Float(source.samples[$0 * 3 + 1]) })
        let outPlane = c.to_width * c.to_height
        XCTAssertEqual(Array(planes[outPlane..<(2 * outPlane)]), green)
    }

    func testSameSizeIsTheIdentityAndConstantsStayConstant() {
        let plane: [Float] = (0..<35).map { Float($0 * 7 % 11) + 0.25 }
        XCTAssertEqual(PILBicubicResampler(width: 7, height: 5, toWidth: 7, toHeight: 5).resample(plane: plane), plane)
        let constant = PILBicubicResampler(width: 9, height: 4, toWidth: 23, toHeight: 3).resample(plane: [Float](repeating: 42.5, count: 36))
        for v in constant { XCTAssertEqual(v, 42.5, accuracy: 1e-4) }
    }
}
