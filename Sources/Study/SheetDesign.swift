/// The parameters of a set of user-study sheets, validated once.
package struct SheetDesign: Sendable, Equatable {
    /// One sheet per rater.
    package var raters: Int
    package var seed: UInt64
    /// Test trials per study (per ratio for `real_or_fake`) on each sheet.
    package var trialsPerStudy: Int
    package var studies: [StudyKind]
    /// Resize ratios of `real_or_fake`.
    package var ratios: [Double]
    /// Attention checks mixed into each sheet.
    package var attentionChecks: Int
    /// How long the images stay visible; 0: until answered.
    package var exposureMilliseconds: Int
    /// Side in pixels of every image at ratio 1 (images are centre-cropped square).
    package var baseSize: Int
    /// Width in screen pixels of an image at ratio 1 on the page (the browser scales it smoothly);
    /// a ratio's images are shown at that fraction of it, both sides of a trial alike.
    package var displaySize: Int
    /// The artist the sheets are about, for reports.
    package var artist: String

    package init(raters: Int = 3, seed: UInt64 = 1, trialsPerStudy: Int = 8, studies: [StudyKind] = StudyKind.allCases,
                ratios: [Double] = [1, 2.0 / 3.0, 0.5], attentionChecks: Int = 3, exposureMilliseconds: Int = 0,
                baseSize: Int = 256, displaySize: Int = 256, artist: String = "") {
        self.raters = raters
        self.seed = seed
        self.trialsPerStudy = trialsPerStudy
        self.studies = studies
        self.ratios = ratios
        self.attentionChecks = attentionChecks
        self.exposureMilliseconds = exposureMilliseconds
        self.baseSize = baseSize
        self.displaySize = displaySize
        self.artist = artist
    }

    /// Throws `StudyError.invalidDesign` naming the first value out of range.
    package func validate() throws {
        func fail(_ message: String) throws -> Never { throw StudyError.invalidDesign(message) }
        if raters < 1 { try fail("raters must be at least 1 (got \(raters))") }
        if trialsPerStudy < 1 { try fail("trials_per_study must be at least 1 (got \(trialsPerStudy))") }
        if studies.isEmpty { try fail("studies must name at least one study") }
        if Set(studies).count != studies.count { try fail("studies lists a study twice") }
        if studies.contains(.realOrFake) && ratios.isEmpty { try fail("ratios must hold at least one ratio for real_or_fake") }
        if let bad = ratios.first(where: { !($0 > 0 && $0 <= 1) }) { try fail("every ratio must be in (0, 1] (got \(bad))") }
        if attentionChecks < 0 { try fail("attention_checks must not be negative (got \(attentionChecks))") }
        if exposureMilliseconds < 0 { try fail("exposure_ms must not be negative (got \(exposureMilliseconds))") }
        if baseSize < 16 || baseSize > 2048 { try fail("base_size must be in 16...2048 (got \(baseSize))") }
        if displaySize < 64 || displaySize > 2048 { try fail("display_size must be in 64...2048 (got \(displaySize))") }
    }
}
