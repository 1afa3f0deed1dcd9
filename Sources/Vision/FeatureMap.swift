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
