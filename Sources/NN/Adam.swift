import Tensor

/// Adam with PyTorch's update rule (bias-corrected, ε added after the square root).
public final class Adam {
    /// Tensors updated in place by `step()`.
    public let parameters: [Tensor]
    /// Step size; change it between steps to follow a schedule.
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    /// Steps taken so far.
    public private(set) var stepCount = 0
    private var firstMoments: [Tensor]
    private var secondMoments: [Tensor]

    /// Defaults are CycleGAN's: lr 2e-4, β1 0.5, β2 0.999.
    public init(parameters: [Tensor], learningRate: Float = 2e-4, beta1: Float = 0.5, beta2: Float = 0.999,
                epsilon: Float = 1e-8) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        firstMoments = parameters.map { Tensor(zeros: $0.shape) }
        secondMoments = parameters.map { Tensor(zeros: $0.shape) }
    }

    /// Applies one update from each parameter's accumulated `grad` (parameters without one are skipped).
    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let correction1 = 1 - powf(beta1, t)
        let correction2Root = (1 - powf(beta2, t)).squareRoot()
        let stepSize = learningRate / correction1
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let w = p.pointer, gp = g.pointer, m = firstMoments[i].pointer, v = secondMoments[i].pointer
            let b1 = beta1, b2 = beta2, eps = epsilon
            // Eight lanes at a time by hand: the compiler cannot prove the four arrays apart, so the plain
            // loop stayed scalar. Each lane does the scalar loop's operations in its order.
            Parallel.forEachRange(p.count, work: 4) { r in
                var j = r.lowerBound
                while j + 8 <= r.upperBound {
                    let gj = Self.load(gp + j)
                    let mj = b1 * Self.load(m + j) + (1 - b1) * gj
                    let vj = b2 * Self.load(v + j) + (1 - b2) * gj * gj
                    Self.store(mj, m + j); Self.store(vj, v + j)
                    Self.store(Self.load(w + j) - stepSize * mj / (vj.squareRoot() / correction2Root + eps), w + j)
                    j += 8
                }
                while j < r.upperBound {
                    let gj = gp[j]
                    m[j] = b1 * m[j] + (1 - b1) * gj
                    v[j] = b2 * v[j] + (1 - b2) * gj * gj
                    w[j] -= stepSize * m[j] / (v[j].squareRoot() / correction2Root + eps)
                    j += 1
                }
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func store(_ x: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD8<Float>.self)
    }

    /// Drops every parameter's accumulated gradient.
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// The moment estimates, one per parameter in order (shared, not copied), for checkpoints.
    public var moments: (first: [Tensor], second: [Tensor]) { (firstMoments, secondMoments) }

    /// Restores a checkpointed state: the step count and moments shaped like the parameters.
    public func restore(stepCount: Int, first: [Tensor], second: [Tensor]) throws {
        guard stepCount >= 0, first.count == parameters.count, second.count == parameters.count else {
            throw StateDictError.shapeMismatch(key: "adam", expected: [parameters.count], found: [first.count, second.count])
        }
        for (i, p) in parameters.enumerated() {
            guard first[i].shape == p.shape, second[i].shape == p.shape else {
                throw StateDictError.shapeMismatch(key: "adam.\(i)", expected: p.shape, found: first[i].shape)
            }
            firstMoments[i].assign(first[i])
            secondMoments[i].assign(second[i])
        }
        self.stepCount = stepCount
    }
}

import Glibc
