extension Tensor {
    /// 2-D convolution of [N, Cin, H, W] with weight [Cout, Cin, kh, kw] and optional bias [Cout]
    /// (PyTorch's `conv2d` semantics).
    ///
    /// Runs as im2col + sgemm per image, the column matrix built a band of output rows at a time so
    /// it stays cache-sized; layers with at most `ConvGeometry.directOutputChannelLimit` output
    /// channels use the direct kernels instead (see ConvGeometry+Direct), and 3×3 stride-1 layers
    /// with enough channels run by Winograd, forward and both gradients: F(4×4, 3×3) where the output is
    /// at least 8×8 (Winograd4Convolution), F(2×2, 3×3) below that (WinogradConvolution). Other weight
    /// gradients go through im2col (the forward pass's columns when it built them).
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                       dilation: Int = 1) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d input \(shape) with weight \(weight.shape)")
        let n = shape[0], cout = weight.shape[0]
        let geo = ConvGeometry(channels: shape[1], height: shape[2], width: shape[3],
                               kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                               stride: stride, padding: padding, dilation: dilation)
        precondition(geo.outHeight > 0 && geo.outWidth > 0, "conv2d output empty for input \(shape)")
        let hw = geo.columnCount, inSize = geo.channels * geo.height * geo.width
        let direct = cout <= ConvGeometry.directOutputChannelLimit && !geo.isPointwise
        let out = Tensor(shape: [n, cout, geo.outHeight, geo.outWidth], storage: Storage(uninitializedCount: n * cout * hw))
        let banded = BandedConvolution(geometry: geo, outputChannels: cout)
        let w = weight.pointer
        let winograd = direct ? nil : WinogradRoute(weight: w, geometry: geo, outputChannels: cout)
        winograd?.forward(pointer, count: n, weight: w, geometry: geo, outputChannels: cout, into: out.pointer)
        // When the weight gradient will be needed, the forward pass keeps its whole column matrix
        // for it (k·hw floats per image) rather than unfolding the input a second time in backward,
        // up to `keptColumnLimit` floats per layer: held until backward, one per layer, larger
        // matrices (big images, big batches) would dominate a step's memory, so those go by bands.
        let k = geo.columnRows
        let kept = !direct && winograd == nil && !geo.isPointwise && GradMode.isEnabled && weight.requiresGrad
            && n * k * hw <= ConvGeometry.keptColumnLimit
            ? Storage(uninitializedCount: n * k * hw) : nil
        for i in 0..<n where winograd == nil {
            if direct {
                geo.directForward(pointer + i * inSize, w, outputChannels: cout, out.pointer + i * cout * hw)
            } else {
                banded.forward(pointer + i * inSize, w, out.pointer + i * cout * hw, keeping: kept.map { $0.base + i * k * hw })
            }
        }
        if let bias { Tensor.addChannelBias(out, bias) }
        let x = self
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        // With stride 1, a square kernel and fewer output than input channels, the input gradient is
        // itself a convolution of the output gradient with the flipped kernel; its column matrix
        // (Cout·k² rows) is smaller than the one col2im would fold back (Cin·k² rows), and no fold is needed.
        let flipped = stride == 1 && geo.kernelHeight == geo.kernelWidth && cout <= geo.channels
            && padding <= dilation * (geo.kernelHeight - 1) && !geo.isPointwise
        return Tensor.record(out, inputs: inputs) { g in
            var gx: Tensor?
            if x.requiresGrad && flipped, let winograd,
               let dx = winograd.inputGradient(g.pointer, count: n, weight: w, geometry: geo, outputChannels: cout) {
                // The flipped-kernel convolution below, on the forward's Winograd route.
                gx = dx
            } else if x.requiresGrad && flipped {
                gx = g.conv2d(weight: weight.flippedTransposedKernel(),
                              padding: dilation * (geo.kernelHeight - 1) - padding, dilation: dilation)
            } else if x.requiresGrad {
                let dx = Tensor(zeros: x.shape)
                for i in 0..<n {
                    if direct {
                        geo.directInputGradient(g.pointer + i * cout * hw, w, outputChannels: cout, dx.pointer + i * inSize)
                    } else {
                        banded.inputGradient(g.pointer + i * cout * hw, w, dx.pointer + i * inSize)
                    }
                }
                gx = dx
            }
            var gw: Tensor?
            if weight.requiresGrad, let winograd {
                let dw = Tensor(zeros: weight.shape)
                winograd.weightGradient(x.pointer, g.pointer, count: n, geometry: geo, outputChannels: cout, into: dw.pointer)
                gw = dw
            } else if weight.requiresGrad {
                let dw = Tensor(zeros: weight.shape)
                for i in 0..<n {
                    if direct {
                        geo.directWeightGradient(x.pointer + i * inSize, g.pointer + i * cout * hw, outputChannels: cout, dw.pointer)
                    } else {
                        banded.weightGradient(x.pointer + i * inSize, g.pointer + i * cout * hw, dw.pointer,
                                              kept: kept.map { UnsafePointer($0.base + i * k * hw) })
                    }
                }
                gw = dw
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
    /// sgemm + col2im, a band of input rows at a time.
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                                outputPadding: Int = 0, dilation: Int = 1) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[0] == shape[1],
                     "convTranspose2d input \(shape) with weight \(weight.shape)")
        precondition(outputPadding < Swift.max(stride, dilation), "output padding must be below stride or dilation")
        let n = shape[0], cin = shape[1], cout = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3]
        let oh = (shape[2] - 1) * stride - 2 * padding + dilation * (kh - 1) + outputPadding + 1
        let ow = (shape[3] - 1) * stride - 2 * padding + dilation * (kw - 1) + outputPadding + 1
        let geo = ConvGeometry(channels: cout, height: oh, width: ow, kernelHeight: kh, kernelWidth: kw,
                               stride: stride, padding: padding, dilation: dilation)
        precondition(geo.outHeight == shape[2] && geo.outWidth == shape[3], "inconsistent transposed conv geometry")
        let hwIn = shape[2] * shape[3], wIn = shape[3], k = geo.columnRows, outSize = cout * oh * ow
        let band = geo.rowsPerChunk()
        let out = Tensor(zeros: [n, cout, oh, ow])
        let col = Storage(uninitializedCount: k * band * wIn)
        let w = weight.pointer
        for i in 0..<n {
            let src = pointer + i * cin * hwIn
            for y0 in Swift.stride(from: 0, to: shape[2], by: band) {
                let rows = y0..<Swift.min(y0 + band, shape[2]), cols = rows.count * wIn
                Tensor.gemm(true, false, k, cols, cin, 1, w, k, src + y0 * wIn, hwIn, 0, col.base, cols)
                geo.col2im(col.base, out.pointer + i * outSize, rows: rows)
            }
        }
        if let bias { Tensor.addChannelBias(out, bias) }
        let x = self
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return Tensor.record(out, inputs: inputs) { g in
            let gw = weight.requiresGrad ? Tensor(zeros: weight.shape) : nil
            let gx = x.requiresGrad ? Tensor(zeros: x.shape) : nil
            // A fresh buffer: holding the forward one until backward would add to the step's peak memory.
            let col = Storage(uninitializedCount: k * band * wIn)
            for i in 0..<n {
                let xi = x.pointer + i * cin * hwIn
                for y0 in Swift.stride(from: 0, to: x.shape[2], by: band) {
                    let rows = y0..<Swift.min(y0 + band, x.shape[2]), cols = rows.count * wIn
                    geo.im2col(g.pointer + i * outSize, col.base, rows: rows)
                    if let gx {
                        Tensor.gemm(false, false, cin, cols, k, 1, w, k, col.base, cols, 0, gx.pointer + i * cin * hwIn + y0 * wIn, hwIn)
                    }
                    if let gw {
                        Tensor.gemm(false, true, cin, k, cols, 1, xi + y0 * wIn, hwIn, col.base, cols, 1, gw.pointer, k)
                    }
                }
            }
            var grads: [Tensor?] = [gx, gw]
            if let bias { grads.append(bias.requiresGrad ? Tensor.channelSums(g) : nil) }
            return grads
        }
    }

    /// [Cout, Cin, kh, kw] → [Cin, Cout, kh, kw] with both spatial axes reversed: the kernel whose
    /// convolution is the adjoint of a stride-1 convolution with this one.
    func flippedTransposedKernel() -> Tensor {
        let co = shape[0], ci = shape[1], kk = shape[2] * shape[3]
        let out = Tensor(shape: [ci, co, shape[2], shape[3]], storage: Storage(uninitializedCount: count))
        let p = pointer, o = out.pointer
        // Reversing both spatial axes of a row-major kh×kw block is reversing the block.
        for b in 0..<ci {
            for a in 0..<co {
                let src = p + (a * ci + b) * kk, dst = o + (b * co + a) * kk
                for t in 0..<kk { dst[t] = src[kk - 1 - t] }
            }
        }
        return out
    }

    /// Adds bias[c] to every element of channel c of an [N, C, ...] tensor in place.
    static func addChannelBias(_ t: Tensor, _ bias: Tensor) {
        let n = t.shape[0], c = t.shape[1], plane = t.count / Swift.max(n * c, 1)
        precondition(bias.count == c, "bias \(bias.shape) for \(c) channels")
        let p = t.pointer, b = bias.pointer
        Parallel.forEachRange(n * c, work: plane) { r in
            for ij in r {
                let v = b[ij % c], row = p + ij * plane
                for q in 0..<plane { row[q] += v }
            }
        }
    }

    /// Per-channel sums of an [N, C, ...] tensor, shape [C] (the gradient of a channel bias).
    static func channelSums(_ t: Tensor) -> Tensor {
        let n = t.shape[0], c = t.shape[1], plane = t.count / Swift.max(n * c, 1)
        let out = Tensor(zeros: [c])
        let sums = Storage(uninitializedCount: n * c)
        let p = t.pointer, o = out.pointer, s = sums.base
        Parallel.forEachRange(n * c, work: plane) { r in
            for ij in r { s[ij] = Tensor.planeSum(p + ij * plane, plane) }
        }
        for ij in 0..<(n * c) { o[ij % c] += s[ij] }
        return out
    }
}
