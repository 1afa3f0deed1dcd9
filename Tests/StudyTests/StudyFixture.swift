import Foundation
import Imaging
import Pipeline
import Stages
import Study
import TestSupport
import XCTest

/// A temporary workspace holding demo scenes as stand-ins for the study's folders (paintings as the
/// baseline's results, their ground-truth photos as the method's) and a run of a `user_study` stage.
final class StudyFixture {
    let root: URL
    let runner: Runner
    let experimentName = "study_test"

    init(raters: Int = 2, trialsPerStudy: Int = 2, attentionChecks: Int = 2, extraParams: String = "") throws {
        root = TemporaryFolder.url("pleinair-study")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try DemoScenes.write(DemoSceneOptions(trainCount: 0, testCount: 5, size: 24, seed: 3, styles: [.impressionist]),
                             to: root.appendingPathComponent("data"))
        let spec = """
            experiment: \(experimentName)
            stages:
              study:
                kind: user_study
                inputs:
                  paintings: data/impressionist/test
                  baseline: data/impressionist/test
                  method: data/impressionist/test_truth
                  real: data/photos/test
                params: {raters: \(raters), trials_per_study: \(trialsPerStudy), attention_checks: \(attentionChecks), base_size: 32, artist: impressionist\(extraParams)}
            """
        try spec.write(to: root.appendingPathComponent("study.yaml"), atomically: true, encoding: .utf8)
        runner = try Runner(workspace: Workspace(root: root), stages: [UserStudyStage()])
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Runs the experiment and returns the study stage's fingerprint.
    @discardableResult
    func run() throws -> String {
        let experiment = try runner.load(root.appendingPathComponent("study.yaml").path)
        let (plan, summary) = try runner.run(experiment, options: RunOptions(), observer: SilentObserver())
        XCTAssertEqual(summary?.succeeded, true)
        return plan.stages.first { $0.instance.id == "study" }!.fingerprint
    }

    func output(_ name: String, fingerprint: String) -> URL {
        runner.store.outputURL(fingerprint: fingerprint, name: name)
    }

    func key(fingerprint: String) throws -> AnswerKey {
        try AnswerKey.read(output(UserStudyKind.keyOutput, fingerprint: fingerprint))
    }

    /// A CSV as the page writes it, choosing for each trial with `choose`.
    static func answers(_ sheet: SheetKey, choose: (TrialKey) -> Int) -> String {
        ([SheetPage.csvHeader] + sheet.trials.map { "\(sheet.sheetID),\($0.trialID),\(choose($0)),812" }).joined(separator: "\n") + "\n"
    }

    /// Passes every attention check and always picks the method's image.
    static func honest(_ sheet: SheetKey) -> String {
        answers(sheet) { $0.expectedSide ?? $0.oursSide! }
    }

    func writeFile(_ name: String, _ text: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}

final class SilentObserver: RunObserver, @unchecked Sendable {
    func stageCached(_ id: String) {}
    func stageStarted(_ id: String, reason: RunReason) {}
    func stageSucceeded(_ id: String, seconds: Double) {}
    func stageFailed(_ id: String, error: String, log: String?) { XCTFail("\(id) failed: \(error)") }
    func stageSkipped(_ id: String, because: String) {}
    func stageInterrupted(_ id: String) {}
    func progress(_ id: String, fraction: Double, message: String) {}
}
