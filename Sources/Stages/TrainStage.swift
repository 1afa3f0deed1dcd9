import Foundation
import Imaging
import NN
import Pipeline
import Tensor
import Vision

/// `train`: CycleGAN between paintings (A) and photographs (B), with the patch loss on G_A's output
/// when `lambda_patch > 0` (inputs `bank` and `index`). Checkpoints go to the work directory every
/// `checkpoint_every` iterations and a rerun of the same fingerprint resumes from the last one.
public struct TrainStage: Stage {
    public init() {}

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "train", version: 1,
            summary: "CycleGAN (+ patch loss) training: weights as safetensors with PyTorch keys, sample grids, losses per step",
            params: [
                ParamSpec("ngf", .int, default: .int(64), doc: "generator filters of the first layer (junyanz --ngf 64)"),
                ParamSpec("ndf", .int, default: .int(64), doc: "discriminator filters of the first layer (junyanz --ndf 64)"),
                ParamSpec("n_blocks", .int, default: .int(9), doc: "residual blocks per generator (junyanz resnet_9blocks at 256²; 6 at 128²)"),
                ParamSpec("n_layers_d", .int, default: .int(3), doc: "PatchGAN stride-2 layers; 3 is the 70×70 discriminator (junyanz --n_layers_D 3)"),
                ParamSpec("load_size", .int, default: .int(286), doc: "images are resized to this square first (junyanz --load_size 286)"),
                ParamSpec("crop_size", .int, default: .int(256), doc: "random square crop fed to the networks (junyanz --crop_size 256)"),
                ParamSpec("flip", .bool, default: .bool(true), doc: "random horizontal flip (junyanz default, --no_flip off)"),
                ParamSpec("batch_size", .int, default: .int(1), doc: "images per domain per iteration (junyanz --batch_size 1)"),
                ParamSpec("epochs", .int, default: .int(100), doc: "epochs at the constant learning rate (junyanz --n_epochs 100)"),
                ParamSpec("decay_epochs", .int, default: .int(100), doc: "epochs of linear decay to zero (junyanz --n_epochs_decay 100)"),
                ParamSpec("epoch_size", .int, default: .int(0),
                          doc: "iterations per epoch; 0: max(|A|, |B|) / batch_size as junyanz. Ours, so short demo runs can decay"),
                ParamSpec("lr", .number, default: .double(2e-4), doc: "Adam learning rate (junyanz --lr 0.0002)"),
                ParamSpec("beta1", .number, default: .double(0.5), doc: "Adam β1 (junyanz --beta1 0.5)"),
                ParamSpec("lambda_cycle", .number, default: .double(10), doc: "cycle loss weight λ, both directions (junyanz --lambda_A/B 10)"),
                ParamSpec("lambda_identity", .number, default: .double(0.5), doc: "identity loss as a fraction of λ (junyanz --lambda_identity 0.5)"),
                ParamSpec("lambda_patch", .number, default: .double(0.1),
                          doc: "patch (contextual) loss weight on G_A(painting); 0 is plain CycleGAN and needs no bank. "
                              + "0.1 is the authors' contextual_weight (aimagelab/art2real)"),
                ParamSpec("patch_k", .int, default: .int(5), doc: "real patches retrieved per generated patch (authors' k = 5)"),
                ParamSpec("pool_size", .int, default: .int(50), doc: "generated images kept per discriminator (junyanz --pool_size 50)"),
                ParamSpec("init_std", .number, default: .double(0.02), doc: "weights start N(0, σ²) (junyanz --init_type normal --init_gain 0.02)"),
                ParamSpec("seed", .int, default: .int(0), doc: "seed of the initial weights, the data order, crops, flips and pool draws"),
                ParamSpec("checkpoint_every", .int, default: .int(1000),
                          doc: "iterations between checkpoints in the work directory (junyanz saves latest every 5000). Ours"),
                ParamSpec("sample_every", .int, default: .int(400),
                          doc: "iterations between sample grids (junyanz --display_freq 400); one more at the end"),
                ParamSpec("sample_count", .int, default: .int(4), doc: "paintings (the first of A, in name order) in each sample grid"),
                ParamSpec("metrics_every", .int, default: .int(1),
                          doc: "iterations averaged into each recorded loss metric (1: every iteration; the paper run may use 100)"),
            ],
            inputs: [("A", true), ("B", true), ("bank", false), ("index", false)], outputs: ["model", "samples"])
    }

    /// Reads and checks the parameters into model options and a training plan.
    static func configuration(_ p: [String: ParamValue], hasBank: Bool) throws -> (CycleGANOptions, TrainingPlan) {
        func int(_ k: String) -> Int { p[k]!.intValue! }
        func float(_ k: String) -> Float { Float(p[k]!.doubleValue!) }
        var o = CycleGANOptions()
        o.ngf = int("ngf"); o.ndf = int("ndf"); o.blocks = int("n_blocks"); o.discriminatorLayers = int("n_layers_d")
        o.initStd = float("init_std"); o.lambdaCycle = float("lambda_cycle"); o.lambdaIdentity = float("lambda_identity")
        o.lambdaPatch = float("lambda_patch"); o.poolSize = int("pool_size")
        o.learningRate = float("lr"); o.beta1 = float("beta1")
        o.seed = UInt64(bitPattern: Int64(int("seed")))
        if let problem = o.problem { throw StageFailure.message(problem) }
        if o.lambdaPatch > 0 && !hasBank {
            throw StageFailure.message("lambda_patch \(o.lambdaPatch) needs inputs 'bank' (memory_bank) and 'index' (ann_index); "
                                       + "set lambda_patch: 0 for plain CycleGAN")
        }
        let plan = TrainingPlan(loadSize: int("load_size"), cropSize: int("crop_size"), flip: p["flip"]!.boolValue!,
                                batchSize: int("batch_size"), epochs: int("epochs"), decayEpochs: int("decay_epochs"),
                                epochSize: int("epoch_size"), checkpointEvery: int("checkpoint_every"),
                                sampleEvery: int("sample_every"), sampleCount: int("sample_count"),
                                metricsEvery: int("metrics_every"), patchK: int("patch_k"))
        if let problem = plan.problem { throw StageFailure.message(problem) }
        // Each stride-2 layer halves the crop and the two final 4×4 convolutions take one pixel each.
        let scores = (plan.cropSize >> o.discriminatorLayers) - 2
        guard scores >= 1 else {
            throw StageFailure.message("crop_size \(plan.cropSize) is too small for a discriminator with n_layers_d "
                                       + "\(o.discriminatorLayers): it needs at least \(3 << o.discriminatorLayers)")
        }
        return (o, plan)
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let hasBank = context.inputs["bank"] != nil && context.inputs["index"] != nil
        let (options, plan) = try Self.configuration(context.params, hasBank: hasBank)
        BLASKernel.setThreadCount(max(1, context.threads))
        let batches = CycleGANBatches(a: try ImageFolder(root: context.inputs["A"]!), b: try ImageFolder(root: context.inputs["B"]!),
                                      transform: TrainingTransform(loadSize: plan.loadSize, cropSize: plan.cropSize, flip: plan.flip),
                                      batchSize: plan.batchSize, seed: options.seed)
        let patchLoss: PatchLoss? = options.lambdaPatch > 0
            ? try PatchLoss(bankFolder: context.inputs["bank"]!, indexFolder: context.inputs["index"]!, k: plan.patchK,
                            threads: context.threads)
            : nil
        let trainer = CycleGANTrainer(model: CycleGAN(options: options),
                                      schedule: LinearDecaySchedule(baseLearningRate: options.learningRate,
                                                                    constantEpochs: plan.epochs, decayEpochs: plan.decayEpochs),
                                      iterationsPerEpoch: plan.epochSize > 0 ? plan.epochSize : batches.iterationsPerEpoch,
                                      patchLoss: patchLoss)
        let samples = context.outputs["samples"]!
        try FileManager.default.createDirectory(at: samples, withIntermediateDirectories: true)
        let sampler = try SampleGrid(folder: batches.a, count: plan.sampleCount, size: plan.cropSize)
        var history = try TrainingCheckpoint.restore(trainer, under: context.workDirectory) ?? []
        let start = trainer.iteration, total = trainer.totalIterations
        if start > 0 { context.log.write("resumed from the checkpoint at iteration \(start) of \(total)") }
        context.log.write("training \(total) iterations (\(trainer.iterationsPerEpoch) per epoch), crop \(plan.cropSize), "
                          + "ngf \(options.ngf), \(options.blocks) blocks, lambda_patch \(options.lambdaPatch)")
        var window = CycleGANLosses(), windowCount = 0
        let clock = ContinuousClock(), began = clock.now
        while trainer.iteration < total {
            try context.checkCancelled()
            let (a, b) = try batches.batch(trainer.iteration)
            window = window + (try trainer.step(realA: a, realB: b))
            windowCount += 1
            let done = trainer.iteration
            // A window also closes at each checkpoint, so a resumed run records exactly what an
            // uninterrupted one does (the open window is not part of the checkpoint).
            if windowCount == plan.metricsEvery || done == total || done % plan.checkpointEvery == 0 {
                history.append(LossRecord(iteration: done, losses: window.scaled(1 / Float(windowCount))))
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
        try trainer.model.save(to: context.outputs["model"]!, metadata: [
            "format": "pt", "pleinair": "CycleGAN \(options.ngf) ngf, \(options.blocks) blocks, junyanz state-dict keys",
        ])
        var metrics: [Metric] = [Metric(name: "iterations", value: Double(total))]
        for record in history {
            for (name, value) in record.losses.named where name != "patch" || options.lambdaPatch > 0 {
                metrics.append(Metric(name: "loss.\(name)", value: Double(value), step: record.iteration))
            }
        }
        return StageResult(metrics: metrics)
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
    var loadSize: Int, cropSize: Int, flip: Bool, batchSize: Int
    var epochs: Int, decayEpochs: Int, epochSize: Int
    var checkpointEvery: Int, sampleEvery: Int, sampleCount: Int, metricsEvery: Int, patchK: Int

    /// Why the plan cannot run, or nil.
    var problem: String? {
        if cropSize < 4 || cropSize % 4 != 0 { return "crop_size must be a positive multiple of 4 (two stride-2 stages), got \(cropSize)" }
        if loadSize < cropSize { return "load_size \(loadSize) must be at least crop_size \(cropSize)" }
        if batchSize < 1 { return "batch_size must be positive, got \(batchSize)" }
        if epochs < 0 || decayEpochs < 0 || epochs + decayEpochs < 1 { return "epochs + decay_epochs must be at least 1" }
        if epochSize < 0 { return "epoch_size must be >= 0, got \(epochSize)" }
        if checkpointEvery < 1 || sampleEvery < 1 || metricsEvery < 1 { return "checkpoint_every, sample_every and metrics_every must be positive" }
        if sampleCount < 1 || patchK < 1 { return "sample_count and patch_k must be positive" }
        return nil
    }
}
