extension Tensor {
    /// Instance normalisation of [N, C, H, W]: each (n, c) plane to zero mean and unit (biased) variance,
    /// then `weight`·x̂ + `bias` per channel when given (PyTorch's `instance_norm`). Planes run in parallel.
    public func instanceNorm(weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank == 4, "instanceNorm needs [N, C, H, W], got \(shape)")
        let c = shape[1], planes = shape[0] * c, m = shape[2] * shape[3]
        let normalized = Tensor(shape: shape, storage: Storage(uninitializedCount: count))
        let invStd = Storage(uninitializedCount: planes)
        let affine = weight != nil || bias != nil
        let out = affine ? Tensor(shape: shape, storage: Storage(uninitializedCount: count)) : normalized
        let p = pointer, xh = normalized.pointer, o = out.pointer, inv = invStd.base
        let wp = weight?.pointer, bp = bias?.pointer
        Parallel.forEachRange(planes, work: m) { range in
            for pl in range {
                let src = p + pl * m, dst = xh + pl * m
                let mean = Tensor.planeSum(src, m) / Float(m)
                let variance = Tensor.planeSquaredDeviation(src, m, from: mean) / Float(m)
                let s = 1 / (variance + epsilon).squareRoot()
                inv[pl] = s
                for i in 0..<m { dst[i] = (src[i] - mean) * s }
                if affine {
                    let w = wp?[pl % c] ?? 1, b = bp?[pl % c] ?? 0, y = o + pl * m
                    for i in 0..<m { y[i] = dst[i] * w + b }
                }
            }
        }
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let x = self
        // A detached view of x̂: when not affine, x̂ is the output, whose node must not retain it.
        let savedNormalized = normalized.detached()
        return Tensor.record(out, inputs: inputs) { g in
            // Re-derive the pointers from the owners so the closure keeps x̂ and 1/σ alive.
            let xh = savedNormalized.pointer, inv = invStd.base
            let gx = Tensor(shape: x.shape, storage: Storage(uninitializedCount: x.count))
            let sums = Storage(uninitializedCount: 2 * planes)  // per plane: Σg, Σg·x̂
            let gp = g.pointer, gxp = gx.pointer, sp = sums.base
            Parallel.forEachRange(planes, work: m) { range in
                for pl in range {
                    let w = wp?[pl % c] ?? 1
                    let gr = gp + pl * m, xr = xh + pl * m, dr = gxp + pl * m
                    let sg = Tensor.planeSum(gr, m), sgx = Tensor.planeDot(gr, xr, m)
                    sp[2 * pl] = sg; sp[2 * pl + 1] = sgx
                    let meanG = sg / Float(m), meanGX = sgx / Float(m)
                    let scale = w * inv[pl]
                    for i in 0..<m { dr[i] = scale * (gr[i] - meanG - xr[i] * meanGX) }
                }
            }
            var grads: [Tensor?] = [gx]
            if weight != nil {
                let gw = Tensor(zeros: [c])
                for pl in 0..<planes { gw.pointer[pl % c] += sp[2 * pl + 1] }
                grads.append(gw)
            }
            if bias != nil {
                let gb = Tensor(zeros: [c])
                for pl in 0..<planes { gb.pointer[pl % c] += sp[2 * pl] }
                grads.append(gb)
            }
            return grads
        }
    }

    /// Σ x over a plane, in 16 SIMD lanes (vectorised, and more accurate than one running sum).
    @inline(__always)
    static func planeSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n { acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self); i += 16 }
        var total = acc.sum()
        while i < n { total += x[i]; i += 1 }
        return total
    }

    /// Σ (x − mean)² over a plane, in 16 SIMD lanes.
    @inline(__always)
    static func planeSquaredDeviation(_ x: UnsafePointer<Float>, _ n: Int, from mean: Float) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        let m = SIMD16<Float>(repeating: mean)
        var i = 0
        while i + 16 <= n {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - m
            acc += d * d; i += 16
        }
        var total = acc.sum()
        while i < n { let d = x[i] - mean; total += d * d; i += 1 }
        return total
    }

    /// Σ a·b over a plane, in 16 SIMD lanes.
    @inline(__always)
    static func planeDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var total = acc.sum()
        while i < n { total += a[i] * b[i]; i += 1 }
        return total
    }

    /// Batch normalisation with fixed statistics (inference mode): (x − mean)/√(var + ε)·weight + bias per channel.
    public func batchNormInference(runningMean: Tensor, runningVar: Tensor, weight: Tensor? = nil,
                                   bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 2 && runningMean.count == shape[1] && runningVar.count == shape[1],
                     "batchNorm input \(shape) with statistics of \(runningMean.count)")
        let c = shape[1], view = [1, c] + [Int](repeating: 1, count: rank - 2)
        let inv = runningVar.detached().map { 1 / ($0 + epsilon).squareRoot() }.reshaped(view)
        let centered = self - runningMean.detached().reshaped(view)
        var y = centered * inv
        if let weight { y = y * weight.reshaped(view) }
        if let bias { y = y + bias.reshaped(view) }
        return y
    }
}
