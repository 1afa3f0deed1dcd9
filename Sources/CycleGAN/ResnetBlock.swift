import Basics
import NN
import Tensor

/// CycleGAN's residual block: x + [pad, conv3×3, norm, ReLU, pad, conv3×3, norm](x), keys `conv_block.N`.
public final class ResnetBlock: Layer {
    /// The residual branch (PyTorch's `conv_block`).
    public let convBlock: Sequential
    public var isTraining = true
    /// Whether a recorded forward keeps only the block's input and recomputes the rest in backward
    /// (`Tensor.checkpoint`): less memory for one more forward of the block; same values and gradients.
    public var isCheckpointed = false

    /// A block of `channels` with reflection padding and affine-free instance norm (CycleGAN's defaults).
    public init(channels: Int, useBias: Bool = true, generator: inout SeededGenerator) {
        convBlock = Sequential([
            Pad2d(1, mode: .reflect),
            Conv2d(inChannels: channels, outChannels: channels, kernelSize: 3, bias: useBias, generator: &generator),
            InstanceNorm2d(channels: channels),
            ReLU(),
            Pad2d(1, mode: .reflect),
            Conv2d(inChannels: channels, outChannels: channels, kernelSize: 3, bias: useBias, generator: &generator),
            InstanceNorm2d(channels: channels),
        ])
    }

    public var children: [(name: String, module: any Module)] { [("conv_block", convBlock)] }

    /// Adds the residual branch to `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard isCheckpointed else { return input + convBlock(input) }
        let branch = convBlock
        return Tensor.checkpoint(input) { x in x + branch(x) }
    }
}
