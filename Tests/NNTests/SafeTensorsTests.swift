import Foundation
import NN
import Tensor
import TestSupport
import XCTest

final class SafeTensorsTests: XCTestCase {
    func testWriteThenReadRoundTripsShapesAndBits() throws {
        let url = TemporaryFolder.url("pleinair", extension: "safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let a = Tensor(shape: [2, 3], values: [1, -2, 3.5, .infinity, 0, 1e-30]), b = Tensor(shape: [1], values: [7])
        try SafeTensors.write(["model.0.weight": a, "b": b], to: url, metadata: ["format": "pt"])
        let back = try SafeTensors.read(contentsOf: url)
        XCTAssertEqual(back["model.0.weight"]?.shape, [2, 3])
        XCTAssertEqual(back["model.0.weight"]?.scalars.map(\.bitPattern), a.scalars.map(\.bitPattern))
        XCTAssertEqual(back["b"]?.scalars, [7])
    }

    func testEncodingIsReproducibleAndDataAligned() throws {
        let t = ["z": Tensor(shape: [3], values: [1, 2, 3]), "a": Tensor(shape: [1], values: [4])]
        let once = try SafeTensors.encode(t), twice = try SafeTensors.encode(t)
        XCTAssertEqual(once, twice)
        let headerLength = once.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0)
    }

    func testReadsHalfPrecisionWrittenByNumPy() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "half", withExtension: "safetensors", subdirectory: "Fixtures"))
        let h = try XCTUnwrap(SafeTensors.read(contentsOf: url)["h"])
        XCTAssertEqual(h.shape, [2, 3])
        XCTAssertEqual(h.scalars, [0.5, -2, 65504, 6.1035156e-05, 5.9604645e-08, 0])
    }

    func testTruncatedFileReportsItsPath() {
        XCTAssertThrowsError(try SafeTensors.decode(Data([1, 0, 0]), path: "weights.safetensors")) {
            XCTAssertTrue("\($0)".contains("weights.safetensors"))
        }
        var bad = Data([16, 0, 0, 0, 0, 0, 0, 0])
        bad.append(contentsOf: Array("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}".utf8))
        XCTAssertThrowsError(try SafeTensors.decode(bad, path: "w.st"))
    }
}
