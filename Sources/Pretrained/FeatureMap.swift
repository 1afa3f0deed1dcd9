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

    /// Images `images` (all by default) of the NCHW batch `x` as a channel-major map.
    init(nchw x: Tensor, images: Range<Int>? = nil) {
        precondition(x.rank == 4, "expected [N, C, H, W], got \(x.shape)")
        let images = images ?? 0..<x.shape[0]
        precondition(images.lowerBound >= 0 && images.upperBound <= x.shape[0], "images \(images) of a batch of \(x.shape[0])")
        self.init(channels: x.shape[1], batch: images.count, height: x.shape[2], width: x.shape[3])
        let p = plane, src = x.pointer + images.lowerBound * channels * p, dst = pointer
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

extension FeatureMap {
    /// 3×3 max pool (padding counts as −∞), written into channels from `channelOffset` of `target`.
    @discardableResult
    func maxPool(kernel: Int, stride s: Int, padding p: Int, into target: FeatureMap? = nil, channelOffset: Int = 0) -> FeatureMap {
        let oh = (height + 2 * p - kernel) / s + 1, ow = (width + 2 * p - kernel) / s + 1
        let out = target ?? FeatureMap(channels: channels, batch: batch, height: oh, width: ow)
        precondition(out.height == oh && out.width == ow && channelOffset + channels <= out.channels, "max pool target")
        let h = height, w = width, src = pointer, dst = out.pointer + channelOffset * out.rowLength
        Parallel.forEachRange(channels * batch, work: oh * ow * kernel * kernel) { range in
            // Separable: the largest of the window's rows column by column (contiguous, vectorised),
            // then of that row's window columns. The inputs are ReLU outputs (no NaN, no −0), so the
            // order in which the maxima are taken does not change a bit.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: w) { buffer in
                let column = buffer.baseAddress!
                for pl in range {
                    let a = src + pl * h * w, o = dst + pl * oh * ow
                    for y in 0..<oh {
                        let y0 = max(y * s - p, 0), y1 = min(y * s - p + kernel, h)
                        column.update(from: a + y0 * w, count: w)
                        for iy in (y0 + 1)..<max(y0 + 1, y1) {
                            let row = a + iy * w
                            for x in 0..<w { column[x] = Swift.max(column[x], row[x]) }
                        }
                        if p == 0 && kernel == 3 {  // Inception's pools: every window inside the row
                            for x in 0..<ow {
                                let c = column + x * s
                                o[y * ow + x] = Swift.max(Swift.max(c[0], c[1]), c[2])
                            }
                            continue
                        }
                        for x in 0..<ow {
                            let x0 = max(x * s - p, 0), x1 = min(x * s - p + kernel, w)
                            var best = column[x0]
                            for ix in (x0 + 1)..<max(x0 + 1, x1) { best = Swift.max(best, column[ix]) }
                            o[y * ow + x] = best
                        }
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
            // Sums of three along each row (two at the ends), then of three such rows: separable.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: h * w) { buffer in
                let rows = buffer.baseAddress!
                for pl in range {
                    let a = src + pl * h * w, o = dst + pl * h * w
                    for y in 0..<h {
                        let r = a + y * w, t = rows + y * w
                        if w == 1 { t[0] = r[0]; continue }
                        t[0] = r[0] + r[1]
                        for x in 1..<(w - 1) { t[x] = r[x - 1] + r[x] + r[x + 1] }
                        t[w - 1] = r[w - 2] + r[w - 1]
                    }
                    // Pixels inside the image per window: (rows in 0..<h) · (columns in 0..<w).
                    @inline(__always) func span(_ i: Int, _ n: Int) -> Float { Float((i > 0 ? 1 : 0) + 1 + (i < n - 1 ? 1 : 0)) }
                    for y in 0..<h {
                        let mid = rows + y * w, d = o + y * w, inner = 1 / (span(y, h) * 3)
                        for x in 0..<w { d[x] = mid[x] }
                        if y > 0 { let up = rows + (y - 1) * w; for x in 0..<w { d[x] += up[x] } }
                        if y < h - 1 { let down = rows + (y + 1) * w; for x in 0..<w { d[x] += down[x] } }
                        for x in 0..<w { d[x] *= inner }
                        if w > 1 {
                            d[0] *= 3 / span(0, w)
                            d[w - 1] *= 3 / span(w - 1, w)
                        } else {
                            d[0] *= 3
                        }
                    }
                }
            }
        }
        return out
    }
}
