import Tensor

/// Instance normalisation (`nn.InstanceNorm2d`, no running statistics); `weight`/`bias` only when affine.
public final class InstanceNorm2d: Layer {
    public let weight: Tensor?
    public let bias: Tensor?
    public let epsilon: Float
    public var isTraining = true

    /// Normalises each (sample, channel) plane; affine parameters start at 1 and 0 as in PyTorch.
    public init(channels: Int, affine: Bool = false, epsilon: Float = 1e-5) {
        weight = affine ? Tensor(shape: [channels], repeating: 1, requiresGrad: true) : nil
        bias = affine ? Tensor(zeros: [channels], requiresGrad: true) : nil
        self.epsilon = epsilon
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        guard let weight, let bias else { return [] }
        return [("weight", weight), ("bias", bias)]
    }

    /// Normalises `input` [N, C, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.instanceNorm(weight: weight, bias: bias, epsilon: epsilon)
    }
}

/// Batch normalisation (`nn.BatchNorm2d`): batch statistics while training, running ones in evaluation.
public final class BatchNorm2d: Layer {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVar: Tensor
    public let epsilon: Float
    public let momentum: Float
    public var isTraining = true

    /// Starts with weight 1, bias 0, running mean 0 and running variance 1, as PyTorch.
    public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        weight = Tensor(shape: [channels], repeating: 1, requiresGrad: true)
        bias = Tensor(zeros: [channels], requiresGrad: true)
        runningMean = Tensor(zeros: [channels])
        runningVar = Tensor(shape: [channels], repeating: 1)
        self.epsilon = epsilon; self.momentum = momentum
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
    public var ownBuffers: [(name: String, tensor: Tensor)] { [("running_mean", runningMean), ("running_var", runningVar)] }

    /// Normalises `input` [N, C, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard isTraining else {
            return input.batchNormInference(runningMean: runningMean, runningVar: runningVar,
                                            weight: weight, bias: bias, epsilon: epsilon)
        }
        let c = input.shape[1], view = [1, c, 1, 1]
        let mean = input.mean(axes: [0, 2, 3], keepDims: true)
        let centered = input - mean
        let variance = centered.squared().mean(axes: [0, 2, 3], keepDims: true)
        GradMode.withoutGradient {
            // Running variance is unbiased in PyTorch; the normalisation itself uses the biased one.
            let n = Float(input.count / c)
            let unbiased = variance.detached().scaled(n / max(n - 1, 1))
            runningMean.assign(runningMean.scaled(1 - momentum) + mean.detached().reshaped([c]).scaled(momentum))
            runningVar.assign(runningVar.scaled(1 - momentum) + unbiased.reshaped([c]).scaled(momentum))
        }
        let normalized = centered / (variance + epsilon).sqrt()
        return normalized * weight.reshaped(view) + bias.reshaped(view)
    }
}
