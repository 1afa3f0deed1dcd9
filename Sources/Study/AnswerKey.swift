import Foundation

/// What a `user_study` stage writes beside its sheets and `study ingest` imports into the ledger:
/// for every sheet, every trial and which side held what. Never shown to raters.
package struct AnswerKey: Codable, Sendable, Equatable {
    /// Bumped when the layout changes.
    package var version: Int = 1
    package var artist: String
    package var exposureMilliseconds: Int
    package var sheets: [SheetKey]

    package init(artist: String, exposureMilliseconds: Int, sheets: [SheetKey]) {
        self.artist = artist
        self.exposureMilliseconds = exposureMilliseconds
        self.sheets = sheets
    }

    /// Reads a key file.
    package static func read(_ url: URL) throws -> AnswerKey {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StudyError.unreadable(path: url.path, message: error.localizedDescription)
        }
        do { return try JSONDecoder().decode(AnswerKey.self, from: data) } catch {
            throw StudyError.unreadable(path: url.path, message: "not an answer key: \(error)")
        }
    }

    /// The key as stable, pretty JSON.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// One rater's sheet in the key.
package struct SheetKey: Codable, Sendable, Equatable {
    package var sheetID: String
    /// 1-based.
    package var rater: Int
    /// In the order the page shows them.
    package var trials: [TrialKey]

    package init(sheetID: String, rater: Int, trials: [TrialKey]) {
        self.sheetID = sheetID
        self.rater = rater
        self.trials = trials
    }
}

/// One trial in the key. Sides are 1 (left, key ← or 1) and 2 (right, key → or 2).
package struct TrialKey: Codable, Sendable, Equatable {
    package var trialID: String
    package var study: StudyKind
    /// The resize ratio both images were shown at (1 outside `real_or_fake`).
    package var ratio: Double
    package var role: TrialRole
    /// Test trials: the side showing the method's result.
    package var oursSide: Int?
    /// Attention checks: the side with the obvious answer.
    package var expectedSide: Int?
    /// Which input images the trial shows (file names, for audits), e.g. `painting=12.png real=7.png`.
    package var source: String
    /// The file names of the images on the page: the painting (coherence) or "", then sides 1 and 2.
    package var images: [String]

    package init(trialID: String, study: StudyKind, ratio: Double, role: TrialRole, oursSide: Int?, expectedSide: Int?,
                source: String, images: [String]) {
        self.trialID = trialID
        self.study = study
        self.ratio = ratio
        self.role = role
        self.oursSide = oursSide
        self.expectedSide = expectedSide
        self.source = source
        self.images = images
    }
}
