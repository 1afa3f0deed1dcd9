import Basics
/// Finite-difference verification of gradient rules, public so every layer built on the engine
/// (contextual loss, new ops) can check itself the same way.
public enum GradientCheck {
    /// max |a − b| / max |b|: how far `a` is from the reference `b`, relative to the reference's
    /// scale (what the golden and cross-framework tests compare with).
    public static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.count == b.count, "compare \(a.shape) with \(b.shape)")
        var diff: Float = 0, scale: Float = 1e-12
        for i in 0..<a.count {
            diff = max(diff, abs(a.pointer[i] - b.pointer[i]))
            scale = max(scale, abs(b.pointer[i]))
        }
        return diff / scale
    }

    /// Largest discrepancy between reverse-mode and central-difference gradients of
    /// L = Σ f(inputs) · w (w fixed pseudo-random weights), over every element of every input that
    /// requires a gradient, scaled by max(largest numeric gradient, 1).
    ///
    /// Inputs are perturbed in place and restored. Keep them away from kinks (ReLU at 0, max-pool ties)
    /// by more than `epsilon`.
    public static func maxError(_ inputs: [Tensor], epsilon: Float = 1e-2, seed: UInt64 = 99,
                                _ f: ([Tensor]) -> Tensor) -> Float {
        for x in inputs { x.grad = nil }
        let probe = f(inputs)
        var rng = SeededGenerator(seed: seed)
        let weights = Tensor.randomUniform(probe.shape, low: 0.5, high: 1.5, generator: &rng)
        (probe * weights).sum().backward()

        func loss() -> Double {
            GradMode.withoutGradient {
                let y = f(inputs)
                var acc: Double = 0
                for i in 0..<y.count { acc += Double(y.pointer[i]) * Double(weights.pointer[i]) }
                return acc
            }
        }
        var worst: Float = 0
        for x in inputs where x.requiresGrad {
            let analytic = x.grad?.scalars ?? [Float](repeating: 0, count: x.count)
            var numeric = [Float](repeating: 0, count: x.count)
            for i in 0..<x.count {
                let saved = x.pointer[i]
                x.pointer[i] = saved + epsilon
                let up = loss()
                x.pointer[i] = saved - epsilon
                let down = loss()
                x.pointer[i] = saved
                numeric[i] = Float((up - down) / Double(2 * epsilon))
            }
            let scale = max(numeric.map { Swift.abs($0) }.max() ?? 0, 1)
            for i in 0..<x.count { worst = max(worst, Swift.abs(analytic[i] - numeric[i]) / scale) }
        }
        for x in inputs { x.grad = nil }
        return worst
    }
}
