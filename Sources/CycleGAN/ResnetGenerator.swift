import Basics
import NN
import Tensor

/// CycleGAN's ResNet generator with the layout and state-dict keys (`model.N.weight`) of
/// junyanz/pytorch-CycleGAN-and-pix2pix `ResnetGenerator` (instance norm, no dropout, reflection padding).
public final class ResnetGenerator: Layer {
    /// The whole network as PyTorch's `model` sequential.
    public let model: Sequential
    public var isTraining = true

    /// Builds the network and initialises convolution weights from N(0, `initStd`²), biases to zero
    /// (CycleGAN's `init_type normal`).
    public init(inputChannels: Int = 3, outputChannels: Int = 3, ngf: Int = 64, blocks: Int = 9,
                initStd: Float = 0.02, generator: inout SeededGenerator) {
        var layers: [any Layer] = [
            Pad2d(3, mode: .reflect),
            Conv2d(inChannels: inputChannels, outChannels: ngf, kernelSize: 7, generator: &generator),
            InstanceNorm2d(channels: ngf), ReLU(),
        ]
        for i in 0..<2 {
            let mult = 1 << i
            layers += [
                Conv2d(inChannels: ngf * mult, outChannels: ngf * mult * 2, kernelSize: 3, stride: 2, padding: 1,
                       generator: &generator),
                InstanceNorm2d(channels: ngf * mult * 2), ReLU(),
            ]
        }
        for _ in 0..<blocks { layers.append(ResnetBlock(channels: ngf * 4, generator: &generator)) }
        for i in 0..<2 {
            let mult = 1 << (2 - i)
            layers += [
                ConvTranspose2d(inChannels: ngf * mult, outChannels: ngf * mult / 2, kernelSize: 3, stride: 2,
                                padding: 1, outputPadding: 1, generator: &generator),
                InstanceNorm2d(channels: ngf * mult / 2), ReLU(),
            ]
        }
        layers += [
            Pad2d(3, mode: .reflect),
            Conv2d(inChannels: ngf, outChannels: outputChannels, kernelSize: 7, generator: &generator),
            Tanh(),
        ]
        model = Sequential(layers)
        initializeNormal(self, std: initStd, generator: &generator)
    }

    public var children: [(name: String, module: any Module)] { [("model", model)] }

    /// Whether the residual blocks are checkpointed in training (`ResnetBlock.isCheckpointed`).
    public var checkpointsBlocks: Bool {
        get { blocks.contains { $0.isCheckpointed } }
        set { for block in blocks { block.isCheckpointed = newValue } }
    }

    private var blocks: [ResnetBlock] { model.layers.compactMap { $0 as? ResnetBlock } }

    /// Translates `input` [N, C, H, W] (H and W divisible by 4) to an image in [−1, 1].
    public func callAsFunction(_ input: Tensor) -> Tensor { model(input) }
}

/// CycleGAN's `init_weights(init_type="normal")`: conv weights N(0, std²), biases 0, and affine
/// normalisation scales (rank-1 weights) N(1, std²).
public func initializeNormal(_ module: any Module, std: Float = 0.02, generator: inout SeededGenerator) {
    for (name, t) in module.namedParameters() {
        if name.hasSuffix("bias") {
            t.zero()
        } else {
            t.assign(.randomNormal(t.shape, mean: t.rank == 1 ? 1 : 0, std: std, generator: &generator))
        }
    }
}
