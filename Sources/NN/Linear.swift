import Basics
import Tensor

/// Fully connected layer with PyTorch's `nn.Linear` parameters (`weight` [out, in], `bias` [out]).
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public var isTraining = true

    /// Initialises like PyTorch (uniform ±1/√in) from `generator`.
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, generator: inout SeededGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = .randomUniform([outFeatures, inFeatures], low: -bound, high: bound, generator: &generator, requiresGrad: true)
        self.bias = bias ? .randomUniform([outFeatures], low: -bound, high: bound, generator: &generator, requiresGrad: true) : nil
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Maps `input` [N, in] to [N, out].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let y = input.matmul(weight.transposed())
        guard let bias else { return y }
        return y + bias
    }
}
