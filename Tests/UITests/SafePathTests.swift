import Foundation
import UI
import TestSupport
import XCTest

final class SafePathTests: XCTestCase {
    var base: URL!

    override func setUpWithError() throws {
        base = TemporaryFolder.url("pleinair-safepath")
        try FileManager.default.createDirectory(at: base.appendingPathComponent("root/fp/out"), withIntermediateDirectories: true)
        try Data("inside".utf8).write(to: base.appendingPathComponent("root/fp/out/a.png"))
        try Data("secret".utf8).write(to: base.appendingPathComponent("secret.txt"))
    }

    override func tearDown() { try? FileManager.default.removeItem(at: base) }

    var safe: SafePath { SafePath(root: base.appendingPathComponent("root")) }

    func testAFileInsideResolvesToItsRealPath() {
        XCTAssertEqual(safe.resolve(["fp", "out", "a.png"]), safe.root + "/fp/out/a.png")
    }

    func testDotDotDotAndEmptyComponentsAreRefused() {
        XCTAssertNil(safe.resolve(["..", "secret.txt"]))
        XCTAssertNil(safe.resolve(["fp", "..", "..", "secret.txt"]))
        XCTAssertNil(safe.resolve(["fp", ".", "out", "a.png"]))
        XCTAssertNil(safe.resolve(["fp", "", "out"]))
        XCTAssertNil(safe.resolve([]))
    }

    func testSlashesInsideAComponentAreRefused() {
        XCTAssertNil(safe.resolve(["fp/../../secret.txt"]), "an encoded %2F decodes into one component")
        XCTAssertNil(safe.resolve([base.appendingPathComponent("secret.txt").path]), "absolute")
        XCTAssertNil(safe.resolve(["fp\\..\\..\\secret.txt"]))
    }

    func testASymlinkPointingOutIsRefusedAndOneInsideIsFollowed() throws {
        try FileManager.default.createSymbolicLink(atPath: base.appendingPathComponent("root/fp/out/escape.png").path,
                                                   withDestinationPath: base.appendingPathComponent("secret.txt").path)
        try FileManager.default.createSymbolicLink(atPath: base.appendingPathComponent("root/fp/escape-dir").path,
                                                   withDestinationPath: "../..")
        try FileManager.default.createSymbolicLink(atPath: base.appendingPathComponent("root/fp/out/alias.png").path,
                                                   withDestinationPath: "a.png")
        XCTAssertNil(safe.resolve(["fp", "out", "escape.png"]))
        XCTAssertNil(safe.resolve(["fp", "escape-dir", "secret.txt"]))
        XCTAssertEqual(safe.resolve(["fp", "out", "alias.png"]), safe.root + "/fp/out/a.png")
    }

    func testAMissingFileIsNotResolved() {
        XCTAssertNil(safe.resolve(["fp", "out", "nope.png"]))
    }

    func testAPrefixSiblingIsNotInside() throws {
        try FileManager.default.createDirectory(at: base.appendingPathComponent("root-other"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: base.appendingPathComponent("root-other/x"))
        XCTAssertNil(safe.contained(base.appendingPathComponent("root-other/x").path))
    }
}
