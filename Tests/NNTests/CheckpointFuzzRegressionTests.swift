@testable import NN
import Foundation
import TestSupport
import XCTest

/// Inputs that crashed the checkpoint reader under `pleinair-fuzz pickle` (docs/fuzzing.md): each
/// must now fail with a `CheckpointError` that names the file.
final class CheckpointFuzzRegressionTests: XCTestCase {
    func assertRefused(_ name: String, saying fragment: String, line: UInt = #line) throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "pth", subdirectory: "Fixtures/fuzz"), line: line)
        XCTAssertThrowsError(try PyTorchCheckpoint.readStateDict(contentsOf: url), line: line) {
            XCTAssertTrue($0 is CheckpointError, "\($0)", line: line)
            XCTAssertTrue("\($0)".contains(url.path), "\($0)", line: line)
            XCTAssertTrue("\($0)".contains(fragment), "\($0)", line: line)
        }
    }

    func assertRefused(bytes: [UInt8], saying fragment: String, line: UInt = #line) throws {
        let url = TemporaryFolder.url("hostile", extension: "pth")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try PyTorchCheckpoint.readStateDict(contentsOf: url), line: line) {
            XCTAssertTrue("\($0)".contains(url.path), "\($0)", line: line)
            XCTAssertTrue("\($0)".contains(fragment), "\($0)", line: line)
        }
    }

    /// A BINUNICODE8 length above Int.max trapped converting it to Int (fuzzer inputs reduced to the opcode).
    func testHugeBINUNICODE8LengthIsRefused() throws {
        try assertRefused(bytes: [0x80, 0x04, 0x8D] + [UInt8](repeating: 0xFF, count: 8) + [0x2E], saying: "runs past the end of the stream")
    }

    /// Same for BINBYTES8, and for a 4-byte BINUNICODE length longer than the file.
    func testHugeBINBYTES8LengthIsRefused() throws {
        try assertRefused(bytes: [0x80, 0x04, 0x8E] + [0, 0, 0, 0, 0, 0, 0, 0x90] + [0x2E], saying: "runs past the end of the stream")
        try assertRefused(bytes: [0x80, 0x04, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E], saying: "runs past the end of the stream")
    }

    /// A ZIP64 end record placing the central directory at 2^63 trapped inside ZIPFoundation (`off_t(offset)`).
    func testHostileZIP64EndRecordIsRefusedBeforeZIPFoundationReadsIt() throws {
        try assertRefused("zip64-end-record-offset", saying: "impossible size, offset or count")
    }

    /// A ZIP64 data descriptor's size above Int.max trapped sizing the read buffer.
    func testHugeZIP64DataDescriptorSizeIsRefused() throws {
        try assertRefused("zip64-data-descriptor-size", saying: "impossible ZIP64 size")
    }

    /// A 3.75 GB size claimed by a 7 KB file's data descriptor was allocated up front (the fuzzer's
    /// malloc limit caught it; the same file is a seed of fuzz/corpus/pickle, so it keeps doing so).
    /// The claim is only a capacity hint now, and the entry reads as before.
    func testClaimedEntrySizeIsOnlyAHint() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "claimed-size", withExtension: "pth", subdirectory: "Fixtures/fuzz"))
        let dict = try PyTorchCheckpoint.readStateDict(contentsOf: url)
        XCTAssertEqual(dict["views.scalar"]?.scalars, [2.5])
    }

    /// Found by reading the code while fuzzing (longer than the fuzzer's inputs): a million nested
    /// tuples overflowed the stack when the parsed value was freed.
    func testDeeplyNestedPickleIsRefused() throws {
        let url = TemporaryFolder.url("deep", extension: "pth")
        try Data([0x80, 0x02, 0x4E] + [UInt8](repeating: 0x85, count: 1_000_000) + [0x2E]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try PyTorchCheckpoint.readStateDict(contentsOf: url)) {
            XCTAssertTrue("\($0)".contains(url.path), "\($0)")
            XCTAssertTrue("\($0)".contains("nested more than 100 deep"), "\($0)")
        }
    }

    /// Views are checked before anything is allocated: sizes, strides and offsets from the file
    /// must address elements of their storage only, with no arithmetic overflowing.
    func testViewsMustStayInsideTheirStorage() {
        let storage = PyTorchCheckpoint.StorageRef(key: "0", type: "FloatStorage", count: 6)
        func count(_ size: [Int], _ stride: [Int], offset: Int = 0) -> Int? {
            try? PyTorchCheckpoint.elementCount(of: .init(storage: storage, offset: offset, size: size, stride: stride), key: "w", path: "p.pth")
        }
        XCTAssertEqual(count([2, 3], [3, 1]), 6)
        XCTAssertEqual(count([3, 2], [1, 3]), 6, "a transposed view")
        XCTAssertEqual(count([2], [2], offset: 3), 2)
        XCTAssertEqual(count([], []), 1, "a scalar")
        XCTAssertEqual(count([1 << 40, 0], [1, 1]), 0, "an empty view")
        XCTAssertNil(count([2, 3], [-3, 1]), "negative stride")
        XCTAssertNil(count([-1], [1]), "negative size")
        XCTAssertNil(count([2], [1], offset: -1), "negative offset")
        XCTAssertNil(count([7], [1]), "more elements than the storage")
        XCTAssertNil(count([2], [6]), "reaches past the storage")
        XCTAssertNil(count([1 << 62, 4], [1, 1]), "overflowing size")
        XCTAssertNil(count([2], [Int.max]), "overflowing stride")
        XCTAssertNil(count([Int.max, 2, 0], [1, 1, 1]), "an empty view whose other extents overflow")
    }

    /// A list appended to itself would make a cycle (and defeat the depth limit).
    func testSelfContainingListIsRefused() throws {
        let url = TemporaryFolder.url("cycle", extension: "pth")
        try Data([0x80, 0x02, 0x5D, 0x32, 0x61, 0x2E]).write(to: url)  // EMPTY_LIST DUP APPEND STOP
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try PyTorchCheckpoint.readStateDict(contentsOf: url)) {
            XCTAssertTrue("\($0)".contains("changed after it was nested"), "\($0)")
        }
    }
}
