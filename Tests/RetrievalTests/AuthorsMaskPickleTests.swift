import Basics
import Foundation
import NN
import Retrieval
import XCTest

/// The authors' mask pickles (a list of (class_id, H×W 0/1 array) pairs), written by Python's pickle
/// with NumPy (scripts/reference/mask_pickles.py): every dtype and both NumPy generations load as the
/// same overlapping class masks; any other global is refused by name.
final class AuthorsMaskPickleTests: XCTestCase {
    private func url(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "pkl", subdirectory: "Fixtures/mask_pickles"))
    }

    private var expected: ClassMasks {
        let left = (0..<24).map { UInt8($0 % 6 < 3 ? 1 : 0) }, top = (0..<24).map { UInt8($0 < 6 ? 1 : 0) }
        return ClassMasks(width: 6, height: 4, entries: [.init(id: 3, pixels: left), .init(id: 5, pixels: top)])
    }

    func testEveryDtypeAndBothNumpyGenerationsLoadTheSameMasks() throws {
        for name in ["bool", "uint8", "int64", "float64", "float32", "uint8_protocol3", "fortran_int32", "numpy2"] {
            let masks = try AuthorsMaskPickle.read(try url(name), width: 6, height: 4)
            XCTAssertEqual(masks, expected, name)
            XCTAssertTrue(masks.overlaps, name)
        }
    }

    func testAnyOtherGlobalIsRefusedByName() throws {
        for (name, global) in [("hostile", "posix.system"), ("uint8_protocol2", "_codecs.encode"),
                              ("uint8_protocol5", "numpy.core.numeric._frombuffer")] {
            XCTAssertThrowsError(try AuthorsMaskPickle.read(try url(name), width: 6, height: 4), name) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("refusing global \(global)"), text)
                XCTAssertTrue(text.contains(name + ".pkl"), "the error names the file: \(text)")
            }
        }
    }

    func testAWrongSizeOrAValueOtherThanZeroOrOneIsAnErrorNamingTheFile() throws {
        XCTAssertThrowsError(try AuthorsMaskPickle.read(try url("uint8"), width: 8, height: 4)) { error in
            XCTAssertTrue("\(error)".contains("uint8.pkl") && "\(error)".contains("[4, 8]"), "\(error)")
        }
        XCTAssertThrowsError(try AuthorsMaskPickle.read(try url("not_binary"), width: 6, height: 4)) { error in
            XCTAssertTrue("\(error)".contains("not_binary.pkl") && "\(error)".contains("0 or 1"), "\(error)")
        }
    }

    func testTruncatedAndMangledPicklesFailWithoutCrashing() throws {
        let bytes = [UInt8](try Data(contentsOf: try url("uint8")))
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            XCTAssertThrowsError(try AuthorsMaskPickle.decode(Array(bytes[..<cut]), path: "cut.pkl", width: 6, height: 4))
        }
        for i in stride(from: 0, to: bytes.count, by: 5) {
            var mangled = bytes
            mangled[i] ^= 0x5A
            _ = try? AuthorsMaskPickle.decode(mangled, path: "mangled.pkl", width: 6, height: 4)
        }
    }
}
