import Basics
import NN
import Tensor

/// One CycleGAN optimisation step as junyanz's `optimize_parameters`: the generators first
/// (discriminators frozen), then both discriminators on pooled fakes; Adam for each side, the
/// learning rate constant then linearly decaying per epoch. An auxiliary loss (the patch loss, which
/// this target does not know) joins G's objective on G_A's output when `options.lambdaPatch > 0`.
///
/// Every random draw of iteration i comes from a generator seeded by (seed, i), so the whole
/// random state of training is the iteration counter plus the pool: that is what makes a resumed
/// run reproduce an uninterrupted one.
public final class CycleGANTrainer {
    /// An extra term of G's objective computed from G_A's output (weighted by `lambdaPatch`).
    public typealias AuxiliaryLoss = (_ translated: Tensor) throws -> Tensor

    /// The networks being trained (updated in place).
    public let model: CycleGAN
    /// Learning rate per epoch.
    public let schedule: LinearDecaySchedule
    /// Iterations that make one epoch (junyanz: max(|A|, |B|) / batch).
    public let iterationsPerEpoch: Int
    let optimizerG: Adam
    let optimizerD: Adam
    /// Past G_B outputs shown to D_B, and past G_A outputs shown to D_A.
    let poolA: ImagePool, poolB: ImagePool
    /// Iterations completed.
    public internal(set) var iteration = 0

    /// A trainer for `model`; epochs of `iterationsPerEpoch` steps follow `schedule`.
    public init(model: CycleGAN, schedule: LinearDecaySchedule, iterationsPerEpoch: Int) {
        precondition(iterationsPerEpoch > 0, "an epoch needs at least one iteration")
        self.model = model
        self.schedule = schedule
        self.iterationsPerEpoch = iterationsPerEpoch
        let o = model.options
        optimizerG = Adam(parameters: model.generatorA.parameters + model.generatorB.parameters,
                          learningRate: o.learningRate, beta1: o.beta1)
        optimizerD = Adam(parameters: model.discriminatorA.parameters + model.discriminatorB.parameters,
                          learningRate: o.learningRate, beta1: o.beta1)
        poolA = ImagePool(capacity: o.poolSize)
        poolB = ImagePool(capacity: o.poolSize)
    }

    /// Iterations of the whole schedule (constant plus decaying epochs).
    public var totalIterations: Int { iterationsPerEpoch * (schedule.constantEpochs + schedule.decayEpochs) }

    /// Learning rate of iteration `i` (0-based): the schedule of its 1-based epoch.
    public func learningRate(iteration i: Int) -> Float {
        schedule.learningRate(epoch: i / iterationsPerEpoch + 1)
    }

    /// The random generator of iteration `i` for stream `stream`.
    public func generator(iteration i: Int, stream: UInt64) -> SeededGenerator {
        SeededGenerator(seed: model.options.seed ^ (UInt64(i) &* 0x9E37_79B9_7F4A_7C15) ^ (stream &* 0xD6E8_FEB8_6659_FD93))
    }

    /// Runs one iteration on a batch of paintings `realA` and photos `realB` ([N, 3, H, W] in [−1, 1]).
    /// `auxiliaryLoss`: G_A(realA) → the unweighted extra loss (the patch loss, with whatever it
    /// knows of this batch, such as the paintings' masks); required when `lambdaPatch > 0`.
    @discardableResult
    public func step(realA: Tensor, realB: Tensor, auxiliaryLoss: AuxiliaryLoss? = nil) throws -> CycleGANLosses {
        precondition(realA.shape == realB.shape, "batches differ: \(realA.shape) vs \(realB.shape)")
        precondition(model.options.lambdaPatch == 0 || auxiliaryLoss != nil, "lambdaPatch > 0 needs an auxiliary loss")
        let dA = model.discriminatorA, dB = model.discriminatorB
        let lr = learningRate(iteration: iteration)
        optimizerG.learningRate = lr
        optimizerD.learningRate = lr
        var rng = generator(iteration: iteration, stream: 1)
        var losses = CycleGANLosses()
        let (fakeA, fakeB) = try generatorStep(realA: realA, realB: realB, auxiliaryLoss: auxiliaryLoss, losses: &losses)

        // Discriminators on real images and pooled (detached) fakes.
        let pooledB = poolB.query(fakeB, generator: &rng)
        let lossDA = (mseLoss(dA(realB), target: 1) + mseLoss(dA(pooledB), target: 0)).scaled(0.5)
        lossDA.backward()
        let pooledA = poolA.query(fakeA, generator: &rng)
        let lossDB = (mseLoss(dB(realA), target: 1) + mseLoss(dB(pooledA), target: 0)).scaled(0.5)
        lossDB.backward()
        optimizerD.step()
        optimizerD.zeroGrad()
        losses.discriminatorA = lossDA.item; losses.discriminatorB = lossDB.item
        iteration += 1
        return losses
    }

    /// G's half of the iteration: forward both cycles, the weighted objective, one Adam step.
    /// The discriminators' weights take no gradient meanwhile (junyanz set_requires_grad False).
    private func generatorStep(realA: Tensor, realB: Tensor, auxiliaryLoss: AuxiliaryLoss?, losses: inout CycleGANLosses) throws -> (Tensor, Tensor) {
        let o = model.options
        let gA = model.generatorA, gB = model.generatorB, dA = model.discriminatorA, dB = model.discriminatorB
        setRequiresGrad(optimizerD.parameters, false)
        defer { setRequiresGrad(optimizerD.parameters, true) }
        let fakeB = gA(realA), fakeA = gB(realB)
        let recA = gB(fakeB), recB = gA(fakeA)
        let advA = mseLoss(dA(fakeB), target: 1), advB = mseLoss(dB(fakeA), target: 1)
        let cycA = l1Loss(recA, realA).scaled(o.lambdaCycle), cycB = l1Loss(recB, realB).scaled(o.lambdaCycle)
        var total = advA + advB + cycA + cycB
        if o.lambdaIdentity > 0 {
            let w = o.lambdaCycle * o.lambdaIdentity
            let idtA = l1Loss(gA(realB), realB).scaled(w), idtB = l1Loss(gB(realA), realA).scaled(w)
            total = total + idtA + idtB
            losses.identityA = idtA.item; losses.identityB = idtB.item
        }
        if o.lambdaPatch > 0, let auxiliaryLoss {
            let patch = try auxiliaryLoss(fakeB).scaled(o.lambdaPatch)
            total = total + patch
            losses.patch = patch.item
        }
        losses.generatorA = advA.item; losses.generatorB = advB.item
        losses.cycleA = cycA.item; losses.cycleB = cycB.item
        total.backward()
        optimizerG.step()
        optimizerG.zeroGrad()
        return (fakeA, fakeB)
    }

    /// G_A(paintings) and G_B(G_A(paintings)) without recording, for sample grids.
    public func sample(_ paintings: Tensor) -> (translated: Tensor, reconstructed: Tensor) {
        let fake = model.generatorA.translate(paintings)
        return (fake, model.generatorB.translate(fake))
    }

    private func setRequiresGrad(_ tensors: [Tensor], _ flag: Bool) {
        for t in tensors { t.requiresGrad = flag }
    }
}
