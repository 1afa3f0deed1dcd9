extension Tensor {
    /// Instance normalisation of [N, C, H, W]: each (n, c) plane to zero mean and unit (biased) variance,
    /// then `weight`·x̂ + `bias` per channel when given (PyTorch's `instance_norm`).
    public func instanceNorm(weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank == 4, "instanceNorm needs [N, C, H, W], got \(shape)")
        let c = shape[1], planes = shape[0] * c, m = shape[2] * shape[3]
        let normalized = Tensor(shape: shape, storage: Storage(uninitializedCount: count))
        var invStd = [Float](repeating: 0, count: planes)
        let p = pointer, xh = normalized.pointer
        for pl in 0..<planes {
            let src = p + pl * m, dst = xh + pl * m
            var s: Double = 0
            for i in 0..<m { s += Double(src[i]) }
            let mean = Float(s / Double(m))
            var v: Double = 0
            for i in 0..<m { let d = src[i] - mean; v += Double(d * d) }
            let inv = 1 / (Float(v / Double(m)) + epsilon).squareRoot()
            invStd[pl] = inv
            for i in 0..<m { dst[i] = (src[i] - mean) * inv }
        }
        let out: Tensor
        if weight != nil || bias != nil {
            out = Tensor(shape: shape, storage: Storage(uninitializedCount: count))
            let o = out.pointer
            for pl in 0..<planes {
                let w = weight?.pointer[pl % c] ?? 1, b = bias?.pointer[pl % c] ?? 0
                let src = xh + pl * m, dst = o + pl * m
                for i in 0..<m { dst[i] = src[i] * w + b }
            }
        } else {
            out = normalized
        }
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let x = self
        return Tensor.record(out, inputs: inputs) { g in
            let xh = normalized.pointer  // the closure keeps x̂ alive (it is not `out` when affine)
            let gx = Tensor(shape: x.shape, storage: Storage(uninitializedCount: x.count))
            let gw = weight.map { _ in Tensor(zeros: [c]) }, gb = bias.map { _ in Tensor(zeros: [c]) }
            let gp = g.pointer, gxp = gx.pointer
            for pl in 0..<planes {
                let w = weight?.pointer[pl % c] ?? 1
                let gr = gp + pl * m, xr = xh + pl * m, dr = gxp + pl * m
                var sg: Double = 0, sgx: Double = 0
                for i in 0..<m { sg += Double(gr[i]); sgx += Double(gr[i] * xr[i]) }
                if let gw { gw.pointer[pl % c] += Float(sgx) }
                if let gb { gb.pointer[pl % c] += Float(sg) }
                let meanG = Float(sg / Double(m)), meanGX = Float(sgx / Double(m))
                let scale = w * invStd[pl]
                for i in 0..<m { dr[i] = scale * (gr[i] - meanG - xr[i] * meanGX) }
            }
            var grads: [Tensor?] = [gx]
            if weight != nil { grads.append(gw) }
            if bias != nil { grads.append(gb) }
            return grads
        }
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
