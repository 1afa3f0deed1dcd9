import Tensor

/// Mean squared error between `prediction` and `target` (broadcast), as `nn.MSELoss()`.
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    (prediction - target).squared().mean()
}

/// Mean absolute error between `prediction` and `target` (broadcast), as `nn.L1Loss()`.
public func l1Loss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    (prediction - target).abs().mean()
}

/// Mean squared error against a constant (LSGAN's real = 1 / fake = 0 labels).
public func mseLoss(_ prediction: Tensor, target: Float) -> Tensor {
    (prediction - target).squared().mean()
}
