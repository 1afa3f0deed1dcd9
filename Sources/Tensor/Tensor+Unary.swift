import Glibc

extension Tensor {
    /// Applies `f` to every element into a new tensor (in parallel for large tensors); not recorded.
    @inline(__always)
    public func map(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor(shape: shape, storage: Storage(uninitializedCount: count))
        let p = pointer, o = out.pointer
        Parallel.forEachRange(count) { r in for i in r { o[i] = f(p[i]) } }
        return out
    }

    /// Combines two same-sized tensors elementwise into a new one; not recorded.
    @inline(__always)
    public func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(other.count == count, "zipMap \(shape) with \(other.shape)")
        let out = Tensor(shape: shape, storage: Storage(uninitializedCount: count))
        let p = pointer, q = other.pointer, o = out.pointer
        Parallel.forEachRange(count) { r in for i in r { o[i] = f(p[i], q[i]) } }
        return out
    }

    /// e^x.
    public func exp() -> Tensor {
        let out = map { cExp($0) }, saved = out.detached()  // not `out`: its node would retain itself
        return Tensor.record(out, inputs: [self]) { g in [g.zipMap(saved) { $0 * $1 }] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        Tensor.record(map { cLog($0) }, inputs: [self]) { g in [g.zipMap(self) { $0 / $1 }] }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let out = map { $0.squareRoot() }, saved = out.detached()  // not `out`: its node would retain itself
        return Tensor.record(out, inputs: [self]) { g in [g.zipMap(saved) { 0.5 * $0 / $1 }] }
    }

    /// x raised to a constant power.
    public func pow(_ p: Float) -> Tensor {
        Tensor.record(map { cPow($0, p) }, inputs: [self]) { g in
            [g.zipMap(self) { $0 * p * cPow($1, p - 1) }]
        }
    }

    /// Absolute value (gradient 0 at 0, as PyTorch).
    public func abs() -> Tensor {
        Tensor.record(map { Swift.abs($0) }, inputs: [self]) { g in
            [g.zipMap(self) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
        }
    }

    /// Hyperbolic tangent. `tanhf` costs ~13 ns a value, so even the generator's 49k outputs are
    /// worth both threads (`map` would keep them on one).
    public func tanh() -> Tensor {
        let out = Tensor(shape: shape, storage: Storage(uninitializedCount: count))
        let p = pointer, o = out.pointer
        Parallel.forEachRange(count, work: 16) { r in for i in r { o[i] = cTanh(p[i]) } }
        let saved = out.detached()  // not `out`: its node would retain itself
        return Tensor.record(out, inputs: [self]) { g in [g.zipMap(saved) { $0 * (1 - $1 * $1) }] }
    }

    /// Logistic sigmoid.
    public func sigmoid() -> Tensor {
        let out = map { 1 / (1 + cExp(-$0)) }, saved = out.detached()  // not `out`: its node would retain itself
        return Tensor.record(out, inputs: [self]) { g in [g.zipMap(saved) { $0 * $1 * (1 - $1) }] }
    }

    /// max(x, 0). Written out rather than through `map`: a closure handed to the worker threads is
    /// called once per element there, ten times slower than the loop inlined on one thread.
    public func relu() -> Tensor {
        let out = Tensor(shape: shape, storage: Storage(uninitializedCount: count))
        let p = pointer, o = out.pointer
        Parallel.forEachRange(count) { r in for i in r { o[i] = p[i] > 0 ? p[i] : 0 } }
        let saved = out.detached()  // not `out`: its node would retain itself
        return Tensor.record(out, inputs: [self]) { g in
            let grad = Tensor(shape: g.shape, storage: Storage(uninitializedCount: g.count))
            let q = g.pointer, s = saved.pointer, d = grad.pointer
            // Both loads before the test, so the loop has no branch and vectorises.
            Parallel.forEachRange(g.count) { r in for i in r { let v = q[i], y = s[i]; d[i] = y > 0 ? v : 0 } }
            return [grad]
        }
    }

    /// x for x > 0, `slope`·x otherwise.
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        Tensor.record(map { $0 > 0 ? $0 : slope * $0 }, inputs: [self]) { g in
            [g.zipMap(self) { $1 > 0 ? $0 : slope * $0 }]
        }
    }

    /// Elementwise square.
    public func squared() -> Tensor {
        Tensor.record(map { $0 * $0 }, inputs: [self]) { g in [g.zipMap(self) { 2 * $0 * $1 }] }
    }
}

// Named wrappers so the methods above can call the C functions they shadow.
@inline(__always) func cExp(_ x: Float) -> Float { expf(x) }
@inline(__always) func cLog(_ x: Float) -> Float { logf(x) }
@inline(__always) func cPow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
@inline(__always) func cTanh(_ x: Float) -> Float { tanhf(x) }
