import Foundation
import XCTest
@testable import Statistics

/// The study statistics against SciPy (scripts/reference/study_reference.py).
final class BinomialStatisticsTests: XCTestCase {
    struct Case: Decodable {
        var k: Int
        var n: Int
        var p_value: Double
        var wilson_low: Double
        var wilson_high: Double
    }

    struct Reference: Decodable {
        var cases: [Case]
    }

    func reference() throws -> [Case] {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/study_reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url)).cases
    }

    func testBinomialTestMatchesSciPyBinomtest() throws {
        let cases = try reference()
        XCTAssertGreaterThan(cases.count, 10)
        for c in cases {
            let p = BinomialStatistics.binomialTestTwoSided(successes: c.k, trials: c.n)
            XCTAssertEqual(p, c.p_value, accuracy: 1e-12 + 1e-9 * c.p_value, "k=\(c.k) n=\(c.n)")
        }
    }

    func testWilsonIntervalMatchesSciPy() throws {
        for c in try reference() {
            let (low, high) = BinomialStatistics.wilsonInterval(successes: c.k, trials: c.n)
            XCTAssertEqual(low, c.wilson_low, accuracy: 1e-12, "k=\(c.k) n=\(c.n)")
            XCTAssertEqual(high, c.wilson_high, accuracy: 1e-12, "k=\(c.k) n=\(c.n)")
        }
    }

    func testShareEstimateOfNoTrialsIsUndefinedNotZero() {
        let estimate = ShareEstimate(successes: 0, trials: 0)
        XCTAssertTrue(estimate.share.isNaN)
        XCTAssertTrue(estimate.low.isNaN)
        XCTAssertEqual(estimate.pValue, 1)
    }
}
