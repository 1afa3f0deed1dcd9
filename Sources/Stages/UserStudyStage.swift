import Foundation
import Imaging
import Pipeline
import Study

/// `user_study`: the three user studies of the method as offline HTML sheets, one shuffled sheet per
/// rater, plus the answer key (`key`, never given to raters) that `pleinair study ingest` imports
/// through the ledger's record of this output, and a printable PNG per sheet (`print`).
package struct UserStudyStage: Stage {
    package init() {}

    static let raters = Param<Int>("raters", default: 3, rule: .atLeast(1), doc: "one sheet per rater")
    static let seed = Param<Int>("seed", default: 1, rule: .atLeast(0), doc: "sheets, sides and order are a pure function of the seed")
    static let trialsPerStudy = Param<Int>("trials_per_study", default: 8, rule: .atLeast(1),
                                           doc: "test trials per study on each sheet (per ratio for real_or_fake)")
    static let studies = Param<[StudyKind]>("studies", default: StudyKind.allCases, rule: .nonEmpty, doc: "which studies the sheets hold")
    static let ratios = Param<[Double]>("ratios", default: [1, 2.0 / 3.0, 0.5], rule: .within(0.05, 1), doc: "resize ratios of real_or_fake")
    static let attentionChecks = Param<Int>("attention_checks", default: 3, rule: .atLeast(0),
                                            doc: "trials with an obvious answer (an image against noise) per sheet")
    static let exposure = Param<Int>("exposure_ms", default: 0, rule: .atLeast(0),
                                     doc: "how long images stay visible per trial; 0: until answered")
    static let baseSize = Param<Int>("base_size", default: 256, rule: .atLeast(8),
                                     doc: "side in pixels of every image at ratio 1 (centre-cropped square)")
    static let displaySize = Param<Int>("display_size", default: 256, rule: .within(64, 2048),
                                        doc: "width on screen of an image at ratio 1, in pixels (smaller files are upscaled smoothly; the sheet says so)")
    static let artist = Param<String>("artist", default: "", doc: "the artist the sheets are about, for reports")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: UserStudyKind.name, version: 2,
            summary: "realism, coherence and real-or-generated study sheets (offline HTML) with their answer key",
            params: [Self.raters.spec, Self.seed.spec, Self.trialsPerStudy.spec, Self.studies.spec, Self.ratios.spec,
                     Self.attentionChecks.spec, Self.exposure.spec, Self.baseSize.spec, Self.displaySize.spec, Self.artist.spec],
            inputs: [("paintings", false), ("baseline", false), ("method", true), ("real", false)],
            outputs: [UserStudyKind.sheetsOutput, UserStudyKind.keyOutput, UserStudyKind.printOutput],
            check: { configuration in Self.inputProblems(studies: configuration.params[Self.studies], inputs: configuration.inputs) },
            // The `*.` metrics arrive later, from `pleinair study report`, one set per study row.
            metrics: { _ in
                MetricDeclaration.results("*.ours", "*.ci_low", "*.ci_high", "*.p")
                    + MetricDeclaration.bookkeeping("raters", "trials_per_sheet", "sheets_accepted", "sheets_excluded", "*.n")
            })
    }

    /// The inputs the chosen studies need and were not given.
    static func inputProblems(studies: [StudyKind], inputs: Set<String>) -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if studies.contains(where: { $0 != .realOrFake }), !inputs.contains("paintings") || !inputs.contains("baseline") {
            problems.append(ConfigurationProblem(param: Self.studies.name, "realism and coherence need the inputs 'paintings' and 'baseline'"))
        }
        if studies.contains(.realOrFake), !inputs.contains("real") {
            problems.append(ConfigurationProblem(param: Self.studies.name, "real_or_fake needs the input 'real' (a folder of real photographs)"))
        }
        return problems
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let design = SheetDesign(
            raters: p[Self.raters], seed: UInt64(p[Self.seed]), trialsPerStudy: p[Self.trialsPerStudy],
            studies: p[Self.studies], ratios: p[Self.ratios], attentionChecks: p[Self.attentionChecks],
            exposureMilliseconds: p[Self.exposure], baseSize: p[Self.baseSize], displaySize: p[Self.displaySize],
            artist: p[Self.artist])
        func folder(_ name: String) throws -> ImageFolder? {
            try context.inputs[name].map { try ImageFolder(root: $0) }
        }
        let sources = StudySources(paintings: try folder("paintings"), baseline: try folder("baseline"),
                                   method: try folder("method"), real: try folder("real"))
        if let problem = Self.inputProblems(studies: design.studies, inputs: Set(context.inputs.keys)).first { throw problem }
        let sheets: [PlannedSheet]
        do {
            sheets = try SheetPlanner.plan(design, paired: sources.paired, method: sources.method?.relativePaths ?? [],
                                           real: sources.real?.relativePaths ?? [], salt: context.fingerprint)
        } catch let error as StudyError {
            throw StageFailure.message(error.description)
        }
        context.log.write("\(sheets.count) sheets of \(sheets.first?.trials.count ?? 0) trials; \(sources.paired.count) paired paintings")
        var writer = SheetWriter(design: design, sources: sources)
        let key = try writer.write(sheets, to: try context.output(UserStudyKind.sheetsOutput),
                                   printFolder: try context.output(UserStudyKind.printOutput))
        try key.encoded().write(to: try context.output(UserStudyKind.keyOutput), options: .atomic)
        return StageResult(metrics: [
            Metric(name: "raters", value: Double(sheets.count)),
            Metric(name: "trials_per_sheet", value: Double(sheets.first?.trials.count ?? 0)),
        ])
    }
}
