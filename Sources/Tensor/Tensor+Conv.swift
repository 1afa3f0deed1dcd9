extension Tensor {
    /// 2-D convolution of [N, Cin, H, W] with weight [Cout, Cin, kh, kw] and optional bias [Cout]
    /// (PyTorch's `conv2d` semantics), as im2col + sgemm per image.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                       dilation: Int = 1) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d input \(shape) with weight \(weight.shape)")
        let n = shape[0], cout = weight.shape[0]
        let geo = ConvGeometry(channels: shape[1], height: shape[2], width: shape[3],
                               kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                               stride: stride, padding: padding, dilation: dilation)
        precondition(geo.outHeight > 0 && geo.outWidth > 0, "conv2d output empty for input \(shape)")
        let k = geo.columnRows, hw = geo.columnCount, inSize = geo.channels * geo.height * geo.width
        let out = Tensor(shape: [n, cout, geo.outHeight, geo.outWidth], storage: Storage(uninitializedCount: n * cout * hw))
        let col = geo.isPointwise ? nil : Storage(uninitializedCount: k * hw)
        for i in 0..<n {
            let colPtr: UnsafePointer<Float>
            if let col { geo.im2col(pointer + i * inSize, col.base); colPtr = UnsafePointer(col.base) }
            else { colPtr = UnsafePointer(pointer + i * inSize) }
            Tensor.gemm(false, false, cout, hw, k, 1, weight.pointer, colPtr, 0, out.pointer + i * cout * hw)
        }
        if let bias { Tensor.addChannelBias(out, bias) }
        let x = self
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record(out, inputs: inputs) { g in
            let gw = weight.requiresGrad ? Tensor(zeros: weight.shape) : nil
            let gx = x.requiresGrad ? Tensor(zeros: x.shape) : nil
            let gcol = (gx != nil && !geo.isPointwise) ? Storage(uninitializedCount: k * hw) : nil
            for i in 0..<n {
                let gi = g.pointer + i * cout * hw
                if let gw {
                    let colPtr: UnsafePointer<Float>
                    if let col { geo.im2col(x.pointer + i * inSize, col.base); colPtr = UnsafePointer(col.base) }
                    else { colPtr = UnsafePointer(x.pointer + i * inSize) }
                    Tensor.gemm(false, true, cout, k, hw, 1, gi, colPtr, 1, gw.pointer)
                }
                if let gx {
                    if let gcol {
                        Tensor.gemm(true, false, k, hw, cout, 1, weight.pointer, gi, 0, gcol.base)
                        geo.col2im(gcol.base, gx.pointer + i * inSize)
                    } else {
                        Tensor.gemm(true, false, k, hw, cout, 1, weight.pointer, gi, 0, gx.pointer + i * inSize)
                    }
                }
            }
            var grads: [Tensor?] = [gx, gw]
            if let bias { grads.append(bias.requiresGrad ? Tensor.channelSums(g) : nil) }
            return grads
        }
    }

    /// Transposed 2-D convolution (PyTorch's `conv_transpose2d`): input [N, Cin, H, W],
    /// weight [Cin, Cout, kh, kw], output (H−1)·stride − 2·padding + dilation·(kh−1) + outputPadding + 1.
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                                outputPadding: Int = 0, dilation: Int = 1) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[0] == shape[1],
                     "convTranspose2d input \(shape) with weight \(weight.shape)")
        precondition(outputPadding < max(stride, dilation), "output padding must be below stride or dilation")
        let n = shape[0], cin = shape[1], cout = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3]
        let oh = (shape[2] - 1) * stride - 2 * padding + dilation * (kh - 1) + outputPadding + 1
        let ow = (shape[3] - 1) * stride - 2 * padding + dilation * (kw - 1) + outputPadding + 1
        // The geometry of the forward convolution this op is the adjoint of: it maps out → in.
        let geo = ConvGeometry(channels: cout, height: oh, width: ow, kernelHeight: kh, kernelWidth: kw,
                               stride: stride, padding: padding, dilation: dilation)
        precondition(geo.outHeight == shape[2] && geo.outWidth == shape[3], "inconsistent transposed conv geometry")
        let hwIn = shape[2] * shape[3], k = geo.columnRows, outSize = cout * oh * ow
        let out = Tensor(zeros: [n, cout, oh, ow])
        let col = Storage(uninitializedCount: k * hwIn)
        for i in 0..<n {
            Tensor.gemm(true, false, k, hwIn, cin, 1, weight.pointer, pointer + i * cin * hwIn, 0, col.base)
            geo.col2im(col.base, out.pointer + i * outSize)
        }
        if let bias { Tensor.addChannelBias(out, bias) }
        let x = self
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record(out, inputs: inputs) { g in
            let gw = weight.requiresGrad ? Tensor(zeros: weight.shape) : nil
            let gx = x.requiresGrad ? Tensor(zeros: x.shape) : nil
            let gcol = Storage(uninitializedCount: k * hwIn)
            for i in 0..<n {
                geo.im2col(g.pointer + i * outSize, gcol.base)
                if let gx {
                    Tensor.gemm(false, false, cin, hwIn, k, 1, weight.pointer, gcol.base, 0, gx.pointer + i * cin * hwIn)
                }
                if let gw {
                    Tensor.gemm(false, true, cin, k, hwIn, 1, x.pointer + i * cin * hwIn, gcol.base, 1, gw.pointer)
                }
            }
            var grads: [Tensor?] = [gx, gw]
            if let bias { grads.append(bias.requiresGrad ? Tensor.channelSums(g) : nil) }
            return grads
        }
    }

    /// Adds bias[c] to every element of channel c of an [N, C, ...] tensor in place.
    static func addChannelBias(_ t: Tensor, _ bias: Tensor) {
        let n = t.shape[0], c = t.shape[1], plane = t.count / max(n * c, 1)
        precondition(bias.count == c, "bias \(bias.shape) for \(c) channels")
        let p = t.pointer, b = bias.pointer
        for i in 0..<n { for j in 0..<c {
            let v = b[j], row = p + (i * c + j) * plane
            for q in 0..<plane { row[q] += v }
        } }
    }

    /// Per-channel sums of an [N, C, ...] tensor, shape [C] (the gradient of a channel bias).
    static func channelSums(_ t: Tensor) -> Tensor {
        let n = t.shape[0], c = t.shape[1], plane = t.count / max(n * c, 1)
        let out = Tensor(zeros: [c])
        let p = t.pointer, o = out.pointer
        for i in 0..<n { for j in 0..<c {
            let row = p + (i * c + j) * plane
            var acc: Float = 0
            for q in 0..<plane { acc += row[q] }
            o[j] += acc
        } }
        return out
    }
}
