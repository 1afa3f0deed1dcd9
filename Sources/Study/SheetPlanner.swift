import Basics
import Foundation
import Imaging

/// Draws the trials of every sheet: a pure function of the design, the image names and a salt.
package enum SheetPlanner {
    /// Plans `design.raters` sheets. `paired` are the paintings that have both a baseline and a method
    /// result; `method` and `real` are the result and photograph names `real_or_fake` draws from.
    /// `salt` (the stage's fingerprint) makes sheet ids unique across studies.
    package static func plan(_ design: SheetDesign, paired: [String], method: [String], real: [String], salt: String) throws -> [PlannedSheet] {
        try design.validate()
        if design.studies.contains(where: { $0 != .realOrFake }) && paired.isEmpty {
            throw StudyError.missingImages("realism and coherence need paintings with a baseline and a method result of the same name; none found")
        }
        if design.studies.contains(.realOrFake) && (method.isEmpty || real.isEmpty) {
            throw StudyError.missingImages("real_or_fake needs method results and real photographs (\(method.count) results, \(real.count) photographs)")
        }
        return (1...design.raters).map { rater in
            planSheet(design, rater: rater, paired: paired.sorted(), method: method.sorted(), real: real.sorted(), salt: salt)
        }
    }

    private static func planSheet(_ design: SheetDesign, rater: Int, paired: [String], method: [String], real: [String],
                                  salt: String) -> PlannedSheet {
        var rng = SeededGenerator(seed: SeededGenerator.derive(design.seed, SeededGenerator.code("sheet"), UInt64(rater)))
        var ids = SeededGenerator(seed: SeededGenerator.derive(design.seed, SeededGenerator.code("trial-ids"), UInt64(rater)))
        // Odd counts leave one side with an extra trial; alternate which side by rater so sides balance overall.
        let extraOnRight = rater % 2 == 0
        var trials: [PlannedTrial] = []
        func trial(_ study: StudyKind, ratio: Double, role: TrialRole, ours: Int?, expected: Int?, source: String,
                   top: TrialImage?, first: TrialImage, second: TrialImage) -> PlannedTrial {
            let key = TrialKey(trialID: opaqueID(&ids), study: study, ratio: ratio, role: role, oursSide: ours,
                               expectedSide: expected, source: source, images: [])
            return PlannedTrial(key: key, top: top, first: first, second: second)
        }
        for study in design.studies {
            switch study {
            case .realism, .coherence:
                let names = sample(paired, design.trialsPerStudy, &rng)
                let sides = balancedSides(names.count, extraOnRight: extraOnRight, &rng)
                for (name, side) in zip(names, sides) {
                    let ours = TrialImage.method(name), theirs = TrialImage.baseline(name)
                    trials.append(trial(study, ratio: 1, role: .test, ours: side, expected: nil, source: "painting=\(name)",
                                        top: study.showsPainting ? .painting(name) : nil,
                                        first: side == 1 ? ours : theirs, second: side == 1 ? theirs : ours))
                }
            case .realOrFake:
                for ratio in design.ratios {
                    let results = sample(method, design.trialsPerStudy, &rng)
                    let photos = sample(real, design.trialsPerStudy, &rng)
                    let sides = balancedSides(results.count, extraOnRight: extraOnRight, &rng)
                    for ((result, photo), side) in zip(zip(results, photos), sides) {
                        let ours = TrialImage.method(result), truth = TrialImage.real(photo)
                        trials.append(trial(study, ratio: ratio, role: .test, ours: side, expected: nil,
                                            source: "method=\(result) real=\(photo)", top: nil,
                                            first: side == 1 ? ours : truth, second: side == 1 ? truth : ours))
                    }
                }
            }
        }
        let checkSides = balancedSides(design.attentionChecks, extraOnRight: !extraOnRight, &rng)
        for (k, side) in checkSides.enumerated() {
            // The obvious answer: a real image against coloured noise, in the layout of one of the studies.
            let study = design.studies[k % design.studies.count]
            let noise = TrialImage.noise(rng.next())
            let sensible: TrialImage, source: String, top: TrialImage?
            switch study {
            case .realism, .coherence:
                let name = paired[rng.below(paired.count)]
                sensible = .method(name)
                source = "painting=\(name) noise"
                top = study.showsPainting ? .painting(name) : nil
            case .realOrFake:
                let name = real[rng.below(real.count)]
                sensible = .real(name)
                source = "real=\(name) noise"
                top = nil
            }
            trials.append(trial(study, ratio: 1, role: .attention, ours: nil, expected: side, source: source, top: top,
                                first: side == 1 ? sensible : noise, second: side == 1 ? noise : sensible))
        }
        trials.shuffle(using: &rng)
        let sheetID = "s" + SHA256Digest.hex(Data("\(salt)/sheet/\(rater)".utf8)).prefix(12)
        return PlannedSheet(sheetID: sheetID, rater: rater, trials: trials)
    }

    /// `count` names drawn without repeats while possible, then cycling through a fresh shuffle.
    static func sample(_ names: [String], _ count: Int, _ rng: inout SeededGenerator) -> [String] {
        var out: [String] = []
        while out.count < count {
            out += names.shuffled(using: &rng).prefix(count - out.count)
        }
        return out
    }

    /// Sides 1 and 2 in equal numbers (one extra on one side when `count` is odd), shuffled.
    static func balancedSides(_ count: Int, extraOnRight: Bool, _ rng: inout SeededGenerator) -> [Int] {
        var sides = Array(repeating: 1, count: count / 2) + Array(repeating: 2, count: count / 2)
        if count % 2 == 1 { sides.append(extraOnRight ? 2 : 1) }
        sides.shuffle(using: &rng)
        return sides
    }

    /// A random id that says nothing about the trial.
    private static func opaqueID(_ rng: inout SeededGenerator) -> String {
        let hex = String(rng.next(), radix: 16)
        return "t" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
