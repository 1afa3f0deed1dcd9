/// Shape arithmetic of a 2-D convolution window over one [C, H, W] image, and the im2col/col2im
/// transforms that turn convolution into one matrix product.
public struct ConvGeometry: Equatable {
    public let channels: Int, height: Int, width: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let stride: Int, padding: Int, dilation: Int

    /// Describes a window of `kernel` sliding over a `channels`×`height`×`width` image.
    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        precondition(stride > 0 && dilation > 0 && padding >= 0, "bad conv geometry")
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.stride = stride; self.padding = padding; self.dilation = dilation
    }

    /// Output rows of the window.
    public var outHeight: Int { (height + 2 * padding - dilation * (kernelHeight - 1) - 1) / stride + 1 }
    /// Output columns of the window.
    public var outWidth: Int { (width + 2 * padding - dilation * (kernelWidth - 1) - 1) / stride + 1 }
    /// Rows of the column matrix: one per (channel, ki, kj).
    public var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: one per output position.
    public var columnCount: Int { outHeight * outWidth }
    /// Whether im2col is the identity (1×1, stride 1, no padding), so it can be skipped.
    public var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }

    /// Output rows per chunk so one chunk's column matrix stays near `budget` floats: cache-sized,
    /// and small enough that its buffer is reused from the heap instead of freshly mapped each call.
    /// Chunking by output rows keeps the full reduction depth (C·kh·kw) in every sgemm.
    public func rowsPerChunk(budget: Int = 1 << 20) -> Int {
        let perRow = max(columnRows * outWidth, 1)
        let rows = max(1, min(outHeight, budget / perRow))
        let chunks = (outHeight + rows - 1) / rows
        return (outHeight + chunks - 1) / chunks  // even chunks: no thin remainder sgemm
    }

    /// Valid output columns [lo, hi) for kernel column offset `offW` (input column = x·stride + offW).
    @inline(__always)
    func validColumns(_ offW: Int) -> (Int, Int) {
        let ow = outWidth
        let lo = offW >= 0 ? 0 : min(ow, (-offW + stride - 1) / stride)
        let span = width - offW
        let hi = span <= 0 ? 0 : min(ow, (span + stride - 1) / stride)
        return (lo, max(lo, hi))
    }

    /// Unfolds `image` [C, H, W] into `columns` [C·kh·kw, rows·outW] for the output rows `rows`
    /// (all by default), with zeros where the window hangs over the border. Channels run in parallel.
    public func im2col(_ image: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, rows: Range<Int>? = nil) {
        let r = rows ?? 0..<outHeight, block = kernelHeight * kernelWidth * r.count * outWidth
        Parallel.forEachRange(channels, work: block) { channelRange in
            for c in channelRange {
                unfoldChannel(image + c * height * width, columns + c * block, rows: r)
            }
        }
    }

    /// Folds `columns` (as laid out by `im2col` for the same `rows`) back, adding each entry into the
    /// `image` pixel it was read from: the adjoint of im2col. Channels run in parallel.
    public func col2im(_ columns: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, rows: Range<Int>? = nil) {
        let r = rows ?? 0..<outHeight, block = kernelHeight * kernelWidth * r.count * outWidth
        Parallel.forEachRange(channels, work: block) { channelRange in
            for c in channelRange {
                foldChannel(columns + c * block, image + c * height * width, rows: r)
            }
        }
    }

    private func unfoldChannel(_ plane: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, rows r: Range<Int>) {
        let ow = outWidth
        var dst = columns
        for ki in 0..<kernelHeight {
            for kj in 0..<kernelWidth {
                let offW = kj * dilation - padding
                let (lo, hi) = validColumns(offW)
                for y in r {
                    let d = dst + (y - r.lowerBound) * ow
                    let ih = y * stride - padding + ki * dilation
                    if ih < 0 || ih >= height { d.update(repeating: 0, count: ow); continue }
                    let src = plane + ih * width + offW
                    if lo > 0 { d.update(repeating: 0, count: lo) }
                    if hi < ow { (d + hi).update(repeating: 0, count: ow - hi) }
                    if stride == 1 {
                        (d + lo).update(from: src + lo, count: hi - lo)
                    } else if stride == 2 {
                        ConvGeometry.gatherEven(src, d, lo..<hi)
                    } else {
                        for x in lo..<hi { d[x] = src[x * stride] }
                    }
                }
                dst += r.count * ow
            }
        }
    }

    private func foldChannel(_ columns: UnsafePointer<Float>, _ plane: UnsafeMutablePointer<Float>, rows r: Range<Int>) {
        let ow = outWidth
        var src = columns
        for ki in 0..<kernelHeight {
            for kj in 0..<kernelWidth {
                let offW = kj * dilation - padding
                let (lo, hi) = validColumns(offW)
                for y in r {
                    let ih = y * stride - padding + ki * dilation
                    if ih < 0 || ih >= height { continue }
                    let s = src + (y - r.lowerBound) * ow
                    let d = plane + ih * width + offW
                    if stride == 1 {
                        for x in lo..<hi { d[x] += s[x] }
                    } else if stride == 2 {
                        ConvGeometry.scatterAddEven(s, d, lo..<hi)
                    } else {
                        for x in lo..<hi { d[x * stride] += s[x] }
                    }
                }
                src += r.count * ow
            }
        }
    }

    /// d[x] = src[2x] for x in `range`, eight at a time through one 16-wide load. A vector reads
    /// src[2x … 2x+15], so it is used only while x + 8 is itself in range (src[2(x+8)] is valid).
    @inline(__always)
    static func gatherEven(_ src: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        var x = range.lowerBound
        while x + 8 < range.upperBound {
            let v = UnsafeRawPointer(src + 2 * x).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(d + x).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
            x += 8
        }
        while x < range.upperBound { d[x] = src[2 * x]; x += 1 }
    }

    /// d[2x] += s[x] for x in `range` (the adjoint of `gatherEven`), eight at a time; the odd
    /// elements a vector spans are written back unchanged, so only one thread may own the row.
    @inline(__always)
    static func scatterAddEven(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        var x = range.lowerBound
        while x + 8 < range.upperBound {
            var v = UnsafeRawPointer(d + 2 * x).loadUnaligned(as: SIMD16<Float>.self)
            v.evenHalf += UnsafeRawPointer(s + x).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(d + 2 * x).storeBytes(of: v, as: SIMD16<Float>.self)
            x += 8
        }
        while x < range.upperBound { d[2 * x] += s[x]; x += 1 }
    }
}
