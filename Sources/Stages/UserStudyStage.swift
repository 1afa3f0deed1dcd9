import Foundation
import Imaging
import Pipeline
import Study

/// `user_study`: the three user studies of the method as offline HTML sheets, one shuffled sheet per
/// rater, plus the answer key (`key`, never given to raters) that `pleinair study ingest` imports
/// through the ledger's record of this output, and a printable PNG per sheet (`print`).
public struct UserStudyStage: Stage {
    public init() {}

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: UserStudyKind.name, version: 1,
            summary: "realism, coherence and real-or-generated study sheets (offline HTML) with their answer key",
            params: [
                ParamSpec("raters", .int, default: .int(3), doc: "one sheet per rater"),
                ParamSpec("seed", .int, default: .int(1), doc: "sheets, sides and order are a pure function of the seed"),
                ParamSpec("trials_per_study", .int, default: .int(8), doc: "test trials per study on each sheet (per ratio for real_or_fake)"),
                ParamSpec("studies", .list(.oneOf(StudyKind.allCases.map(\.rawValue))),
                          default: .list(StudyKind.allCases.map { .string($0.rawValue) }), doc: "which studies the sheets hold"),
                ParamSpec("ratios", .list(.number), default: .list([.double(1), .double(2.0 / 3.0), .double(0.5)]),
                          doc: "resize ratios of real_or_fake"),
                ParamSpec("attention_checks", .int, default: .int(3), doc: "trials with an obvious answer (an image against noise) per sheet"),
                ParamSpec("exposure_ms", .int, default: .int(0), doc: "how long images stay visible per trial; 0: until answered"),
                ParamSpec("base_size", .int, default: .int(256), doc: "side in pixels of every image at ratio 1 (centre-cropped square)"),
                ParamSpec("artist", .string, default: .string(""), doc: "the artist the sheets are about, for reports"),
            ],
            inputs: [("paintings", false), ("baseline", false), ("method", true), ("real", false)],
            outputs: [UserStudyKind.sheetsOutput, UserStudyKind.keyOutput, UserStudyKind.printOutput])
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let design = SheetDesign(
            raters: p["raters"]!.intValue!, seed: UInt64(max(0, p["seed"]!.intValue!)),
            trialsPerStudy: p["trials_per_study"]!.intValue!,
            studies: (p["studies"]?.listValue ?? []).compactMap { $0.stringValue.flatMap(StudyKind.init(rawValue:)) },
            ratios: (p["ratios"]?.listValue ?? []).compactMap(\.doubleValue),
            attentionChecks: p["attention_checks"]!.intValue!, exposureMilliseconds: p["exposure_ms"]!.intValue!,
            baseSize: p["base_size"]!.intValue!, artist: p["artist"]?.stringValue ?? "")
        func folder(_ name: String) throws -> ImageFolder? {
            try context.inputs[name].map { try ImageFolder(root: $0) }
        }
        let sources = StudySources(paintings: try folder("paintings"), baseline: try folder("baseline"),
                                   method: try folder("method"), real: try folder("real"))
        let needsPairs = design.studies.contains { $0 != .realOrFake }
        if needsPairs && (sources.paintings == nil || sources.baseline == nil) {
            throw StageFailure.message("realism and coherence need the inputs 'paintings' and 'baseline'")
        }
        if design.studies.contains(.realOrFake) && sources.real == nil {
            throw StageFailure.message("real_or_fake needs the input 'real' (a folder of real photographs)")
        }
        let sheets: [PlannedSheet]
        do {
            sheets = try SheetPlanner.plan(design, paired: sources.paired, method: sources.method?.relativePaths ?? [],
                                           real: sources.real?.relativePaths ?? [], salt: context.fingerprint)
        } catch let error as StudyError {
            throw StageFailure.message(error.description)
        }
        context.log.write("\(sheets.count) sheets of \(sheets.first?.trials.count ?? 0) trials; \(sources.paired.count) paired paintings")
        var writer = SheetWriter(design: design, sources: sources)
        let key = try writer.write(sheets, to: context.outputs[UserStudyKind.sheetsOutput]!,
                                   printFolder: context.outputs[UserStudyKind.printOutput]!)
        try key.encoded().write(to: context.outputs[UserStudyKind.keyOutput]!, options: .atomic)
        return StageResult(metrics: [
            Metric(name: "raters", value: Double(sheets.count)),
            Metric(name: "trials_per_sheet", value: Double(sheets.first?.trials.count ?? 0)),
        ])
    }
}
