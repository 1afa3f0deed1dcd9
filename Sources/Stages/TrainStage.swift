import Foundation
import Imaging
import NN
import Pipeline
import Tensor
import CycleGAN
import Retrieval

/// `train`: CycleGAN between paintings (A) and photographs (B), with the patch loss on G_A's output
/// when `lambda_patch > 0` (inputs `bank` and `index`). Checkpoints go to the work directory every
/// `checkpoint_every` iterations and a rerun of the same fingerprint resumes from the last one.
/// An optional `init` input (any model `translate` reads: PleinAir's folder, junyanz checkpoints,
/// a zoo file, the Art2Real release) gives the starting weights for fine-tuning. A semantic bank
/// (`memory_bank` with masks) needs `masks_A`, the paintings' masks (PNG label maps or the authors'
/// `<name>.pkl`, `PaintingMasks`): each generated patch is then matched in the bank of its class,
/// by the authors' rule or PleinAir's (`class_terms`, `ClassTerms`).
package struct TrainStage: Stage {
    package init() {}

    static let ngf = Param<Int>("ngf", default: 64, rule: .atLeast(1), doc: "generator filters of the first layer (junyanz --ngf 64)")
    static let ndf = Param<Int>("ndf", default: 64, rule: .atLeast(1), doc: "discriminator filters of the first layer (junyanz --ndf 64)")
    static let blocks = Param<Int>("n_blocks", default: 9, rule: .atLeast(0),
                                   doc: "residual blocks per generator (junyanz resnet_9blocks at 256²; 6 at 128²)")
    static let layersD = Param<Int>("n_layers_d", default: 3, rule: .atLeast(1),
                                    doc: "PatchGAN stride-2 layers; 3 is the 70×70 discriminator (junyanz --n_layers_D 3)")
    static let loadSize = Param<Int>("load_size", default: 286, rule: .atLeast(4),
                                     doc: "images are resized to this square first (junyanz --load_size 286)")
    static let cropSize = Param<Int>("crop_size", default: 256, rule: .atLeast(4),
                                     doc: "random square crop fed to the networks, a multiple of 4 (junyanz --crop_size 256)")
    static let resizeFilter = Param<ResizeFilter>("resize_filter", default: .bilinear,
                                                  doc: "filter of the resize to load_size: bilinear (PIL BILINEAR, antialiased; ours), bicubic "
                                                      + "(PIL BICUBIC: what the authors' torchvision Resize does), area, bilinearNoAntialias")
    static let classTerms = Param<ClassTerms>("class_terms", default: .shares,
                                              doc: "semantic patch loss: 'authors' is aimagelab/art2real's compute_contextual (a patch joins each "
                                                  + "class whose mask covers half of it, one unweighted term per class, missing masks are class 0); "
                                                  + "'shares' is ours (one class per patch, terms weighted by class share)")
    static let flip = Param<Bool>("flip", default: true, doc: "random horizontal flip (junyanz default, --no_flip off)")
    static let batchSize = Param<Int>("batch_size", default: 1, rule: .atLeast(1), doc: "images per domain per iteration (junyanz --batch_size 1)")
    static let epochs = Param<Int>("epochs", default: 100, rule: .atLeast(0), doc: "epochs at the constant learning rate (junyanz --n_epochs 100)")
    static let decayEpochs = Param<Int>("decay_epochs", default: 100, rule: .atLeast(0),
                                        doc: "epochs of linear decay to zero (junyanz --n_epochs_decay 100)")
    static let epochSize = Param<Int>("epoch_size", default: 0, rule: .atLeast(0),
                                      doc: "iterations per epoch; 0: max(|A|, |B|) / batch_size as junyanz. Ours, so short demo runs can decay")
    static let lr = Param<Double>("lr", default: 2e-4, rule: .above(0), doc: "Adam learning rate (junyanz --lr 0.0002)")
    static let beta1 = Param<Double>("beta1", default: 0.5, rule: ParamRule("in [0, 1)") { ($0.doubleValue ?? -1) >= 0 && ($0.doubleValue ?? 1) < 1 },
                                     doc: "Adam β1 (junyanz --beta1 0.5)")
    static let lambdaCycle = Param<Double>("lambda_cycle", default: 10, rule: .atLeast(0),
                                           doc: "cycle loss weight λ, both directions (junyanz --lambda_A/B 10)")
    static let lambdaIdentity = Param<Double>("lambda_identity", default: 0.5, rule: .atLeast(0),
                                              doc: "identity loss as a fraction of λ (junyanz --lambda_identity 0.5)")
    static let lambdaPatch = Param<Double>("lambda_patch", default: 0.1, rule: .atLeast(0),
                                           doc: "patch (contextual) loss weight on G_A(painting); 0 is plain CycleGAN and needs no bank. "
                                               + "0.1 is the authors' contextual_weight (aimagelab/art2real)")
    static let patchK = Param<Int>("patch_k", default: 5, rule: .atLeast(1), doc: "real patches retrieved per generated patch (authors' k = 5)")
    static let poolSize = Param<Int>("pool_size", default: 50, rule: .atLeast(0),
                                     doc: "generated images kept per discriminator (junyanz --pool_size 50)")
    static let initStd = Param<Double>("init_std", default: 0.02, rule: .atLeast(0),
                                       doc: "weights start N(0, σ²) (junyanz --init_type normal --init_gain 0.02)")
    static let seed = Param<Int>("seed", default: 0, doc: "seed of the initial weights, the data order, crops, flips and pool draws")
    static let checkpointEvery = Param<Int>("checkpoint_every", default: 1000, rule: .atLeast(1),
                                            doc: "iterations between checkpoints in the work directory (junyanz saves latest every 5000). Ours")
    static let sampleEvery = Param<Int>("sample_every", default: 400, rule: .atLeast(1),
                                        doc: "iterations between sample grids (junyanz --display_freq 400); one more at the end")
    static let sampleCount = Param<Int>("sample_count", default: 4, rule: .atLeast(1),
                                        doc: "paintings (the first of A, in name order) in each sample grid")
    static let metricsEvery = Param<Int>("metrics_every", default: 1, rule: .atLeast(1),
                                         doc: "iterations averaged into each recorded loss metric (1: every iteration; the paper run may use 100)")
    static let checkpointBlocks = Param<Bool>("checkpoint_blocks", default: false,
                                              doc: "recompute the generators' residual blocks in backward instead of keeping their "
                                                  + "activations (gradient checkpointing): less memory, a slower step, the same numbers. Ours",
                                              fingerprintsDefault: false)

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "train", version: 1,
            summary: "CycleGAN (+ patch loss) training: weights as safetensors with PyTorch keys, sample grids, losses per step",
            params: [Self.ngf.spec, Self.ndf.spec, Self.blocks.spec, Self.layersD.spec, Self.loadSize.spec, Self.cropSize.spec,
                     Self.flip.spec, Self.resizeFilter.spec, Self.classTerms.spec, Self.batchSize.spec, Self.epochs.spec, Self.decayEpochs.spec, Self.epochSize.spec,
                     Self.lr.spec, Self.beta1.spec, Self.lambdaCycle.spec, Self.lambdaIdentity.spec, Self.lambdaPatch.spec,
                     Self.patchK.spec, Self.poolSize.spec, Self.initStd.spec, Self.seed.spec, Self.checkpointEvery.spec,
                     Self.sampleEvery.spec, Self.sampleCount.spec, Self.metricsEvery.spec, Self.checkpointBlocks.spec],
            inputs: [("A", true), ("B", true), ("bank", false), ("index", false), ("init", false), ("masks_A", false)],
            outputs: ["model", "samples"],
            check: { configuration in Self.problems(configuration.params, inputs: configuration.inputs) },
            metrics: { params in
                MetricDeclaration.bookkeeping("iterations") + MetricDeclaration.results("loss.*")
                    + ((params[Self.lambdaPatch] > 0) ? MetricDeclaration.results("bank_kept_fraction") : [])
            })
    }

    /// Reads and checks the parameters into model options and a training plan; throws the first problem.
    static func configuration(_ p: [String: ParamValue], inputs: Set<String>) throws -> (CycleGANOptions, TrainingPlan) {
        if let first = problems(p, inputs: inputs).first { throw first }
        return (options(p), plan(p))
    }

    /// Every problem of a configuration, each rule checked whatever the others find.
    static func problems(_ p: [String: ParamValue], inputs: Set<String>) -> [ConfigurationProblem] {
        let o = options(p), plan = plan(p)
        var problems: [ConfigurationProblem] = []
        if let problem = o.problem { problems.append(ConfigurationProblem(problem)) }
        if o.lambdaPatch > 0, !inputs.contains("bank") || !inputs.contains("index") {
            problems.append(ConfigurationProblem(param: lambdaPatch.name,
                                                 "lambda_patch \(p[lambdaPatch]) needs inputs 'bank' (memory_bank) and 'index' (ann_index); "
                                                     + "set lambda_patch: 0 for plain CycleGAN"))
        }
        problems += plan.problems
        // Each stride-2 layer halves the crop and the two final 4×4 convolutions take one pixel each.
        if (plan.cropSize >> o.discriminatorLayers) - 2 < 1 {
            problems.append(ConfigurationProblem(param: cropSize.name, "crop_size \(plan.cropSize) is too small for a discriminator with n_layers_d "
                                                 + "\(o.discriminatorLayers): it needs at least \(3 << o.discriminatorLayers)"))
        }
        return problems
    }

    private static func options(_ p: [String: ParamValue]) -> CycleGANOptions {
        var o = CycleGANOptions()
        o.ngf = p[ngf]; o.ndf = p[ndf]; o.blocks = p[blocks]; o.discriminatorLayers = p[layersD]
        o.initStd = Float(p[initStd]); o.lambdaCycle = Float(p[lambdaCycle]); o.lambdaIdentity = Float(p[lambdaIdentity])
        o.lambdaPatch = Float(p[lambdaPatch]); o.poolSize = p[poolSize]
        o.learningRate = Float(p[lr]); o.beta1 = Float(p[beta1])
        o.seed = UInt64(bitPattern: Int64(p[seed]))
        o.checkpointBlocks = p[checkpointBlocks]
        return o
    }

    private static func plan(_ p: [String: ParamValue]) -> TrainingPlan {
        TrainingPlan(loadSize: p[loadSize], cropSize: p[cropSize], flip: p[flip], filter: p[resizeFilter],
                     classTerms: p[classTerms], batchSize: p[batchSize],
                     epochs: p[epochs], decayEpochs: p[decayEpochs], epochSize: p[epochSize],
                     checkpointEvery: p[checkpointEvery], sampleEvery: p[sampleEvery], sampleCount: p[sampleCount],
                     metricsEvery: p[metricsEvery], patchK: p[patchK])
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let (options, plan) = try Self.configuration(context.params, inputs: Set(context.inputs.keys))
        BLASKernel.setThreadCount(max(1, context.threads))
        var batches = CycleGANBatches(a: try ImageFolder(root: try context.input("A")), b: try ImageFolder(root: try context.input("B")),
                                      transform: plan.transform,
                                      batchSize: plan.batchSize, seed: options.seed)
        var masksMissing: Int?
        let patchLoss: PatchLoss? = options.lambdaPatch > 0
            ? try PatchLoss(bankFolder: try context.input("bank"), indexFolder: try context.input("index"),
                            classTerms: plan.classTerms, k: plan.patchK, threads: context.threads)
            : nil
        if let patchLoss, patchLoss.isSemantic {
            guard let masks = context.inputs["masks_A"] else {
                throw StageFailure.message("the bank is semantic (one per class): input 'masks_A' must give the paintings' masks, "
                                           + "so each generated patch is matched in its region's class")
            }
            let paintingMasks = try PaintingMasks(root: masks, classTerms: plan.classTerms, transform: plan.transform)
            batches.masksA = paintingMasks
            // Check every painting's mask before the first step, so a bad one fails now, naming its file;
            // under class_terms authors, paintings without one are counted (they are class 0 everywhere).
            var missing: [String] = []
            for (k, path) in batches.a.relativePaths.enumerated() {
                let painting = try batches.a.image(at: k)
                if try paintingMasks.masks(for: path, painting: painting) == nil { missing.append(path) }
            }
            masksMissing = missing.count
            if !missing.isEmpty {
                context.log.write("\(missing.count) of \(batches.a.count) paintings have no mask and are class 0 everywhere (the authors' "
                                  + "rule for a missing pickle), e.g. \(missing.prefix(3).joined(separator: ", "))")
            }
            let names = patchLoss.classBanks.map(\.name).joined(separator: ", ")
            context.log.write("semantic patch loss (class_terms \(plan.classTerms.rawValue)): banks \(names); "
                              + (plan.classTerms == .authors ? "classes without a bank search class 0's, each its own term"
                                                             : "other classes use class 0's"))
        } else if context.inputs["masks_A"] != nil {
            context.log.write("masks_A given but the bank is not semantic (or lambda_patch is 0): the masks are not used")
        }
        let trainer = CycleGANTrainer(model: CycleGAN(options: options),
                                      schedule: LinearDecaySchedule(baseLearningRate: options.learningRate,
                                                                    constantEpochs: plan.epochs, decayEpochs: plan.decayEpochs),
                                      iterationsPerEpoch: plan.epochSize > 0 ? plan.epochSize : batches.iterationsPerEpoch)
        let samples = try context.output("samples")
        try FileManager.default.createDirectory(at: samples, withIntermediateDirectories: true)
        let sampler = try SampleGrid(folder: batches.a, count: plan.sampleCount, size: plan.cropSize)
        if let initial = context.inputs["init"] { try Self.initialize(trainer.model, from: initial, log: context.log) }
        var history = try TrainingCheckpoint.restore(trainer, under: context.workDirectory) ?? []
        let start = trainer.iteration, total = trainer.totalIterations
        if start > 0 { context.log.notice("resumed from the checkpoint at iteration \(start) of \(total)") }
        for record in history {  // a resumed run's live chart starts with what the checkpoint holds
            for (name, value) in record.losses.named where name != "patch" || options.lambdaPatch > 0 {
                context.log.series("loss.\(name)", step: record.iteration, value: Double(value))
            }
        }
        context.log.write("training \(total) iterations (\(trainer.iterationsPerEpoch) per epoch), crop \(plan.cropSize), "
                          + "ngf \(options.ngf), \(options.blocks) blocks\(options.checkpointBlocks ? " (checkpointed)" : ""), "
                          + "lambda_patch \(options.lambdaPatch)")
        var window = CycleGANLosses(), windowCount = 0
        let clock = ContinuousClock(), began = clock.now
        while trainer.iteration < total {
            try context.checkCancelled()
            let (a, b, masks) = try batches.batch(trainer.iteration)
            let auxiliary = patchLoss.map { loss in { (translated: Tensor) in try loss(translated, classMasks: masks) } }
            window = window + (try trainer.step(realA: a, realB: b, auxiliaryLoss: auxiliary))
            windowCount += 1
            let done = trainer.iteration
            // A window also closes at each checkpoint, so a resumed run records exactly what an
            // uninterrupted one does (the open window is not part of the checkpoint).
            if windowCount == plan.metricsEvery || done == total || done % plan.checkpointEvery == 0 {
                history.append(LossRecord(iteration: done, losses: window.scaled(1 / Float(windowCount))))
                for (name, value) in history[history.count - 1].losses.named where name != "patch" || options.lambdaPatch > 0 {
                    context.log.series("loss.\(name)", step: done, value: Double(value))  // the live chart of `pleinair ui`
                }
                window = CycleGANLosses(); windowCount = 0
            }
            if done % plan.sampleEvery == 0 || done == total {
                try sampler.write(trainer, to: samples.appendingPathComponent(String(format: "iter_%07d.png", done)), iteration: done)
            }
            if done % plan.checkpointEvery == 0 && done < total {
                try TrainingCheckpoint.save(trainer, history: history, under: context.workDirectory)
            }
            let elapsed = clock.now - began
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let rate = seconds / Double(done - start)
            context.log.progress(Double(done) / Double(total),
                                 "iteration \(done)/\(total), \(String(format: "%.2f", rate)) s/it, ETA \(Self.duration(rate * Double(total - done)))")
        }
        try trainer.model.save(to: try context.output("model"), metadata: [
            "format": "pt", "pleinair": "CycleGAN \(options.ngf) ngf, \(options.blocks) blocks, junyanz state-dict keys",
        ])
        var metrics: [Metric] = [Metric(name: "iterations", value: Double(total))]
        if let patchLoss {
            // A capped bank is a different method: the fraction travels with every result trained on it.
            let kept = patchLoss.scales.map(\.bank.entry.keptFraction).min() ?? 1
            metrics.append(Metric(name: "bank_kept_fraction", value: kept))
            if kept < 1 { context.log.write(String(format: "the memory bank is capped: it keeps %.4f of the real patches", kept)) }
            if let masksMissing { metrics.append(Metric(name: "masks_missing", value: Double(masksMissing))) }
        }
        for record in history {
            for (name, value) in record.losses.named where name != "patch" || options.lambdaPatch > 0 {
                metrics.append(Metric(name: "loss.\(name)", value: Double(value), step: record.iteration))
            }
        }
        return StageResult(metrics: metrics)
    }

    /// Starting weights from `source`: both generators (G_A only from a one-generator model, G_B keeps
    /// its random start), and the discriminators when the folder has them as `D_A.safetensors` or
    /// `latest_net_D_A.pth`. Sizes must be the run's `ngf` and `n_blocks`, or it fails naming both.
    static func initialize(_ model: CycleGAN, from source: URL, log: StageLog) throws {
        for direction in CycleGAN.Direction.allCases {
            let located = try GeneratorWeightsLocator.locate(in: source, direction: direction)
            if located.singleGenerator && direction == .bToA {
                log.write("init: \(located.file.lastPathComponent) holds one generator; G_B starts from random weights")
                continue
            }
            let loaded = try GeneratorCheckpoint.load(located.file, ngf: model.options.ngf, blocks: model.options.blocks)
            try model.generator(direction).loadStateDict(loaded.generator.stateDict())
            log.write("init: \(direction == .aToB ? "G_A" : "G_B") from \(located.file.path) (\(located.note))")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isFolder), isFolder.boolValue else { return }
        for (name, module) in [("D_A", model.discriminatorA), ("D_B", model.discriminatorB) as (String, any Module)] {
            let candidates = ["\(name).safetensors", "latest_net_\(name).pth"].map { source.appendingPathComponent($0) }
            guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else { continue }
            let (state, _) = GeneratorCheckpoint.stripModulePrefix(try GeneratorCheckpoint.readStateDict(file))
            do { try module.loadStateDict(state) } catch let error as StateDictError {
                throw CheckpointError(path: file.path, reason: "\(error) (do ndf and n_layers_d match?)")
            }
            log.write("init: \(name) from \(file.path)")
        }
    }

    /// "1h02m", "3m05s", "12s".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}

/// The data and bookkeeping side of a `train` run (the model side is `CycleGANOptions`).
struct TrainingPlan {
    var loadSize: Int, cropSize: Int, flip: Bool, filter: ResizeFilter, classTerms: ClassTerms, batchSize: Int
    var epochs: Int, decayEpochs: Int, epochSize: Int
    var checkpointEvery: Int, sampleEvery: Int, sampleCount: Int, metricsEvery: Int, patchK: Int

    /// The preprocessing of the training images (and of their masks).
    var transform: TrainingTransform { TrainingTransform(loadSize: loadSize, cropSize: cropSize, flip: flip, filter: filter) }

    /// Why the plan cannot run: every rule it breaks.
    var problems: [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if cropSize < 4 || cropSize % 4 != 0 {
            problems.append(ConfigurationProblem(param: "crop_size", "crop_size must be a positive multiple of 4 (two stride-2 stages), got \(cropSize)"))
        }
        if loadSize < cropSize { problems.append(ConfigurationProblem(param: "load_size", "load_size \(loadSize) must be at least crop_size \(cropSize)")) }
        if batchSize < 1 { problems.append(ConfigurationProblem(param: "batch_size", "batch_size must be positive, got \(batchSize)")) }
        if epochs < 0 || decayEpochs < 0 || epochs + decayEpochs < 1 {
            problems.append(ConfigurationProblem(param: "epochs", "epochs + decay_epochs must be at least 1"))
        }
        if epochSize < 0 { problems.append(ConfigurationProblem(param: "epoch_size", "epoch_size must be >= 0, got \(epochSize)")) }
        if checkpointEvery < 1 || sampleEvery < 1 || metricsEvery < 1 {
            problems.append(ConfigurationProblem("checkpoint_every, sample_every and metrics_every must be positive"))
        }
        if sampleCount < 1 || patchK < 1 { problems.append(ConfigurationProblem("sample_count and patch_k must be positive")) }
        return problems
    }
}
