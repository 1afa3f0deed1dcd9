import Basics
import NN
import Tensor

/// The 70×70 PatchGAN discriminator of junyanz/pytorch-CycleGAN-and-pix2pix (`NLayerDiscriminator`
/// with instance norm): state-dict keys `model.0`, `model.2`, `model.5`, `model.8`, `model.11` for 3 layers.
public final class NLayerDiscriminator: Layer {
    /// The whole network as PyTorch's `model` sequential.
    public let model: Sequential
    public var isTraining = true

    /// Builds `layers` stride-2 stages of 4×4 convolutions; weights N(0, `initStd`²), biases zero.
    public init(inputChannels: Int = 3, ndf: Int = 64, layers nLayers: Int = 3, initStd: Float = 0.02,
                generator: inout SeededGenerator) {
        var layers: [any Layer] = [
            Conv2d(inChannels: inputChannels, outChannels: ndf, kernelSize: 4, stride: 2, padding: 1, generator: &generator),
            LeakyReLU(slope: 0.2),
        ]
        var mult = 1
        for n in 1..<max(nLayers, 1) {
            let previous = mult
            mult = min(1 << n, 8)
            layers += [
                Conv2d(inChannels: ndf * previous, outChannels: ndf * mult, kernelSize: 4, stride: 2, padding: 1,
                       generator: &generator),
                InstanceNorm2d(channels: ndf * mult), LeakyReLU(slope: 0.2),
            ]
        }
        let previous = mult
        mult = min(1 << nLayers, 8)
        layers += [
            Conv2d(inChannels: ndf * previous, outChannels: ndf * mult, kernelSize: 4, stride: 1, padding: 1,
                   generator: &generator),
            InstanceNorm2d(channels: ndf * mult), LeakyReLU(slope: 0.2),
            Conv2d(inChannels: ndf * mult, outChannels: 1, kernelSize: 4, stride: 1, padding: 1, generator: &generator),
        ]
        model = Sequential(layers)
        initializeNormal(self, std: initStd, generator: &generator)
    }

    public var children: [(name: String, module: any Module)] { [("model", model)] }

    /// Scores each overlapping patch of `input` [N, C, H, W]; one logit per patch.
    public func callAsFunction(_ input: Tensor) -> Tensor { model(input) }
}
