import Tensor

/// A batch of feature maps stored channel-major, [C, N, H, W], for batched inference.
///
/// With channels outermost, a 1×1 convolution over the whole batch is one matrix product
/// ([Cout, Cin]·[Cin, N·H·W]) with no copy, and concatenating branches along channels is writing
/// each branch into its own block of rows, so Inception's blocks run without reshuffling data.
struct FeatureMap {
    let channels: Int, batch: Int, height: Int, width: Int
    /// Owner of the elements (shape [C, N, H, W]).
    let storage: Tensor

    init(channels: Int, batch: Int, height: Int, width: Int) {
        self.channels = channels; self.batch = batch; self.height = height; self.width = width
        storage = Tensor(shape: [channels, batch, height, width],
                         storage: Storage(uninitializedCount: channels * batch * height * width))
    }

    /// Elements of one channel across the batch (N·H·W).
    var rowLength: Int { batch * height * width }
    var plane: Int { height * width }
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// The batch of NCHW images as a channel-major map.
    init(nchw x: Tensor) {
        precondition(x.rank == 4, "expected [N, C, H, W], got \(x.shape)")
        self.init(channels: x.shape[1], batch: x.shape[0], height: x.shape[2], width: x.shape[3])
        let p = plane, src = x.pointer, dst = pointer
        for n in 0..<batch { for c in 0..<channels {
            (dst + (c * batch + n) * p).update(from: src + (n * channels + c) * p, count: p)
        } }
    }

    /// Mean of every (image, channel) plane: the adaptive average pool to 1×1, as [N, C] row-major.
    func planeMeans() -> [Float] {
        var out = [Float](repeating: 0, count: batch * channels)
        let p = plane, src = pointer, inv = 1 / Float(p)
        out.withUnsafeMutableBufferPointer { o in
            let dst = o.baseAddress!
            Parallel.forEachRange(channels, work: batch * p) { range in
                for c in range { for n in 0..<batch {
                    var acc: Double = 0  // planes up to 73×73: sum in double so the order of addition does not matter
                    let row = src + (c * batch + n) * p
                    for i in 0..<p { acc += Double(row[i]) }
                    dst[n * channels + c] = Float(acc) * inv
                } }
            }
        }
        return out
    }
}

/// A convolution folded with its batch norm (inference): y = ReLU(W′ ∗ x + b′).
struct FoldedConvolution {
    let inChannels: Int, outChannels: Int
    let kernelHeight: Int, kernelWidth: Int
    let strideH: Int, strideW: Int, padH: Int, padW: Int
    /// [Cout, Cin·kh·kw] row-major, scaled by the batch norm.
    let weight: [Float]
    /// [Cout].
    let bias: [Float]

    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0 }

    func outputSize(_ x: FeatureMap) -> (Int, Int) {
        ((x.height + 2 * padH - kernelHeight) / strideH + 1, (x.width + 2 * padW - kernelWidth) / strideW + 1)
    }

    /// Runs on `x`, writing into channels `offset..<offset+Cout` of `out` (a fresh map when nil).
    @discardableResult
    func apply(_ x: FeatureMap, into target: FeatureMap? = nil, channelOffset: Int = 0) -> FeatureMap {
        precondition(x.channels == inChannels, "convolution of \(inChannels) channels given \(x.channels)")
        let (oh, ow) = outputSize(x)
        let out = target ?? FeatureMap(channels: outChannels, batch: x.batch, height: oh, width: ow)
        precondition(out.height == oh && out.width == ow && out.batch == x.batch && channelOffset + outChannels <= out.channels,
                     "convolution output does not fit its target")
        let k = inChannels * kernelHeight * kernelWidth, ohw = oh * ow, ld = out.rowLength
        let dst = out.pointer + channelOffset * ld
        weight.withUnsafeBufferPointer { w in
            if isPointwise {
                LinearAlgebra.sgemm(m: outChannels, n: ld, k: k, w.baseAddress!, lda: k, x.pointer, ldb: x.rowLength,
                                    dst, ldc: ld)
            } else {
                // Column matrices for a few images at a time keep the buffer near 32 MB.
                let perImage = k * ohw
                let chunk = max(1, min(x.batch, (8 << 20) / max(perImage, 1)))
                let columns = Storage(uninitializedCount: perImage * chunk)
                for n0 in stride(from: 0, to: x.batch, by: chunk) {
                    let n1 = min(n0 + chunk, x.batch), cols = (n1 - n0) * ohw
                    im2col(x, images: n0..<n1, outHeight: oh, outWidth: ow, into: columns.base)
                    LinearAlgebra.sgemm(m: outChannels, n: cols, k: k, w.baseAddress!, lda: k, columns.base, ldb: cols,
                                        dst + n0 * ohw, ldc: ld)
                }
            }
        }
        bias.withUnsafeBufferPointer { b in
            let bp = b.baseAddress!
            Parallel.forEachRange(outChannels, work: ld) { range in
                for c in range {
                    let row = dst + c * ld, v = bp[c]
                    for i in 0..<ld { let y = row[i] + v; row[i] = y > 0 ? y : 0 }
                }
            }
        }
        return out
    }

    /// Unfolds images `images` of `x` into [Cin·kh·kw, count·oh·ow], zeros where the window overhangs.
    private func im2col(_ x: FeatureMap, images: Range<Int>, outHeight oh: Int, outWidth ow: Int,
                        into columns: UnsafeMutablePointer<Float>) {
        let cols = images.count * oh * ow, kk = kernelHeight * kernelWidth
        let h = x.height, w = x.width, src = x.pointer, batch = x.batch
        let (sh, sw, ph, pw, kh, kw) = (strideH, strideW, padH, padW, kernelHeight, kernelWidth)
        Parallel.forEachRange(inChannels, work: kk * cols) { range in
            for c in range {
                for ki in 0..<kh { for kj in 0..<kw {
                    let rowBase = columns + ((c * kh + ki) * kw + kj) * cols
                    // Output columns whose input column x·sw − pw + kj lies inside the image.
                    let off = kj - pw
                    let lo = off >= 0 ? 0 : min(ow, (-off + sw - 1) / sw)
                    let hi = w - off <= 0 ? 0 : min(ow, (w - off + sw - 1) / sw)
                    for (q, n) in images.enumerated() {
                        let plane = src + (c * batch + n) * h * w
                        for oy in 0..<oh {
                            let d = rowBase + (q * oh + oy) * ow
                            let iy = oy * sh - ph + ki
                            if iy < 0 || iy >= h || lo >= hi { d.update(repeating: 0, count: ow); continue }
                            if lo > 0 { d.update(repeating: 0, count: lo) }
                            if hi < ow { (d + hi).update(repeating: 0, count: ow - hi) }
                            let s = plane + iy * w + off
                            if sw == 1 {
                                (d + lo).update(from: s + lo, count: hi - lo)
                            } else {
                                for ox in lo..<hi { d[ox] = s[ox * sw] }
                            }
                        }
                    }
                } }
            }
        }
    }
}

extension FeatureMap {
    /// 3×3 max pool (padding counts as −∞), written into channels from `channelOffset` of `target`.
    @discardableResult
    func maxPool(kernel: Int, stride s: Int, padding p: Int, into target: FeatureMap? = nil, channelOffset: Int = 0) -> FeatureMap {
        let oh = (height + 2 * p - kernel) / s + 1, ow = (width + 2 * p - kernel) / s + 1
        let out = target ?? FeatureMap(channels: channels, batch: batch, height: oh, width: ow)
        precondition(out.height == oh && out.width == ow && channelOffset + channels <= out.channels, "max pool target")
        let h = height, w = width, src = pointer, dst = out.pointer + channelOffset * out.rowLength
        Parallel.forEachRange(channels * batch, work: oh * ow * kernel * kernel) { range in
            for pl in range {
                let a = src + pl * h * w, o = dst + pl * oh * ow
                for y in 0..<oh {
                    let y0 = max(y * s - p, 0), y1 = min(y * s - p + kernel, h)
                    for x in 0..<ow {
                        let x0 = max(x * s - p, 0), x1 = min(x * s - p + kernel, w)
                        var best = -Float.infinity
                        for iy in y0..<y1 { for ix in x0..<x1 { best = Swift.max(best, a[iy * w + ix]) } }
                        o[y * ow + x] = best
                    }
                }
            }
        }
        return out
    }

    /// 3×3, stride 1, padding 1 average pool dividing by the window's pixels inside the image
    /// (count_include_pad=False, TensorFlow's behaviour that pytorch-fid reproduces).
    func averagePool3x3ExcludingPadding() -> FeatureMap {
        let out = FeatureMap(channels: channels, batch: batch, height: height, width: width)
        let h = height, w = width, src = pointer, dst = out.pointer
        Parallel.forEachRange(channels * batch, work: h * w * 9) { range in
            for pl in range {
                let a = src + pl * h * w, o = dst + pl * h * w
                for y in 0..<h {
                    let y0 = Swift.max(y - 1, 0), y1 = Swift.min(y + 2, h)
                    for x in 0..<w {
                        let x0 = Swift.max(x - 1, 0), x1 = Swift.min(x + 2, w)
                        var acc: Float = 0
                        for iy in y0..<y1 { for ix in x0..<x1 { acc += a[iy * w + ix] } }
                        o[y * w + x] = acc / Float((y1 - y0) * (x1 - x0))
                    }
                }
            }
        }
        return out
    }
}
