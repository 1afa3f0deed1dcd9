import Foundation
@testable import Retrieval
import XCTest

/// The structure walk that runs before FAISS reads an index file from outside: every file FAISS
/// writes in the accepted types is walked to its end with the right dimension and count; truncated,
/// garbled and oversized-header files and other index types are refused naming the file, without
/// FAISS ever seeing them.
final class FaissIndexFileTests: XCTestCase {
    func written(_ factory: String, dimension d: Int = 48, rows: Int = 300) throws -> URL {
        var seed: UInt64 = 0x9E37_79B9
        let values = (0..<(rows * d)).map { _ -> Float in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(seed >> 40) / Float(1 << 24) * 2 - 1
        }
        let index = try ANNIndex(dimension: d, factory: factory)
        try index.train(values, count: rows)
        try index.add(values, count: rows)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("walk-\(UUID()).index")
        try index.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testEveryAcceptedTypeFAISSWritesIsWalkedToItsEnd() throws {
        let cases: [(String, String, String, Int, [String])] = [
            ("Flat", "IxF2", "IxF2", 0, []),
            ("IVF4,Flat", "IwFl", "IwFl", 4, []),
            ("IVF4,PQ6np", "IwPQ", "IwPQ", 4, []),
            ("IVF4,PQ12np", "IwPQ", "IwPQ", 4, []),
            ("PCAR16,IVF4,PQ4np", "IxPT", "IwPQ", 4, ["PCA 48→16"]),
            ("PCA24,IVF4,Flat", "IxPT", "IwFl", 4, ["PCA 48→24"]),
        ]
        for (factory, type, inner, lists, transforms) in cases {
            let file = try FaissIndexFile.check(try written(factory))
            XCTAssertEqual(file.type, type, factory)
            XCTAssertEqual(file.innerType, inner, factory)
            XCTAssertEqual(file.dimension, 48, factory)
            XCTAssertEqual(file.count, 300, factory)
            XCTAssertEqual(file.lists, lists, factory)
            XCTAssertEqual(file.transforms, transforms, factory)
            XCTAssertTrue(file.isTrained, factory)
        }
    }

    func testEveryTruncationIsRefusedNamingTheFile() throws {
        for (factory, rows) in [("Flat", 40), ("IVF4,Flat", 40), ("PCA16,IVF4,Flat", 40), ("PCAR16,IVF4,PQ4np", 300)] {
            let data = try Data(contentsOf: try written(factory, rows: rows))
            for length in stride(from: 0, to: data.count, by: max(1, data.count / 300)) {
                XCTAssertThrowsError(try FaissIndexFile.check(data.prefix(length), path: "cut.index"), "\(factory) cut at \(length)") {
                    XCTAssertEqual(($0 as? FaissIndexFileError)?.path, "cut.index")
                }
            }
            XCTAssertThrowsError(try FaissIndexFile.check(data + Data([0]), path: "long.index")) {
                XCTAssertTrue("\($0)".contains("1 bytes follow the end of the index"), "\($0)")
            }
        }
    }

    func testATruncatedFileOnDiskFailsNamingItsPath() throws {
        let url = try written("IVF4,Flat")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 100).write(to: url)
        XCTAssertThrowsError(try FaissIndexFile.check(url)) {
            XCTAssertEqual(($0 as? FaissIndexFileError)?.path, url.path)
            XCTAssertTrue("\($0)".hasPrefix(url.path + ": not a FAISS index"), "\($0)")
        }
    }

    /// Single-byte changes all through a small IVF-Flat file behind a PCA are walked without a trap.
    func testGarbledBytesNeverTrapTheWalk() throws {
        let data = try Data(contentsOf: try written("PCA16,IVF4,Flat", rows: 40))
        var refused = 0
        for position in stride(from: 0, to: data.count, by: 3) {
            for value: UInt8 in [0x00, 0xff, 0x7f, 0x41] {
                var garbled = data
                garbled[position] = value
                do { _ = try FaissIndexFile.check(garbled, path: "garbled.index") } catch { refused += 1 }
            }
        }
        XCTAssertGreaterThan(refused, 0)
        XCTAssertThrowsError(try FaissIndexFile.check(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }), path: "noise.index"))
    }

    /// Headers claiming more than the file holds: a Flat vector count of 2^40 floats, an IVF list of
    /// 2^40 entries, 2^32 inverted lists. Each is refused before anything that large is allocated.
    func testOversizedHeadersAreRefused() throws {
        let flat = try Data(contentsOf: try written("Flat", rows: 10))
        // IxF2: fourcc 4, d 4, ntotal 8, dummies 16, is_trained 1, metric 4, then the float count at 37.
        var huge = flat
        huge.replaceSubrange(37..<45, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Data($0) })
        XCTAssertThrowsError(try FaissIndexFile.check(huge, path: "huge.index")) {
            XCTAssertTrue("\($0)".contains("claims 1099511627776 elements"), "\($0)")
        }
        var count = flat
        count.replaceSubrange(8..<16, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Data($0) })
        XCTAssertThrowsError(try FaissIndexFile.check(count, path: "count.index"))

        let ivf = try Data(contentsOf: try written("IVF4,Flat", rows: 40))
        // IwFl header (37 bytes), then nlist at 37.
        var lists = ivf
        lists.replaceSubrange(37..<45, with: withUnsafeBytes(of: UInt64(1 << 32).littleEndian) { Data($0) })
        XCTAssertThrowsError(try FaissIndexFile.check(lists, path: "lists.index")) {
            XCTAssertTrue("\($0)".contains("inverted lists"), "\($0)")
        }
        var negative = ivf
        negative.replaceSubrange(37..<45, with: withUnsafeBytes(of: Int64(-1).littleEndian) { Data($0) })
        XCTAssertThrowsError(try FaissIndexFile.check(negative, path: "negative.index")) {
            XCTAssertTrue("\($0)".contains("not a plausible size"), "\($0)")
        }
    }

    func testOtherIndexTypesAreRefusedByName() throws {
        for (factory, name) in [("HNSW8", "HNSW-Flat"), ("IVF4,SQ8", "IVF-SQ"), ("PQ6np", "PQ")] {
            XCTAssertThrowsError(try FaissIndexFile.check(try written(factory)), factory) {
                XCTAssertTrue("\($0)".contains("(\(name)) is not read from outside"), "\($0)")
            }
        }
        XCTAssertThrowsError(try FaissIndexFile.check(Data([1, 2, 3, 4]), path: "binary.index")) {
            XCTAssertTrue("\($0)".contains("index type '0x04030201'"), "\($0)")
        }
    }
}
