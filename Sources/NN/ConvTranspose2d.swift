import Basics
import Tensor

/// Transposed 2-D convolution with PyTorch's `nn.ConvTranspose2d` parameters (`weight` [in, out, k, k]).
public final class ConvTranspose2d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int, padding: Int, outputPadding: Int, dilation: Int
    public var isTraining = true

    /// Initialises like PyTorch (uniform ±1/√(out·k·k)) from `generator`.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, dilation: Int = 1, bias: Bool = true, generator: inout SeededGenerator) {
        let bound = 1 / Float(outChannels * kernelSize * kernelSize).squareRoot()
        weight = .randomUniform([inChannels, outChannels, kernelSize, kernelSize], low: -bound, high: bound,
                                generator: &generator, requiresGrad: true)
        self.bias = bias ? .randomUniform([outChannels], low: -bound, high: bound, generator: &generator, requiresGrad: true) : nil
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding; self.dilation = dilation
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Upsamples `input` [N, in, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding,
                              outputPadding: outputPadding, dilation: dilation)
    }
}
