import Basics
import Tensor

/// 2-D convolution layer with PyTorch's `nn.Conv2d` parameters (`weight` [out, in, k, k], `bias` [out]).
public final class Conv2d: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int, padding: Int, dilation: Int
    public var isTraining = true

    /// Initialises like PyTorch (uniform ±1/√fan_in for weight and bias) from `generator`.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, bias: Bool = true, generator: inout SeededGenerator) {
        let bound = 1 / Float(inChannels * kernelSize * kernelSize).squareRoot()
        weight = .randomUniform([outChannels, inChannels, kernelSize, kernelSize], low: -bound, high: bound,
                                generator: &generator, requiresGrad: true)
        self.bias = bias ? .randomUniform([outChannels], low: -bound, high: bound, generator: &generator, requiresGrad: true) : nil
        self.stride = stride; self.padding = padding; self.dilation = dilation
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Convolves `input` [N, in, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }
}
