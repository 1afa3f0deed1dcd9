import Tensor

/// `nn.ReflectionPad2d` / `nn.ZeroPad2d` with the same amount on every side.
public final class Pad2d: Layer {
    public let amount: Int
    public let mode: PaddingMode
    public var isTraining = true

    /// Pads by `amount` pixels using `mode`.
    public init(_ amount: Int, mode: PaddingMode) { self.amount = amount; self.mode = mode }

    /// Pads `input` [N, C, H, W].
    public func callAsFunction(_ input: Tensor) -> Tensor { input.padded(amount, mode: mode) }
}
