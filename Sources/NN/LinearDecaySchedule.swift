/// CycleGAN's learning-rate policy: constant for `constantEpochs`, then linear towards zero over
/// `decayEpochs` (pytorch-CycleGAN-and-pix2pix `lambda_rule` with epoch_count 1).
public struct LinearDecaySchedule: Equatable, Sendable {
    public let baseLearningRate: Float
    public let constantEpochs: Int
    public let decayEpochs: Int

    /// Defaults follow the paper: 100 epochs constant, 100 decaying.
    public init(baseLearningRate: Float = 2e-4, constantEpochs: Int = 100, decayEpochs: Int = 100) {
        precondition(constantEpochs >= 0 && decayEpochs >= 0, "negative epoch counts")
        self.baseLearningRate = baseLearningRate
        self.constantEpochs = constantEpochs
        self.decayEpochs = decayEpochs
    }

    /// Learning rate used during `epoch` (1-based).
    public func learningRate(epoch: Int) -> Float {
        let over = max(0, epoch - constantEpochs)
        return baseLearningRate * (1 - Float(over) / Float(decayEpochs + 1))
    }
}
