import Foundation
import Pipeline
import Study
import XCTest
import Statistics

/// `study ingest`: answer files checked against the key in the ledger, recorded, and summarised.
final class StudyIngestTests: XCTestCase {
    var fixture: StudyFixture!
    var fingerprint: String!
    var key: AnswerKey!
    var store: StudyStore!

    override func setUpWithError() throws {
        fixture = try StudyFixture(raters: 3, trialsPerStudy: 2, attentionChecks: 2)
        fingerprint = try fixture.run()
        key = try fixture.key(fingerprint: fingerprint)
        store = try StudyStore(ledger: fixture.runner.ledger)
        let imported = try store.importKeys(store: fixture.runner.store)
        XCTAssertEqual(imported.imported, 1)
        XCTAssertEqual(imported.problems, [])
    }

    override func tearDown() { fixture = nil }

    func ingest(_ name: String, _ text: String) throws -> IngestOutcome {
        try StudyIngest(store: store).ingest([fixture.writeFile(name, text)])[0]
    }

    func problems(_ outcome: IngestOutcome) -> [String] {
        if case .rejected(_, let problems) = outcome { return problems }
        XCTFail("expected a rejection, got \(outcome)")
        return []
    }

    func testKeysAreImportedOnce() throws {
        XCTAssertEqual(try store.importKeys(store: fixture.runner.store).imported, 0)
        XCTAssertEqual(try store.sheet(key.sheets[1].sheetID)?.trials.map(\.trialID), key.sheets[1].trials.map(\.trialID))
    }

    func testACompleteHonestSheetIsAcceptedAndCounted() throws {
        let outcome = try ingest("a.csv", StudyFixture.honest(key.sheets[0]))
        guard case .accepted(_, let sheet, let answers, let checks) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual([sheet, "\(answers)", "\(checks)"], [key.sheets[0].sheetID, "12", "2"])
        let rows = try StudyReport.rows(store)
        XCTAssertEqual(rows.map(\.label), ["coherence", "real_or_fake@1", "real_or_fake@0.67", "real_or_fake@0.5", "realism"])
        XCTAssertEqual(rows.map(\.estimate.successes), [2, 2, 2, 2, 2])
        XCTAssertEqual(rows.map(\.estimate.trials), [2, 2, 2, 2, 2])
        XCTAssertEqual(Set(rows.map(\.artist)), ["impressionist"])
    }

    func testFailedAttentionChecksExcludeTheSheetButRecordIt() throws {
        let careless = StudyFixture.answers(key.sheets[1]) { $0.role == .attention ? 3 - $0.expectedSide! : 1 }
        let outcome = try ingest("b.csv", careless)
        guard case .excluded(_, _, let reason) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertTrue(reason.hasPrefix("failed 2 of 2 attention checks"), reason)
        XCTAssertEqual(try store.submission(sheetID: key.sheets[1].sheetID)?.status, "excluded")
        XCTAssertEqual(try StudyReport.rows(store), [], "excluded sheets do not count")
    }

    func testUnknownSheetIsRejected() throws {
        let text = StudyFixture.honest(key.sheets[0]).replacingOccurrences(of: key.sheets[0].sheetID, with: "s000000000000")
        XCTAssertEqual(problems(try ingest("c.csv", text)), ["unknown sheet id 's000000000000': no user_study answer key in this workspace has it"])
    }

    func testUnknownTrialDuplicateAndMissingTrialsAreAllReported() throws {
        var lines = StudyFixture.honest(key.sheets[0]).split(separator: "\n").map(String.init)
        let first = key.sheets[0].trials[0].trialID, second = key.sheets[0].trials[1].trialID
        lines[1] = lines[1].replacingOccurrences(of: first, with: "tdeadbeefdeadbeef")  // line 2: unknown
        lines[3] = lines[2]                                                                // line 4 repeats line 3
        let found = problems(try ingest("d.csv", lines.joined(separator: "\n")))
        XCTAssertEqual(found.count, 3, "\(found)")
        XCTAssertEqual(found[0], "line 2: trial id 'tdeadbeefdeadbeef' is not on sheet \(key.sheets[0].sheetID)")
        XCTAssertEqual(found[1], "line 4: trial '\(second)' answered twice (first on line 3)")
        XCTAssertTrue(found[2].hasPrefix("incomplete: 10 of 12 trials answered; missing \(first)"), found[2])
        XCTAssertNil(try store.submission(sheetID: key.sheets[0].sheetID), "nothing of a rejected file is recorded")
    }

    func testASheetIngestedTwiceIsRejectedTheSecondTime() throws {
        let outcomes = try StudyIngest(store: store).ingest([
            fixture.writeFile("e1.csv", StudyFixture.honest(key.sheets[2])), fixture.writeFile("e2.csv", StudyFixture.honest(key.sheets[2])),
        ])
        XCTAssertEqual(outcomes.map { if case .accepted = $0 { return "accepted" } else { return "other" } }, ["accepted", "other"])
        XCTAssertTrue(problems(outcomes[1])[0].contains("was already ingested (accepted) from"), "\(outcomes[1])")
    }

    func testMalformedFilesAreRejectedWithTheirLine() throws {
        XCTAssertEqual(problems(try ingest("f.csv", "a,b\n")), ["\(fixture.root.path)/f.csv:1: expected the header '\(SheetPage.csvHeader)', found 'a,b'"])
        let text = SheetPage.csvHeader + "\n\(key.sheets[0].sheetID),\(key.sheets[0].trials[0].trialID),3,10\n"
        XCTAssertEqual(problems(try ingest("g.csv", text)), ["\(fixture.root.path)/g.csv:2: choice must be 1 or 2, found '3'"])
    }

    /// docs/user-study.md: a rejected file lists every problem with its line, so a bad choice
    /// on line 6 does not hide a wrong field count on line 9.
    func testEveryMalformedRowIsListedWithItsLine() throws {
        let row = "\(key.sheets[0].sheetID),\(key.sheets[0].trials[0].trialID)"
        let lines = [SheetPage.csvHeader, "\(row),1,10", "\(row),2,", "\(row),1,10", "", "\(row),7,10",
                     "\(row),2,10", "\(row),1,soon", "\(row),1", "\(row),2,10"]
        let path = "\(fixture.root.path)/m.csv"
        XCTAssertEqual(problems(try ingest("m.csv", lines.joined(separator: "\n"))), [
            "\(path):6: choice must be 1 or 2, found '7'",
            "\(path):8: response_ms must be a number, found 'soon'",
            "\(path):9: expected 4 fields, found 3",
        ])
    }

    func testPublishedFiguresBecomeMetricsOfTheStudyStage() throws {
        _ = try ingest("h1.csv", StudyFixture.honest(key.sheets[0]))
        try StudyReport.publish(store)
        // The second rater always picks side 1, so about half the choices go to the method.
        _ = try ingest("h2.csv", StudyFixture.answers(key.sheets[1]) { $0.expectedSide ?? 1 })
        try StudyReport.publish(store)
        let recorded = try fixture.runner.ledger.metrics(fingerprint: fingerprint)
        XCTAssertEqual(recorded.filter { $0.name == "realism.ours" }.count, 1, "publishing again replaces the figures")
        let metrics = Dictionary(recorded.map { ($0.name, $0.value) }) { a, _ in a }
        XCTAssertEqual(metrics["raters"], 3, "the stage's own metrics stay")
        XCTAssertEqual(metrics["sheets_accepted"], 2)
        XCTAssertEqual(metrics["realism.n"], 4)
        XCTAssertEqual(metrics["realism.ours"], 0.75)
        let expected = ShareEstimate(successes: 3, trials: 4)
        XCTAssertEqual(metrics["realism.ci_low"], expected.low)
        XCTAssertEqual(metrics["realism.p"], expected.pValue)
        XCTAssertNotNil(metrics["real_or_fake@0.5.ours"])
    }
}
