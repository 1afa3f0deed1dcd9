import Basics
import Foundation
import TestSupport
@testable import Pretrained
import XCTest

/// KID against its definition and against clean-fid's own `kernel_distance`
/// (scripts/reference/cleanfid_reference.py, clean-fid 0.1.35 from `PLEINAIR_CLEANFID_DIR`).
final class KernelInceptionDistanceTests: XCTestCase {
    /// Rows that look like pooled activations: non-negative, with a per-set shift.
    static func features(rows: Int, dimension: Int, shift: Float, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<(rows * dimension)).map { i in abs(g.normal()) + shift * Float(i % dimension) / Float(dimension) }
    }

    /// The estimator written out pair by pair, for one pair of equal-size sets.
    static func naiveMMD(_ x: [Float], _ y: [Float], dimension d: Int) -> Double {
        let m = x.count / d
        func k(_ a: [Float], _ i: Int, _ b: [Float], _ j: Int) -> Double {
            var dot = 0.0
            for t in 0..<d { dot += Double(a[i * d + t]) * Double(b[j * d + t]) }
            return pow(dot / Double(d) + 1, 3)
        }
        var xx = 0.0, yy = 0.0, xy = 0.0
        for i in 0..<m {
            for j in 0..<m {
                if i != j { xx += k(x, i, x, j); yy += k(y, i, y, j) }
                xy += k(x, i, y, j)
            }
        }
        return (xx + yy) / Double(m * (m - 1)) - 2 * xy / Double(m * m)
    }

    func testWholeSetsGiveTheUnbiasedMMDOfTheirDefinition() {
        let x = Self.features(rows: 12, dimension: 7, shift: 0, seed: 1), y = Self.features(rows: 12, dimension: 7, shift: 0.8, seed: 2)
        var g = SeededGenerator(seed: 0)
        let kid = KernelInceptionDistance(generated: x, reference: y, dimension: 7).distance(subsets: 5, using: &g)
        let expected = Self.naiveMMD(x, y, dimension: 7)
        XCTAssertEqual(kid.subsetSize, 12)
        XCTAssertEqual(kid.value, expected, accuracy: abs(expected) * 1e-12)
        XCTAssertEqual(kid.standardDeviation, 0, accuracy: abs(expected) * 1e-12, "every subset is the whole set")
    }

    func testOneKernelMatrixAndOnePerSubsetGiveTheSameSubsets() {
        let x = Self.features(rows: 30, dimension: 16, shift: 0.2, seed: 3), y = Self.features(rows: 45, dimension: 16, shift: 0, seed: 4)
        var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9)
        let whole = KernelInceptionDistance(generated: x, reference: y, dimension: 16).distance(subsets: 20, maxSubsetSize: 10, using: &g1)
        let perSubset = KernelInceptionDistance(generated: x, reference: y, dimension: 16, wholeKernelLimit: 0)
            .distance(subsets: 20, maxSubsetSize: 10, using: &g2)
        XCTAssertEqual(whole.subsetSize, 10)
        for (a, b) in zip(whole.subsetValues, perSubset.subsetValues) { XCTAssertEqual(a, b, accuracy: 1e-12 * max(abs(a), 1e-3)) }
        XCTAssertGreaterThan(whole.standardDeviation, 0)
    }

    func testABootstrapResampleReplacesTheGeneratedSet() {
        let x = Self.features(rows: 10, dimension: 5, shift: 0, seed: 5), y = Self.features(rows: 10, dimension: 5, shift: 1, seed: 6)
        let kid = KernelInceptionDistance(generated: x, reference: y, dimension: 5)
        let picked = [3, 3, 0, 9, 7, 7, 7, 1, 2, 4]
        var g = SeededGenerator(seed: 1)
        let resampled = kid.distance(subsets: 1, generatedIndices: picked, using: &g)
        let rows = picked.flatMap { Array(x[($0 * 5)..<($0 * 5 + 5)]) }
        let expected = Self.naiveMMD(rows, y, dimension: 5)
        XCTAssertEqual(resampled.value, expected, accuracy: abs(expected) * 1e-12)
    }

    // MARK: against clean-fid

    func writeFeatures(_ values: [Float], _ url: URL) throws {
        try values.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: url)
    }

    func cleanFIDKID(_ a: [Float], _ b: [Float], dimension: Int, subsets: Int, maxSubsetSize: Int, seed: Int) throws -> Double {
        try Requirement.cleanFID.check(Requirement.cleanFIDImports,
                                       "clean-fid 0.1.35 not importable from PLEINAIR_CLEANFID_DIR (scripts/test.sh installs it)", in: self)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fa = folder.appendingPathComponent("a.f32"), fb = folder.appendingPathComponent("b.f32")
        try writeFeatures(a, fa); try writeFeatures(b, fb)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/reference/cleanfid_reference.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, "kid", fa.path, fb.path, "\(dimension)", "\(subsets)", "\(maxSubsetSize)", "\(seed)"]
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": Requirement.cleanFIDDirectory!]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out; process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, errors)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Double], errors)
        return try XCTUnwrap(json["kid"])
    }

    func testEqualSetsWithinTheSubsetSizeAgreeWithCleanFIDWithinAMillionth() throws {
        for (rows, dimension, shift) in [(40, 64, Float(0.3)), (25, 192, 0.05), (60, 2048, 0.5)] {
            let a = Self.features(rows: rows, dimension: dimension, shift: shift, seed: UInt64(rows))
            let b = Self.features(rows: rows, dimension: dimension, shift: 0, seed: UInt64(rows + 1))
            let theirs = try cleanFIDKID(a, b, dimension: dimension, subsets: 3, maxSubsetSize: 1000, seed: 0)
            var g = SeededGenerator(seed: 0)
            let ours = KernelInceptionDistance(generated: a, reference: b, dimension: dimension).distance(subsets: 3, using: &g)
            XCTAssertLessThan(abs(ours.value - theirs) / abs(theirs), 1e-6, "\(rows)×\(dimension): ours \(ours.value), clean-fid \(theirs)")
            print("KID \(rows)×\(dimension): ours \(ours.value), clean-fid \(theirs), relative \(abs(ours.value - theirs) / abs(theirs))")
        }
    }

    func testLargerSetsWithSeededSubsetsAgreeWithCleanFIDWithinThreeStandardErrors() throws {
        let dimension = 64, subsets = 100
        let a = Self.features(rows: 150, dimension: dimension, shift: 0.4, seed: 11)
        let b = Self.features(rows: 220, dimension: dimension, shift: 0, seed: 12)
        let theirs = try cleanFIDKID(a, b, dimension: dimension, subsets: subsets, maxSubsetSize: 50, seed: 0)
        var g = SeededGenerator(seed: 0)
        let ours = KernelInceptionDistance(generated: a, reference: b, dimension: dimension).distance(subsets: subsets, maxSubsetSize: 50, using: &g)
        XCTAssertEqual(ours.subsetSize, 50)
        // Two independent means of `subsets` draws each: the standard error of their difference.
        let standardError = (2.0 / Double(subsets)).squareRoot() * ours.standardDeviation
        XCTAssertLessThan(abs(ours.value - theirs), 3 * standardError,
                          "ours \(ours.value) ± \(ours.standardDeviation) (std), clean-fid \(theirs)")
        print("KID ours \(ours.value), clean-fid \(theirs), difference \(abs(ours.value - theirs) / standardError) standard errors")
    }
}
