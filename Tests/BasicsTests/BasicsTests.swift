import Basics
import Foundation
import Glibc
import TestSupport
import XCTest

final class BasicsTests: XCTestCase {
    func testErrnoMessageIsTheCLibrarysText() {
        XCTAssertEqual(errnoMessage(ENOENT), "No such file or directory")
    }

    func testWeightsFolderHonoursTheEnvironmentThenHome() {
        XCTAssertEqual(WeightsFolder.url(environment: ["PLEINAIR_WEIGHTS": "/w", "HOME": "/h"]).path, "/w")
        XCTAssertEqual(WeightsFolder.url(environment: ["PLEINAIR_WEIGHTS": "", "HOME": "/h"]).path, "/h/.cache/pleinair/weights")
    }

    func testSeededGeneratorRepeatsItsSequenceForTheSameSeed() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let x = (0..<8).map { _ in a.next() }, y = (0..<8).map { _ in b.next() }, z = (0..<8).map { _ in c.next() }
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x, z)
    }

    func testSHA256OfAFileMatchesTheKnownDigest() throws {
        let url = TemporaryFolder.url("sha", extension: "txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("abc".utf8).write(to: url)
        XCTAssertEqual(try SHA256Digest.hex(file: url.path),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
