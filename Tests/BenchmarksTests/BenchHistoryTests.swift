@testable import Benchmarks
import Foundation
import TestSupport
import XCTest

/// The bench history's rules (no timing is measured here): figures compared only with the last run
/// on the same CPU model, in the figure's own direction, warned about beyond 15%.
final class BenchHistoryTests: XCTestCase {
    private func entry(_ name: String, _ value: Double, cpu: String = "AMD EPYC", better: BenchFigure.Better = .lower,
                       date: String = "2026-12-05T10:00:00Z") -> BenchHistory.Entry {
        BenchHistory.Entry(date: date, cpu: cpu, name: name, value: value, goal: 1, better: better)
    }

    private func figure(_ name: String, _ value: Double, better: BenchFigure.Better = .lower) -> BenchFigure {
        BenchFigure(name: name, value: value, goal: 1, better: better)
    }

    func testWorseningFollowsTheDirectionOfTheFigure() throws {
        XCTAssertEqual(try XCTUnwrap(BenchHistory.worsening(120, from: 100, better: .lower)), 1.2, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(BenchHistory.worsening(80, from: 100, better: .lower)), 0.8, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(BenchHistory.worsening(1.2, from: 1.5, better: .higher)), 1.25, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(BenchHistory.worsening(1.5, from: 1.2, better: .higher)), 0.8, accuracy: 1e-12)
        XCTAssertNil(BenchHistory.worsening(0, from: 1, better: .higher), "no ratio of a zero")
        XCTAssertNil(BenchHistory.worsening(1, from: .nan, better: .lower))
    }

    func testOnlyTheLastRunOnTheSameCPUModelCountsAndOnlyBeyondFifteenPercent() {
        let history = [
            entry("pipeline.noop_1000_ms", 50),  // an older run: not what the next is held to
            entry("pipeline.noop_1000_ms", 100, date: "2026-12-06T09:00:00Z"),
            entry("pipeline.noop_1000_ms", 10, cpu: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz"),
            entry("fid.inception_vs_torch", 1.6, better: .higher),
            entry("train.loss_share_pct", 40),
        ]
        let warnings = BenchHistory.warnings(for: [
            figure("pipeline.noop_1000_ms", 120),              // 20% worse than 100: warned
            figure("fid.inception_vs_torch", 1.3, better: .higher),  // 1.6 / 1.3 = 1.23: warned
            figure("train.loss_share_pct", 45),                // 12.5% worse: within the tolerance
            figure("engine.step_vs_torch_2t", 9),              // never measured on this CPU
        ], cpu: "AMD EPYC", history: history)
        XCTAssertEqual(warnings.count, 2, warnings.joined(separator: "\n"))
        XCTAssertTrue(warnings[0].contains("pipeline.noop_1000_ms is 120") && warnings[0].contains("20% worse")
                      && warnings[0].contains("100 on 2026-12-06T09:00:00Z"), warnings[0])
        XCTAssertTrue(warnings[1].contains("fid.inception_vs_torch is 1.3") && warnings[1].contains("higher is better"), warnings[1])
        XCTAssertEqual(BenchHistory.warnings(for: [figure("pipeline.noop_1000_ms", 120)], cpu: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz",
                                             history: history).count, 1, "12x worse than that CPU's own last run")
        XCTAssertEqual(BenchHistory.warnings(for: [figure("fid.inception_vs_torch", 2.0, better: .higher)], cpu: "AMD EPYC",
                                             history: history), [], "better is never warned about")
    }

    func testRecordAppendsEachRunAndWarnsAgainstTheFileItFinds() throws {
        let folder = TemporaryFolder.url("bench-history")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("nested/bench-history.jsonl")
        let first = [figure("pipeline.noop_40_ms", 40), figure("pipeline.dvc_ratio", 30, better: .higher)]
        XCTAssertEqual(try BenchHistory.record(first, cpu: "AMD EPYC", file: file), [], "a first run has nothing to compare with")
        // A line cut short by a killed run is left out, not fatal.
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"date\": \"2026".utf8))
        try handle.write(contentsOf: Data("\n".utf8))
        try handle.close()
        let second = [figure("pipeline.noop_40_ms", 60), figure("pipeline.dvc_ratio", 31, better: .higher)]
        let warnings = try BenchHistory.record(second, cpu: "AMD EPYC", file: file)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("pipeline.noop_40_ms is 60") && warnings[0].contains("50% worse"), warnings[0])
        let kept = BenchHistory.read(file)
        XCTAssertEqual(kept.map(\.name), ["pipeline.noop_40_ms", "pipeline.dvc_ratio", "pipeline.noop_40_ms", "pipeline.dvc_ratio"])
        XCTAssertEqual(kept.map(\.value), [40, 30, 60, 31])
        XCTAssertTrue(kept.allSatisfy { $0.cpu == "AMD EPYC" && !$0.date.isEmpty })
    }

    func testTheCPUModelAndTheFileComeFromWhereTheyAreDocumented() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R14 96-Core Processor\nflags\t\t: fpu\n"
        XCTAssertEqual(BenchHistory.cpuModel(cpuinfo: cpuinfo), "AMD EPYC 9R14 96-Core Processor")
        XCTAssertEqual(BenchHistory.cpuModel(cpuinfo: "processor\t: 0\n"), "unknown CPU")
        XCTAssertEqual(BenchHistory.file(environment: ["PLEINAIR_BENCH_HISTORY": "/tmp/h.jsonl", "XDG_CACHE_HOME": "/c"]).path, "/tmp/h.jsonl")
        XCTAssertEqual(BenchHistory.file(environment: ["XDG_CACHE_HOME": "/c"]).path, "/c/pleinair/bench-history.jsonl")
        XCTAssertTrue(BenchHistory.file(environment: [:]).path.hasSuffix("/.cache/pleinair/bench-history.jsonl"))
    }

    func testAFigureSaysItsGoalAndWhetherItIsMet() {
        XCTAssertEqual(BenchFigure(name: "pipeline.noop_1000_ms", value: 80, goal: 100, better: .lower, unit: " ms").goalText,
                       "goal ≤ 100 ms: met")
        XCTAssertEqual(BenchFigure(name: "fid.inception_vs_torch", value: 1.1, goal: 1.4, better: .higher).goalText, "goal ≥ 1.4: NOT met")
        XCTAssertEqual(BenchFigure(name: "train.loss_share_pct", value: 25.5, goal: 25, better: .lower, unit: "%").goalText,
                       "goal ≤ 25%: NOT met")
    }
}
