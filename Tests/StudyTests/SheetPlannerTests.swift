import Foundation
import XCTest
@testable import Study

/// Drawing the trials of every sheet.
final class SheetPlannerTests: XCTestCase {
    let paired = (0..<10).map { String(format: "%05d.png", $0) }
    let real = (0..<7).map { "photo\($0).png" }

    func plan(_ design: SheetDesign, salt: String = "fp") throws -> [PlannedSheet] {
        try SheetPlanner.plan(design, paired: paired, method: paired, real: real, salt: salt)
    }

    func testEverySheetHoldsEachStudyAtEachRatioPlusTheAttentionChecks() throws {
        let sheets = try plan(SheetDesign(raters: 3, trialsPerStudy: 6, attentionChecks: 3))
        XCTAssertEqual(sheets.count, 3)
        for sheet in sheets {
            let tests = sheet.trials.filter { $0.key.role == .test }
            XCTAssertEqual(tests.filter { $0.key.study == .realism }.count, 6)
            XCTAssertEqual(tests.filter { $0.key.study == .coherence }.count, 6)
            for ratio in [1, 2.0 / 3.0, 0.5] {
                XCTAssertEqual(tests.filter { $0.key.study == .realOrFake && $0.key.ratio == ratio }.count, 6)
            }
            XCTAssertEqual(sheet.trials.filter { $0.key.role == .attention }.count, 3)
            XCTAssertEqual(Set(sheet.trials.map(\.key.trialID)).count, sheet.trials.count, "trial ids are unique")
        }
    }

    func testSidesOfTheMethodAreBalancedWithinEveryStudyOfEverySheet() throws {
        for sheet in try plan(SheetDesign(raters: 4, trialsPerStudy: 8)) {
            for study in StudyKind.allCases {
                for ratio in Set(sheet.trials.filter { $0.key.study == study && $0.key.role == .test }.map(\.key.ratio)) {
                    let sides = sheet.trials.filter { $0.key.study == study && $0.key.role == .test && $0.key.ratio == ratio }.map { $0.key.oursSide! }
                    XCTAssertEqual(sides.filter { $0 == 1 }.count, 4, "\(study) at \(ratio)")
                    XCTAssertEqual(sides.filter { $0 == 2 }.count, 4, "\(study) at \(ratio)")
                }
            }
        }
    }

    func testOddCountsPutTheExtraTrialOnAlternateSidesAcrossRaters() throws {
        let sheets = try plan(SheetDesign(raters: 2, trialsPerStudy: 3, studies: [.realism], attentionChecks: 0))
        let left = sheets.map { $0.trials.filter { $0.key.oursSide == 1 }.count }
        XCTAssertEqual(left.sorted(), [1, 2])
    }

    func testTheMethodsImageIsOnTheSideTheKeySays() throws {
        for trial in try plan(SheetDesign(raters: 2)).flatMap(\.trials) where trial.key.role == .test {
            let ours = trial.key.oursSide == 1 ? trial.first : trial.second
            let other = trial.key.oursSide == 1 ? trial.second : trial.first
            guard case .method = ours else { return XCTFail("side \(trial.key.oursSide!) should show the method: \(trial)") }
            switch (trial.key.study, other) {
            case (.realOrFake, .real), (.realism, .baseline), (.coherence, .baseline): break
            default: XCTFail("unexpected opponent \(other) in \(trial.key.study)")
            }
            XCTAssertEqual(trial.top != nil, trial.key.study == .coherence)
        }
    }

    func testAttentionChecksPutNoiseOppositeTheExpectedSide() throws {
        for trial in try plan(SheetDesign(raters: 2, attentionChecks: 4)).flatMap(\.trials) where trial.key.role == .attention {
            let wrong = trial.key.expectedSide == 1 ? trial.second : trial.first
            guard case .noise = wrong else { return XCTFail("the unexpected side should be noise: \(trial)") }
            XCTAssertNil(trial.key.oursSide)
        }
    }

    func testSheetsAreAPureFunctionOfSeedAndSaltAndDifferBetweenRaters() throws {
        let a = try plan(SheetDesign(raters: 2, seed: 7)), b = try plan(SheetDesign(raters: 2, seed: 7))
        XCTAssertEqual(a.map { $0.trials.map(\.key) }, b.map { $0.trials.map(\.key) })
        XCTAssertNotEqual(a[0].trials.map(\.key.trialID), a[1].trials.map(\.key.trialID))
        XCTAssertNotEqual(a[0].trials.map(\.key.source), a[1].trials.map(\.key.source), "raters see different orders")
        let other = try plan(SheetDesign(raters: 2, seed: 8))
        XCTAssertNotEqual(a[0].trials.map(\.key.source), other[0].trials.map(\.key.source))
        XCTAssertNotEqual(a[0].sheetID, try plan(SheetDesign(raters: 2, seed: 7), salt: "other")[0].sheetID)
    }

    func testInvalidDesignsAreRefusedWithTheOffendingValue() {
        XCTAssertThrowsError(try plan(SheetDesign(raters: 0))) { error in
            XCTAssertEqual(error as? StudyError, .invalidDesign("raters must be at least 1 (got 0)"))
        }
        XCTAssertThrowsError(try plan(SheetDesign(ratios: [1, 1.5]))) { error in
            XCTAssertEqual(error as? StudyError, .invalidDesign("every ratio must be in (0, 1] (got 1.5)"))
        }
        XCTAssertThrowsError(try SheetPlanner.plan(SheetDesign(), paired: [], method: paired, real: real, salt: "x"))
    }
}
