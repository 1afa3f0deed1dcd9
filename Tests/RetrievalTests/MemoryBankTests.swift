@testable import NN
import Basics
import Foundation
import Imaging
import Tensor
@testable import Retrieval
import TestSupport
import XCTest

final class MemoryBankTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = TemporaryFolder.url("bank")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Smooth random planar RGB images in [-1, 1], on the 8-bit grid (what an 8-bit photo converts to).
    static func images(_ count: Int, size: Int, seed: UInt64) -> [[Float]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let a = (0..<9).map { _ in rng.unit() * 2 - 1 }
            return (0..<(3 * size * size)).map { i in
                let c = i / (size * size), y = (i / size) % size, x = i % size
                let v = max(-1, min(1, a[c * 3] * sinf(Float(x) * (0.2 + abs(a[c * 3 + 1]))) * cosf(Float(y) * 0.3 + a[c * 3 + 2])
                                    + 0.05 * rng.nextNormal()))
                return PatchMatrix.value(PatchMatrix.byte(v))
            }
        }
    }

    /// Writes a bank of `images` (on the 8-bit grid) into `folder` through the shard builder.
    @discardableResult
    static func writeBank(_ images: [[Float]], size: Int, scales: [PatchScale], cap: Int? = nil, holdout: Int,
                          seed: UInt64 = 0, imagesPerShard: Int = 2, to folder: URL) throws -> MemoryBankManifest {
        let expected = scales.map { $0.positions(size) * $0.positions(size) * images.count }
        let builder = MemoryBankBuilder(scales: scales, selection: PatchSelection(expected: expected, holdout: holdout, cap: cap, seed: seed),
                                        imagesPerShard: imagesPerShard, work: folder.appendingPathComponent("work"))
        try FileManager.default.createDirectory(at: builder.work, withIntermediateDirectories: true)
        var records: [BankShard.Record] = []
        for index in 0..<builder.shardCount(images: images.count) {
            var shard = builder.shard(index)
            for i in builder.images(ofShard: index, of: images.count) {
                let bytes = images[i].map(PatchMatrix.byte)
                for s in scales.indices {
                    bytes.withUnsafeBufferPointer { shard.add(scale: s, planar: $0, width: size, height: size, image: i) }
                }
            }
            records.append(try shard.write(to: builder.work))
        }
        guard let manifest = try builder.finish(records: records, images: images.indices.map { "img\($0).png" }, seed: seed, cap: cap,
                                                into: folder) else { throw BankFileError.malformed(path: folder.path, "no bank") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: builder.work.path), "finishing clears the work folder")
        return manifest
    }

    func testEightBitStorageRoundTripsBitExactlyAndMatchesTheImageConversion() throws {
        for b in 0...255 { XCTAssertEqual(PatchMatrix.byte(PatchMatrix.value(UInt8(b))), UInt8(b)) }
        // The bank's float for a byte is the float the image pipeline gives the same 8-bit sample.
        let image = Image(width: 256, height: 1, channels: 1, samples: (0..<256).map { UInt16($0) })
        XCTAssertEqual(image.planarFloats(), (0...255).map { PatchMatrix.value(UInt8($0)) })
        // And a bank row reads back as exactly the floats it was cut from.
        let images = Self.images(2, size: 12, seed: 5)
        try Self.writeBank(images, size: 12, scales: [PatchScale(patch: 4, stride: 4)], holdout: 0, to: folder)
        let scale = try MemoryBank(folder: folder).scales[0]
        for row in 0..<scale.patches.rows {
            let (i, x, y) = scale.location(of: row)
            var expected = [Float](repeating: 0, count: 48)
            images[i].withUnsafeBufferPointer {
                PatchCutter.copy($0.baseAddress!, width: 12, height: 12, channels: 3, patch: 4, x: x, y: y, into: &expected)
            }
            XCTAssertEqual(scale.patches.row(row), expected)
            XCTAssertEqual(try scale.patches.floats(row..<(row + 1)), expected)
        }
    }

    func testEveryPatchRowIsThePixelsAtItsRecordedPosition() throws {
        let images = Self.images(3, size: 20, seed: 1)
        try Self.writeBank(images, size: 20, scales: [PatchScale(patch: 4, stride: 3)], holdout: 10, to: folder)
        let bank = try MemoryBank(folder: folder)
        let scale = bank.scales[0]
        XCTAssertEqual(scale.entry.candidates, 3 * 6 * 6)
        XCTAssertEqual(scale.patches.rows + scale.entry.holdout, 3 * 36, "no cap: every position is in the bank or held out")
        XCTAssertEqual(scale.entry.shardRows.count, 2, "3 images at 2 per shard")
        XCTAssertNil(bank.manifest.cap)
        XCTAssertEqual(bank.manifest.keptFraction, 1)
        var expected = [Float](repeating: 0, count: 48)
        for row in 0..<scale.patches.rows {
            let (image, x, y) = scale.location(of: row)
            images[image].withUnsafeBufferPointer {
                PatchCutter.copy($0.baseAddress!, width: 20, height: 20, channels: 3, patch: 4, x: x, y: y, into: &expected)
            }
            XCTAssertEqual(scale.patches.row(row), expected, "row \(row)")
            // Channel-major layout: element (c=1, dy=2, dx=3) is pixel (x+3, y+2) of plane 1.
            XCTAssertEqual(scale.patches.row(row)[16 + 2 * 4 + 3], images[image][400 + (y + 2) * 20 + x + 3])
        }
    }

    func testShardingDoesNotChangeTheBank() throws {
        let images = Self.images(5, size: 16, seed: 6)
        let one = folder.appendingPathComponent("one"), many = folder.appendingPathComponent("many")
        try Self.writeBank(images, size: 16, scales: [PatchScale(patch: 4, stride: 2)], holdout: 8, imagesPerShard: 100, to: one)
        try Self.writeBank(images, size: 16, scales: [PatchScale(patch: 4, stride: 2)], holdout: 8, imagesPerShard: 1, to: many)
        let a = try MemoryBank(folder: one).scales[0], b = try MemoryBank(folder: many).scales[0]
        XCTAssertEqual(a.entry.shardRows.count, 1)
        XCTAssertEqual(b.entry.shardRows.count, 5)
        XCTAssertEqual(a.patches.rows, b.patches.rows)
        XCTAssertEqual(try a.patches.allFloats(), try b.patches.allFloats())
        XCTAssertEqual((0..<a.patches.rows).map { a.location(of: $0).x }, (0..<b.patches.rows).map { b.location(of: $0).x })
        XCTAssertEqual(a.mean, b.mean)
        // Rows read across shard boundaries, mapped or with pread, agree.
        let ids = [0, b.entry.shardRows[0] - 1, b.entry.shardRows[0], b.patches.rows - 1]
        var read = [Float](repeating: 0, count: ids.count * 48)
        try read.withUnsafeMutableBufferPointer { try b.patches.readRows(ids, into: $0.baseAddress!) }
        XCTAssertEqual(read, ids.flatMap { a.patches.row($0) })
    }

    func testTheCapKeepsASeededSampleThatRepeatsForTheSameSeedAndIsReported() throws {
        let images = Self.images(4, size: 24, seed: 2)
        let scale = PatchScale(patch: 4, stride: 2)
        let other = folder.appendingPathComponent("other"), third = folder.appendingPathComponent("third")
        let manifest = try Self.writeBank(images, size: 24, scales: [scale], cap: 100, holdout: 5, seed: 7, to: folder)
        try Self.writeBank(images, size: 24, scales: [scale], cap: 100, holdout: 5, seed: 7, to: other)
        let a = try MemoryBank(folder: folder).scales[0], b = try MemoryBank(folder: other).scales[0]
        XCTAssertEqual(a.entry.candidates, 4 * 11 * 11)
        XCTAssertEqual(Double(a.patches.rows), 100, accuracy: 30, "about the cap")
        XCTAssertEqual(manifest.cap, 100)
        XCTAssertEqual(manifest.keptFraction, Double(a.patches.rows) / Double(a.entry.candidates - a.entry.holdout))
        XCTAssertLessThan(manifest.keptFraction, 0.3)
        XCTAssertEqual(try a.patches.allFloats(), try b.patches.allFloats())
        // A different seed draws a different sample.
        try Self.writeBank(images, size: 24, scales: [scale], cap: 100, holdout: 5, seed: 8, to: third)
        let reseeded = try MemoryBank(folder: third).scales[0]
        XCTAssertNotEqual((0..<a.patches.rows).map { a.location(of: $0).x }, (0..<reseeded.patches.rows).map { reseeded.location(of: $0).x })
    }

    func testHeldOutPatchesAreNotInTheBank() throws {
        let images = Self.images(4, size: 16, seed: 3)
        try Self.writeBank(images, size: 16, scales: [PatchScale(patch: 4, stride: 2)], holdout: 12, to: folder)
        let bank = try MemoryBank(folder: folder)
        let held = try MappedMatrix<Int32>(contentsOf: folder.appendingPathComponent(bank.manifest.scales[0].holdoutLocationsFile))
        XCTAssertGreaterThan(held.rows, 3)
        XCTAssertEqual(held.rows, bank.scales[0].entry.holdout)
        XCTAssertEqual(try bank.holdout(0).rows, held.rows)
        let inBank = Set((0..<bank.scales[0].patches.rows).map { r -> [Int32] in Array(bank.scales[0].locations.row(r)) })
        for r in 0..<held.rows { XCTAssertFalse(inBank.contains(Array(held.row(r)))) }
    }

    func testTheMeanPatchIsTheMeanOfTheBankRows() throws {
        try Self.writeBank(Self.images(3, size: 12, seed: 4), size: 12, scales: [PatchScale(patch: 2, stride: 2)], holdout: 0, to: folder)
        let scale = try MemoryBank(folder: folder).scales[0]
        for c in 0..<12 {
            let mean = (0..<scale.patches.rows).map { Double(scale.patches.row($0)[c]) }.reduce(0, +) / Double(scale.patches.rows)
            XCTAssertEqual(Double(scale.mean[c]), mean, accuracy: 1e-6)
        }
    }

    func testMatrixFilesAreNumPyReadable() throws {
        let url = folder.appendingPathComponent("m.npy")
        try NpyFile.write([Float](arrayLiteral: 1, 2, 3, 4, 5, 6), rows: 2, columns: 3, to: url)
        let data = try Data(contentsOf: url)
        XCTAssertEqual(Array(data.prefix(6)), [0x93] + Array("NUMPY".utf8))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0, "data aligned for mapping")
        let back = try MappedMatrix<Float>(contentsOf: url)
        XCTAssertEqual(Array(back.row(1)), [4, 5, 6])
        XCTAssertThrowsError(try MappedMatrix<Int32>(contentsOf: url)) { XCTAssertTrue($0 is BankFileError) }
        let bytes = folder.appendingPathComponent("b.npy")
        try NpyFile.write([UInt8](arrayLiteral: 0, 127, 255, 1), rows: 2, columns: 2, to: bytes)
        XCTAssertTrue(String(decoding: try Data(contentsOf: bytes).prefix(64), as: UTF8.self).contains("'descr': '|u1'"))
        let mapped = try MappedMatrix<UInt8>(contentsOf: bytes)  // held: its rows point into the mapping
        XCTAssertEqual(Array(mapped.row(0)), [0, 127])
    }

    func testImagesSmallerThanThePatchAreATypedError() throws {
        XCTAssertThrowsError(try Self.writeBank(Self.images(1, size: 8, seed: 0), size: 8, scales: [PatchScale(patch: 16, stride: 6)],
                                                holdout: 0, to: folder)) { XCTAssertTrue($0 is BankFileError, "\($0)") }
    }

    func testAFormatOneBankIsRefusedWithARebuildMessage() throws {
        try Data(#"{"format": 1, "images": [], "scales": [], "seed": 0}"#.utf8).write(to: folder.appendingPathComponent("bank.json"))
        XCTAssertThrowsError(try MemoryBank(folder: folder)) { XCTAssertTrue("\($0)".contains("rebuild"), "\($0)") }
    }
}
