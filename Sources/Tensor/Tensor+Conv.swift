extension Tensor {
    /// 2-D convolution of [N, Cin, H, W] with weight [Cout, Cin, kh, kw] and optional bias [Cout]
    /// (PyTorch's `conv2d` semantics), as im2col + sgemm per image.
    ///
    /// The column matrix is built a few input channels at a time so it stays cache-sized; each chunk
    /// adds its share of the product (the weight's columns for those channels) into the output.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                       dilation: Int = 1) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d input \(shape) with weight \(weight.shape)")
        let n = shape[0], cout = weight.shape[0]
        let geo = ConvGeometry(channels: shape[1], height: shape[2], width: shape[3],
                               kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                               stride: stride, padding: padding, dilation: dilation)
        precondition(geo.outHeight > 0 && geo.outWidth > 0, "conv2d output empty for input \(shape)")
        let k = geo.columnRows, hw = geo.columnCount, plane = geo.height * geo.width
        let kk = geo.kernelHeight * geo.kernelWidth, inSize = geo.channels * plane
        let chunk = geo.isPointwise ? geo.channels : geo.channelsPerChunk()
        let out = Tensor(shape: [n, cout, geo.outHeight, geo.outWidth], storage: Storage(uninitializedCount: n * cout * hw))
        let col = geo.isPointwise ? nil : Storage(uninitializedCount: chunk * kk * hw)
        let w = weight.pointer
        for i in 0..<n {
            let o = out.pointer + i * cout * hw
            for c0 in Swift.stride(from: 0, to: geo.channels, by: chunk) {
                let cc = min(chunk, geo.channels - c0)
                let src = pointer + i * inSize + c0 * plane
                if let col { geo.withChannels(cc).im2col(src, col.base) }
                Tensor.gemm(false, false, cout, hw, cc * kk, 1, w + c0 * kk, k, col?.base ?? src, hw,
                            c0 == 0 ? 0 : 1, o, hw)
            }
        }
        if let bias { Tensor.addChannelBias(out, bias) }
        let x = self
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record(out, inputs: inputs) { g in
            let gw = weight.requiresGrad ? Tensor(zeros: weight.shape) : nil
            let gx = x.requiresGrad ? Tensor(zeros: x.shape) : nil
            let gcol = (gx != nil && col != nil) ? Storage(uninitializedCount: chunk * kk * hw) : nil
            for i in 0..<n {
                let gi = g.pointer + i * cout * hw
                for c0 in Swift.stride(from: 0, to: geo.channels, by: chunk) {
                    let cc = min(chunk, geo.channels - c0), sub = geo.withChannels(cc)
                    let src = x.pointer + i * inSize + c0 * plane
                    if let gw {
                        if let col { sub.im2col(src, col.base) }
                        Tensor.gemm(false, true, cout, cc * kk, hw, 1, gi, hw, col?.base ?? src, hw, 1,
                                    gw.pointer + c0 * kk, k)
                    }
                    if let gx {
                        let dst = gx.pointer + i * inSize + c0 * plane
                        Tensor.gemm(true, false, cc * kk, hw, cout, 1, w + c0 * kk, k, gi, hw, 0, gcol?.base ?? dst, hw)
                        if let gcol { sub.col2im(gcol.base, dst) }
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
    ///
    /// It is the adjoint of a convolution from the output grid to the input grid, so it runs as
    /// sgemm + col2im, a few output channels at a time.
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                                outputPadding: Int = 0, dilation: Int = 1) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[0] == shape[1],
                     "convTranspose2d input \(shape) with weight \(weight.shape)")
        precondition(outputPadding < max(stride, dilation), "output padding must be below stride or dilation")
        let n = shape[0], cin = shape[1], cout = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3]
        let oh = (shape[2] - 1) * stride - 2 * padding + dilation * (kh - 1) + outputPadding + 1
        let ow = (shape[3] - 1) * stride - 2 * padding + dilation * (kw - 1) + outputPadding + 1
        let geo = ConvGeometry(channels: cout, height: oh, width: ow, kernelHeight: kh, kernelWidth: kw,
                               stride: stride, padding: padding, dilation: dilation)
        precondition(geo.outHeight == shape[2] && geo.outWidth == shape[3], "inconsistent transposed conv geometry")
        let hwIn = shape[2] * shape[3], k = geo.columnRows, kk = kh * kw, plane = oh * ow, outSize = cout * plane
        let chunk = geo.channelsPerChunk()
        let out = Tensor(zeros: [n, cout, oh, ow])
        let col = Storage(uninitializedCount: chunk * kk * hwIn)
        let w = weight.pointer
        for i in 0..<n {
            for c0 in Swift.stride(from: 0, to: cout, by: chunk) {
                let cc = min(chunk, cout - c0)
                Tensor.gemm(true, false, cc * kk, hwIn, cin, 1, w + c0 * kk, k, pointer + i * cin * hwIn, hwIn, 0, col.base, hwIn)
                geo.withChannels(cc).col2im(col.base, out.pointer + i * outSize + c0 * plane)
            }
        }
        if let bias { Tensor.addChannelBias(out, bias) }
        let x = self
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record(out, inputs: inputs) { g in
            let gw = weight.requiresGrad ? Tensor(zeros: weight.shape) : nil
            let gx = x.requiresGrad ? Tensor(zeros: x.shape) : nil
            for i in 0..<n {
                for c0 in Swift.stride(from: 0, to: cout, by: chunk) {
                    let cc = min(chunk, cout - c0)
                    geo.withChannels(cc).im2col(g.pointer + i * outSize + c0 * plane, col.base)
                    if let gx {
                        Tensor.gemm(false, false, cin, hwIn, cc * kk, 1, w + c0 * kk, k, col.base, hwIn, 1,
                                    gx.pointer + i * cin * hwIn, hwIn)
                    }
                    if let gw {
                        Tensor.gemm(false, true, cin, cc * kk, hwIn, 1, x.pointer + i * cin * hwIn, hwIn, col.base, hwIn, 1,
                                    gw.pointer + c0 * kk, k)
                    }
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
