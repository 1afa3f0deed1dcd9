import Tensor

/// Layers applied in order, named "0", "1", … like PyTorch's `nn.Sequential`.
public final class Sequential: Layer {
    /// The layers, in order.
    public let layers: [any Layer]
    public var isTraining = true

    /// Chains `layers`.
    public init(_ layers: [any Layer]) { self.layers = layers }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    /// Runs every layer in turn.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }
}
