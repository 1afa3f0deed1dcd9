import Tensor

/// `nn.ReLU`.
public final class ReLU: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.relu() }
}

/// `nn.LeakyReLU` with the given negative slope.
public final class LeakyReLU: Layer {
    public let slope: Float
    public var isTraining = true
    public init(slope: Float = 0.01) { self.slope = slope }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.leakyRelu(slope: slope) }
}

/// `nn.Tanh`.
public final class Tanh: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.tanh() }
}

/// `nn.Sigmoid`.
public final class Sigmoid: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.sigmoid() }
}
