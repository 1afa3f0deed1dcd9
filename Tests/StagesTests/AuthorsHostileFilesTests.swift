import Foundation
import NN
import Pipeline
import Stages
@testable import Retrieval
import XCTest

/// `authors_bank` on damaged or hostile files from outside: every one fails the stage with a message
/// naming the file, and none traps the process or reaches FAISS.
final class AuthorsHostileFilesTests: XCTestCase {
    func importing(_ name: String, damage: (URL) throws -> Void) throws -> String {
        let runner = try StageHarness(name)
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [4: 60], factory: "IVF2,Flat", nprobe: 2)
        try damage(data.appendingPathComponent("patch_size_4"))
        var message = ""
        XCTAssertThrowsError(try runner.run(AuthorsBankStage(), params: AuthorsBankStageTests.scales([4], [4]), inputs: ["data": data],
                                            outputs: ["bank": runner.url("bank"), "index": runner.url("index")])) { message = "\($0)" }
        return message
    }

    func assertNames(_ message: String, _ file: String, _ why: String, line: UInt = #line) {
        XCTAssertTrue(message.contains("patch_size_4/\(file):"), message, line: line)
        XCTAssertTrue(message.contains(why), message, line: line)
    }

    // MARK: means/<c>.npy (NN's .npy reader)

    func testTenByteMeanFileFailsNamingIt() throws {
        let message = try importing("mean-10") { try Data([0x93] + Array("NUMPY".utf8) + [2, 0, 0xff, 0xff]).write(to: $0.appendingPathComponent("means/0.npy")) }
        assertNames(message, "means/0.npy", "ends inside the header length")
    }

    func testTruncatedMeanFileFailsNamingIt() throws {
        let message = try importing("mean-cut") { folder in
            let url = folder.appendingPathComponent("means/0.npy")
            try Data(try Data(contentsOf: url).dropLast(4)).write(to: url)
        }
        assertNames(message, "means/0.npy", "data shorter than shape [48]")
    }

    func testHugeHeaderMeanFileFailsNamingIt() throws {
        let claimed = try importing("mean-claim") { folder in
            var data = Data([0x93] + Array("NUMPY".utf8) + [2, 0, 0xf0, 0xff, 0xff, 0xff])
            data.append(Data(repeating: 0x20, count: 100))
            try data.write(to: folder.appendingPathComponent("means/0.npy"))
        }
        assertNames(claimed, "means/0.npy", "header of 4294967280 bytes")
        let real = try importing("mean-huge") { folder in
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (48,), }" + String(repeating: " ", count: 200_000) + "\n"
            header = String(header.prefix(200_000)) + "\n"
            var data = Data([0x93] + Array("NUMPY".utf8) + [2, 0])
            data.append(contentsOf: withUnsafeBytes(of: UInt32(header.utf8.count).littleEndian) { Array($0) })
            data.append(contentsOf: Array(header.utf8))
            data.append(Data(count: 48 * 4))
            try data.write(to: folder.appendingPathComponent("means/0.npy"))
        }
        assertNames(real, "means/0.npy", "at most 65536 are read")
    }

    func testMeanOfAnotherLengthOrTypeFailsNamingIt() throws {
        let long = try importing("mean-long") { try AuthorsFolder.oneDimensionalNpy([Float](repeating: 0, count: 49)).write(to: $0.appendingPathComponent("means/0.npy")) }
        assertNames(long, "means/0.npy", "more than the 48 expected")
        let ints = try importing("mean-int") { folder in
            let url = folder.appendingPathComponent("means/0.npy")
            try NpyFile.write([Int32](repeating: 0, count: 48), rows: 1, columns: 48, to: url)
        }
        assertNames(ints, "means/0.npy", "expected float32 or float64 values")
    }

    /// The authors' means as NumPy may hold them: float64, shape (1, d).
    func testFloat64RowMeanIsRead() throws {
        let runner = try StageHarness("mean-f8")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [4: 60], factory: "Flat")
        let url = data.appendingPathComponent("patch_size_4/means/0.npy")
        let floats = try NpyFile.readFloats(contentsOf: url, maxElements: 48)
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 48), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var f8 = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0])
        f8.append(contentsOf: Array(header.utf8))
        for v in floats.values { f8.append(contentsOf: withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) }) }
        try f8.write(to: url)
        XCTAssertEqual(try NpyFile.readFloats(contentsOf: url, maxElements: 48), NpyFile.Floats(shape: [1, 48], values: floats.values))
        let result = try runner.run(AuthorsBankStage(), params: AuthorsBankStageTests.scales([4], [4]), inputs: ["data": data],
                                    outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
        XCTAssertLessThan(result.value("mean_difference.p4s4") ?? 1, 1e-5)
    }

    // MARK: faiss_indexes/<c>.index (walked before FAISS reads it)

    func testTruncatedIndexFailsNamingIt() throws {
        let message = try importing("index-cut") { folder in
            let url = folder.appendingPathComponent("faiss_indexes/0.index")
            try Data(try Data(contentsOf: url).dropLast(50)).write(to: url)
        }
        assertNames(message, "faiss_indexes/0.index", "FAISS index: at byte")
        XCTAssertTrue(message.contains("bytes left"), message)
    }

    func testGarbledIndexFailsNamingIt() throws {
        let message = try importing("index-garbled") { folder in
            let url = folder.appendingPathComponent("faiss_indexes/0.index")
            var data = try Data(contentsOf: url)
            for i in stride(from: 40, to: data.count, by: 97) { data[i] ^= 0x5a }
            try data.write(to: url)
        }
        assertNames(message, "faiss_indexes/0.index", "FAISS index: at byte")
    }

    func testOversizedHeaderIndexFailsNamingIt() throws {
        let message = try importing("index-huge") { folder in
            let url = folder.appendingPathComponent("faiss_indexes/0.index")
            var data = try Data(contentsOf: url)
            data.replaceSubrange(37..<45, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Data($0) })  // nlist
            try data.write(to: url)
        }
        assertNames(message, "faiss_indexes/0.index", "claims 1099511627776 inverted lists")
    }

    func testIndexOfAnotherTypeIsRefusedByName() throws {
        let message = try importing("index-hnsw") { folder in
            let index = try ANNIndex(dimension: 48, factory: "HNSW8")
            try index.add([Float](repeating: 0, count: 60 * 48), count: 60)
            try index.write(to: folder.appendingPathComponent("faiss_indexes/0.index"))
        }
        assertNames(message, "faiss_indexes/0.index", "'IHNf' (HNSW-Flat) is not read from outside")
    }

    /// FAISS reads a file only after the walk accepted it, and the stage's log names the file first:
    /// should a file that passed still crash FAISS, `authors_bank`'s own process dies and the
    /// runner's message quotes the end of this log (ProcessBackend.crashMessage).
    func testTheLogNamesEachIndexJustBeforeFAISSReadsIt() throws {
        let runner = try StageHarness("index-log")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [8: 40, 4: 60], factory: "Flat")
        _ = try runner.run(AuthorsBankStage(), params: AuthorsBankStageTests.scales([8, 4], [4, 3]), inputs: ["data": data],
                           outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
        let log = try String(contentsOf: runner.url("authors_bank.log"), encoding: .utf8)
        for p in [8, 4] {
            XCTAssertTrue(log.contains("FAISS reads \(data.path)/patch_size_\(p)/faiss_indexes/0.index"), log)
        }
        XCTAssertFalse(ProcessBackend(command: ["pleinair-stage"]).inProcess.contains("authors_bank"), "the stage runs in a child process")
    }

    func testIndexOfOtherRowsFailsBeforeFAISSReadsIt() throws {
        let message = try importing("index-rows") { folder in
            let index = try ANNIndex(dimension: 48, factory: "Flat")
            try index.add([Float](repeating: 0, count: 61 * 48), count: 61)
            try index.write(to: folder.appendingPathComponent("faiss_indexes/0.index"))
        }
        assertNames(message, "faiss_indexes/0.index", "holds 61 vectors of 48 values")
    }
}
