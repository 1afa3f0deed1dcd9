@testable import NN
import Foundation
import TestSupport
import XCTest

/// A bank matrix whose header claims more than the file holds is refused, naming the file;
/// nothing that large is ever mapped or allocated.
final class NpyHostileHeaderTests: XCTestCase {
    func npy(shape: String, descr: String = "<f4", payload: Int = 16) throws -> URL {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: payload))
        let url = TemporaryFolder.url("hostile", extension: "npy")
        try data.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func assertRefused(_ url: URL, line: UInt = #line) {
        XCTAssertThrowsError(try MappedMatrix<Float>(contentsOf: url), line: line) {
            guard case .malformed(let path, _) = $0 as? BankFileError else { return XCTFail("\($0)", line: line) }
            XCTAssertEqual(path, url.path, line: line)
        }
    }

    func testShapeClaimingATerabyteIsRefused() throws {
        assertRefused(try npy(shape: "(1048576, 262144)"))  // 2^38 floats = 2^40 bytes
    }

    /// Found while adding the fuzz target: an overflowing shape trapped the size check, and negative
    /// extents passed it (a (-3, -5) matrix claimed 15 elements its file does not hold).
    func testNegativeAndOverflowingShapesAreRefused() throws {
        assertRefused(try npy(shape: "(-1, 4)"))
        assertRefused(try npy(shape: "(-3, -5)"))
        assertRefused(try npy(shape: "(4611686018427387904, 4)"))
    }
}
