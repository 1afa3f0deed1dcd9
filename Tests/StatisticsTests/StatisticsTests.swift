import Foundation
@testable import Statistics
import XCTest

/// The replicate statistics against SciPy 1.10 (scripts/reference/stats_reference.py).
final class StatisticsTests: XCTestCase {
    struct Reference: Decodable {
        struct Quantile: Decodable { let p: Double; let df: Double; let t: Double }
        struct CDF: Decodable { let t: Double; let df: Double; let cdf: Double }
        struct Interval: Decodable { let values: [Double]; let mean: Double; let sd: Double; let low: Double; let high: Double }
        struct Wilcoxon: Decodable { let differences: [Double]; let statistic: Double; let p: Double }
        struct Sign: Decodable { let differences: [Double]; let p: Double }
        let t_quantiles: [Quantile]
        let t_cdf: [CDF]
        let intervals: [Interval]
        let wilcoxon: [Wilcoxon]
        let sign: [Sign]
    }

    static let reference: Reference = {
        let url = Bundle.module.url(forResource: "stats_reference", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    private func assertClose(_ a: Double, _ b: Double, _ tolerance: Double, _ message: String, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(a - b), tolerance * max(1, abs(b)), "\(message): \(a) vs SciPy \(b)", line: line)
    }

    /// SciPy's own `t.cdf(t.ppf(0.9, 3), 3)` is 0.90000000036: its quantiles are good to ~1e-9
    /// relative, ours are the CDF's exact inverse, so quantiles and intervals agree to 1e-8.
    func testStudentTQuantilesAndCDFMatchSciPy() {
        for q in Self.reference.t_quantiles {
            assertClose(Statistics.studentTQuantile(q.p, degreesOfFreedom: q.df), q.t, 1e-8, "t.ppf(\(q.p), \(q.df))")
        }
        for c in Self.reference.t_cdf {
            assertClose(Statistics.studentTCDF(c.t, degreesOfFreedom: c.df), c.cdf, 1e-12, "t.cdf(\(c.t), \(c.df))")
        }
    }

    func testReplicateMeansHaveSciPysTIntervals() throws {
        for i in Self.reference.intervals {
            let summary = ReplicateSummary(values: i.values)
            assertClose(summary.mean, i.mean, 1e-14, "mean of \(i.values)")
            assertClose(try XCTUnwrap(summary.sd), i.sd, 1e-9, "sd of \(i.values)")
            assertClose(try XCTUnwrap(summary.low), i.low, 1e-8, "low of \(i.values)")
            assertClose(try XCTUnwrap(summary.high), i.high, 1e-8, "high of \(i.values)")
        }
    }

    func testOneReplicateHasNoInterval() {
        let one = ReplicateSummary(values: [0.61])
        XCTAssertEqual(one.mean, 0.61)
        XCTAssertNil(one.sd)
        XCTAssertNil(one.low)
        XCTAssertNil(one.halfWidth)
    }

    func testWilcoxonSignedRankMatchesSciPyExactAndApproximate() {
        for w in Self.reference.wilcoxon {
            let (statistic, p) = Statistics.wilcoxonSignedRank(w.differences)
            assertClose(statistic, w.statistic, 1e-12, "W of \(w.differences)")
            assertClose(p, w.p, 1e-9, "p of \(w.differences)")
        }
    }

    func testSignTestMatchesSciPysBinomialTest() {
        for s in Self.reference.sign {
            assertClose(Statistics.signTest(s.differences), s.p, 1e-10, "sign test of \(s.differences)")
        }
    }

    func testTheBootstrapIsReproducibleForASeedAndCoversTheMean() {
        let d = [0.3, -0.3, 0.9, 1.4, -0.2, 0.8, 2.2, 0.05]
        let a = Statistics.pairedBootstrap(d, resamples: 4000, seed: 7), b = Statistics.pairedBootstrap(d, resamples: 4000, seed: 7)
        XCTAssertEqual(a.low, b.low)
        XCTAssertEqual(a.high, b.high)
        let mean = d.reduce(0, +) / Double(d.count)
        XCTAssertLessThan(a.low, mean)
        XCTAssertGreaterThan(a.high, mean)
        XCTAssertNotEqual(Statistics.pairedBootstrap(d, resamples: 4000, seed: 8).low, a.low)
    }
}
