@testable import NN
import Basics
import Foundation
import Tensor
import Vision
import XCTest

final class MemoryBankTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bank-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Smooth random planar RGB images in [-1, 1].
    static func images(_ count: Int, size: Int, seed: UInt64) -> [[Float]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let a = (0..<9).map { _ in rng.unit() * 2 - 1 }
            return (0..<(3 * size * size)).map { i in
                let c = i / (size * size), y = (i / size) % size, x = i % size
                return max(-1, min(1, a[c * 3] * sinf(Float(x) * (0.2 + abs(a[c * 3 + 1]))) * cosf(Float(y) * 0.3 + a[c * 3 + 2])
                                   + 0.05 * rng.nextNormal()))
            }
        }
    }

    /// Writes a one-or-more-scale bank of `images` into `folder`.
    static func writeBank(_ images: [[Float]], size: Int, scales: [PatchScale], capacity: Int, holdout: Int,
                          seed: UInt64 = 0, to folder: URL) throws {
        var entries: [MemoryBankManifest.Scale] = []
        for (k, scale) in scales.enumerated() {
            var reservoir = ScaleReservoir(scale: scale, capacity: capacity, holdout: holdout, seed: seed + UInt64(k))
            for (i, image) in images.enumerated() { reservoir.offer(image, width: size, height: size, imageIndex: i) }
            entries.append(try reservoir.write(to: folder))
        }
        try MemoryBankManifest(images: images.indices.map { "img\($0).png" }, scales: entries, seed: seed).write(to: folder)
    }

    func testEveryPatchRowIsThePixelsAtItsRecordedPosition() throws {
        let images = Self.images(3, size: 20, seed: 1)
        try Self.writeBank(images, size: 20, scales: [PatchScale(patch: 4, stride: 3)], capacity: 1000, holdout: 10, to: folder)
        let bank = try MemoryBank(folder: folder)
        let scale = bank.scales[0]
        XCTAssertEqual(scale.entry.candidates, 3 * 6 * 6)
        XCTAssertEqual(scale.patches.rows + scale.entry.holdout, 3 * 36)
        var expected = [Float](repeating: 0, count: 48)
        for row in 0..<scale.patches.rows {
            let (image, x, y) = scale.location(of: row)
            images[image].withUnsafeBufferPointer {
                PatchCutter.copy($0.baseAddress!, width: 20, height: 20, channels: 3, patch: 4, x: x, y: y, into: &expected)
            }
            XCTAssertEqual(Array(scale.patches.row(row)), expected, "row \(row)")
            // Channel-major layout: element (c=1, dy=2, dx=3) is pixel (x+3, y+2) of plane 1.
            XCTAssertEqual(scale.patches.row(row)[16 + 2 * 4 + 3], images[image][400 + (y + 2) * 20 + x + 3])
        }
    }

    func testTheCapKeepsASeededSampleThatRepeatsForTheSameSeed() throws {
        let images = Self.images(4, size: 24, seed: 2)
        let scale = PatchScale(patch: 4, stride: 2)
        let other = folder.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Self.writeBank(images, size: 24, scales: [scale], capacity: 50, holdout: 5, seed: 7, to: folder)
        try Self.writeBank(images, size: 24, scales: [scale], capacity: 50, holdout: 5, seed: 7, to: other)
        let a = try MemoryBank(folder: folder).scales[0], b = try MemoryBank(folder: other).scales[0]
        XCTAssertEqual(a.patches.rows, 50)
        XCTAssertEqual(a.entry.candidates, 4 * 11 * 11)
        XCTAssertEqual(Array(a.patches.elements), Array(b.patches.elements))
        XCTAssertEqual(Array(a.locations.elements), Array(b.locations.elements))
        // A different seed draws a different sample.
        try Self.writeBank(images, size: 24, scales: [scale], capacity: 50, holdout: 5, seed: 8, to: other)
        let reseeded = try MemoryBank(folder: other)  // held: its rows are mapped memory
        XCTAssertNotEqual(Array(a.locations.elements), Array(reseeded.scales[0].locations.elements))
    }

    func testHeldOutPatchesAreNotInTheBank() throws {
        let images = Self.images(2, size: 16, seed: 3)
        try Self.writeBank(images, size: 16, scales: [PatchScale(patch: 4, stride: 4)], capacity: 100, holdout: 6, to: folder)
        let bank = try MemoryBank(folder: folder)
        let held = try MappedMatrix<Int32>(contentsOf: folder.appendingPathComponent(bank.manifest.scales[0].holdoutLocationsFile))
        XCTAssertEqual(held.rows, 6)
        let inBank = Set((0..<bank.scales[0].patches.rows).map { r -> [Int32] in Array(bank.scales[0].locations.row(r)) })
        for r in 0..<held.rows { XCTAssertFalse(inBank.contains(Array(held.row(r)))) }
    }

    func testTheMeanPatchIsTheMeanOfTheBankRows() throws {
        try Self.writeBank(Self.images(2, size: 12, seed: 4), size: 12, scales: [PatchScale(patch: 2, stride: 2)], capacity: 100,
                           holdout: 0, to: folder)
        let scale = try MemoryBank(folder: folder).scales[0]
        for c in 0..<12 {
            let mean = (0..<scale.patches.rows).map { Double(scale.patches.row($0)[c]) }.reduce(0, +) / Double(scale.patches.rows)
            XCTAssertEqual(Double(scale.mean[c]), mean, accuracy: 1e-5)
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
        XCTAssertEqual(back.rows, 2)
        XCTAssertEqual(Array(back.row(1)), [4, 5, 6])
        XCTAssertThrowsError(try MappedMatrix<Int32>(contentsOf: url)) { XCTAssertTrue($0 is BankFileError) }
    }

    func testImagesSmallerThanThePatchAreATypedError() throws {
        var reservoir = ScaleReservoir(scale: PatchScale(patch: 16, stride: 6), capacity: 10, holdout: 0, seed: 0)
        reservoir.offer([Float](repeating: 0, count: 3 * 8 * 8), width: 8, height: 8, imageIndex: 0)
        XCTAssertThrowsError(try reservoir.write(to: folder)) { XCTAssertTrue($0 is BankFileError) }
    }
}
