import NN
import Foundation
@testable import Pretrained
import XCTest

/// The Fréchet distance against pytorch-fid's SciPy `sqrtm` computation (fid_reference.py).
final class FrechetDistanceTests: XCTestCase {
    func fixture(_ name: String) throws -> [String: Float64Array] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures/fid"))
        return try Float64SafeTensors.read(contentsOf: url).tensors
    }

    func statistics(_ f: [String: Float64Array], _ key: String) throws -> GaussianStatistics {
        let x = try XCTUnwrap(f[key])
        return GaussianStatistics(features: x.values.map(Float.init), dimension: x.shape[1])
    }

    /// Statistics from float64 samples (the fixture keeps them in double so the comparison is not
    /// limited by narrowing to Float).
    func exactStatistics(_ f: [String: Float64Array], _ key: String) throws -> GaussianStatistics {
        let x = try XCTUnwrap(f[key])
        return GaussianStatistics(samples: x.values, dimension: x.shape[1])
    }

    func assertAgreesWithSciPy(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try fixture(name)
        let d = try FrechetDistance.between(try exactStatistics(f, "features1"), try exactStatistics(f, "features2"))
        let scipy = try XCTUnwrap(f["fid_scipy"]?.values.first)
        XCTAssertLessThan(abs(d.value - scipy) / abs(scipy), 1e-6, "\(name): \(d.value) vs SciPy \(scipy)", file: file, line: line)
        XCTAssertFalse(d.usedOffset, file: file, line: line)
    }

    func testRandomGaussiansAgreeWithSciPy() throws { try assertAgreesWithSciPy("frechet_random") }

    func testActivationLikeStatisticsAgreeWithSciPy() throws { try assertAgreesWithSciPy("frechet_activations") }

    func testRankDeficientCovariancesAgreeWithSciPy() throws { try assertAgreesWithSciPy("frechet_rank_deficient") }

    func testFewerSamplesThanDimensionsGiveAReferenceOfTheirRank() throws {
        let f = try fixture("frechet_rank_deficient")
        let reference = try FrechetReference(try exactStatistics(f, "features1"))
        XCTAssertEqual(reference.rank, 89)  // 90 centred samples span 89 dimensions of 256
    }

    func testCovarianceMatchesNumPy() throws {
        let f = try fixture("frechet_random")
        let s = try exactStatistics(f, "features1")
        let mu = try XCTUnwrap(f["mu1"]).values, sigma = try XCTUnwrap(f["sigma1"]).values
        for (a, b) in zip(s.mean, mu) { XCTAssertEqual(a, b, accuracy: 1e-12 * max(1, abs(b))) }
        for (a, b) in zip(s.covariance, sigma) { XCTAssertEqual(a, b, accuracy: 1e-10 * max(1, abs(b))) }
    }

    func testDistanceOfStatisticsToThemselvesIsZero() throws {
        let s = try statistics(try fixture("frechet_activations"), "features1")
        let d = try FrechetDistance.between(s, s)
        XCTAssertEqual(d.value, 0, accuracy: 1e-9 * d.traceOfSquareRoot)
    }

    func testMismatchedDimensionsAreRejected() {
        let a = GaussianStatistics(features: [1, 2, 3, 4], dimension: 2)
        let b = GaussianStatistics(features: [1, 2, 3, 4, 5, 6], dimension: 3)
        XCTAssertThrowsError(try FrechetDistance.between(a, b)) { error in
            XCTAssertEqual(error as? FrechetDistanceError, .dimensionMismatch(2, 3))
        }
    }
}
