/// 3×3 stride-1 convolution by Winograd's F(4×4, 3×3) (Lavin & Gray, 2016): each 4×4 block of output
/// from a 6×6 block of input, with 36 matrix products M_e = U_e·V_e ([Cout, Cin]·[Cin, tiles]) in
/// the transform domain (U = G·g·Gᵀ, V = Bᵀ·d·B, Y = Aᵀ·M·A at the points 0, ±1, ±2, ∞). That is
/// 36 multiplications per 16 outputs where F(2×2, 3×3) (`WinogradConvolution`) takes 64 and im2col
/// 144. Rounding differs from the direct sum by more than F(2×2)'s: the transforms scale by up to 8
/// and by 1/24 (relative error ~1e-6 on the generator's layers, `Winograd4ConvolutionTests`).
///
/// Used by `Tensor.conv2d` for the generator's residual blocks, forward and input gradient; the
/// weight gradient stays F(2×2) (`WinogradConvolution.weightGradient`), and FID's Inception keeps
/// F(2×2) so that its features keep their bits.
public struct Winograd4Convolution {
    public let inChannels: Int, outChannels: Int
    /// Zero padding on all four sides.
    public let padding: Int
    /// U as 36 matrices [Cout, Cin], element e at e·`weightStride`.
    let transformedWeight: Storage
    let weightStride: Int

    /// Whether a convolution of this shape should take this route rather than F(2×2): the same
    /// conditions, and outputs of at least 8×8 (smaller ones waste most of each 4×4 tile).
    public static func suits(kernelHeight: Int, kernelWidth: Int, stride: Int, dilation: Int,
                             inChannels: Int, outChannels: Int, outHeight: Int, outWidth: Int) -> Bool {
        WinogradConvolution.suits(kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: stride, dilation: dilation,
                                  inChannels: inChannels, outChannels: outChannels, outHeight: outHeight, outWidth: outWidth)
            && outHeight >= 8 && outWidth >= 8
    }

    /// Transforms `weight` ([Cout, Cin, 3, 3], row-major). With `adjoint`, the convolution is the
    /// adjoint of `weight`'s (read flipped in both axes and transposed): the input gradient of a
    /// convolution by `weight`, with `outputChannels` its input channels and `inputChannels` its outputs.
    public init(weight: UnsafePointer<Float>, outputChannels outChannels: Int, inputChannels inChannels: Int,
                padding: Int, adjoint: Bool = false) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.padding = padding
        self.isAdjoint = adjoint
        let pairs = outChannels * inChannels, stride = WinogradConvolution.elementStride(pairs)
        weightStride = stride
        transformedWeight = Storage(uninitializedCount: 36 * stride)
        // U = (G ⊗ G)·g for every pair at once: one product [36, 9]·[9, pairs], the kernels read as the
        // rows of a [pairs, 9] matrix. The adjoint's is the same with the taps reversed (the flip), kept
        // in the kernel's own pair order and read transposed by `forward` (the channel swap).
        let map = adjoint ? Self.reversedTransformMatrix : Self.transformMatrix
        map.withUnsafeBufferPointer { t in
            Tensor.gemm(false, true, 36, pairs, 9, 1, t.baseAddress!, 9, weight, 9, 0, transformedWeight.base, stride)
        }
    }

    /// Whether `transformedWeight` holds another convolution's kernels, to be read transposed.
    let isAdjoint: Bool

    /// G ⊗ G as [36, 9]: row 6i + k, column 3a + b is G[i][a]·G[k][b].
    static let transformMatrix: [Float] = {
        let g: [[Double]] = [[0.25, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                             [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        var t = [Float](repeating: 0, count: 36 * 9)
        for i in 0..<6 { for k in 0..<6 { for a in 0..<3 { for b in 0..<3 {
            t[(6 * i + k) * 9 + 3 * a + b] = Float(g[i][a] * g[k][b])
        } } } }
        return t
    }()

    /// `transformMatrix` with its columns reversed: the transform of the kernel flipped in both axes.
    static let reversedTransformMatrix: [Float] = (0..<(36 * 9)).map { transformMatrix[$0 / 9 * 9 + 8 - $0 % 9] }

    /// Bᵀ·x for one column or row of a 6×6 input tile (one tile's, or eight tiles' lane by lane).
    @inline(__always)
    static func bTransposeTimes<L: WinogradLane>(_ x0: L, _ x1: L, _ x2: L, _ x3: L, _ x4: L, _ x5: L)
        -> (L, L, L, L, L, L) {
        let a = x4 - 4 * x2, b = x3 - 4 * x1, c = x4 - x2, d = 2 * (x3 - x1)
        return (4 * x0 - 5 * x2 + x4, a + b, a - b, c + d, c - d, 4 * x1 - 5 * x3 + x5)
    }

    /// Aᵀ·m for one column or row of a 6×6 product: the four outputs of points 0, ±1, ±2, ∞ (one
    /// tile's, or eight tiles' lane by lane).
    @inline(__always)
    static func aTransposeTimes<L: WinogradLane>(_ m0: L, _ m1: L, _ m2: L, _ m3: L, _ m4: L, _ m5: L) -> (L, L, L, L) {
        let s1 = m1 + m2, d1 = m1 - m2, s2 = m3 + m4, d2 = m3 - m4
        return (m0 + s1 + s2, d1 + 2 * d2, s1 + 4 * s2, d1 + 8 * d2 + m5)
    }

    /// Output rows and columns for an input of `height`×`width`.
    public func outputSize(height: Int, width: Int) -> (Int, Int) { (height + 2 * padding - 2, width + 2 * padding - 2) }

    /// Convolves `images` NCHW-strided images, as `WinogradConvolution.forward`.
    public func forward(_ input: UnsafePointer<Float>, channelStride: Int, imageStride: Int, images: Int,
                        height: Int, width: Int, _ output: UnsafeMutablePointer<Float>,
                        outChannelStride: Int, outImageStride: Int, budget: Int = 1 << 20) {
        let (oh, ow) = outputSize(height: height, width: width)
        precondition(oh > 0 && ow > 0, "Winograd convolution output empty for \(height)×\(width)")
        let tilesH = (oh + 3) / 4, tilesW = (ow + 3) / 4, tileRows = images * tilesH
        let band = max(1, min(tileRows, budget / (36 * max(inChannels, outChannels) * tilesW)))
        let capacity = band * tilesW
        let vStride = WinogradConvolution.elementStride(inChannels * capacity)
        let mStride = WinogradConvolution.elementStride(outChannels * capacity)
        let v = Storage(uninitializedCount: 36 * vStride)
        let m = Storage(uninitializedCount: 36 * mStride)
        let tiles4 = Tiles4(height: height, width: width, outHeight: oh, outWidth: ow, padding: padding,
                            tilesHigh: tilesH, tilesWide: tilesW)
        for r0 in Swift.stride(from: 0, to: tileRows, by: band) {
            let rows = r0..<min(r0 + band, tileRows), tiles = rows.count * tilesW
            let vb = v.base, mb = m.base
            Parallel.forEachRange(inChannels, work: 36 * tiles) { channels in
                for c in channels {
                    tiles4.transformInput(input + c * channelStride, imageStride: imageStride, rows: rows,
                                          into: vb + c * tiles, elementStride: vStride)
                }
            }
            let u = transformedWeight.base, weightStride = weightStride, adjoint = isAdjoint
            BLASKernel.splittingCalls(36) { e in
                Tensor.gemm(adjoint, false, outChannels, tiles, inChannels, 1, u + e * weightStride,
                            adjoint ? outChannels : inChannels, vb + e * vStride, tiles, 0, mb + e * mStride, tiles)
            }
            Parallel.forEachRange(outChannels, work: 36 * tiles) { channels in
                for o in channels {
                    tiles4.transformOutput(mb + o * tiles, elementStride: mStride, rows: rows,
                                           into: output + o * outChannelStride, imageStride: outImageStride)
                }
            }
        }
    }
}

/// Where F(4×4, 3×3) tiles fall on one plane, and the per-plane input and output transforms.
struct Tiles4 {
    let height: Int, width: Int, outHeight: Int, outWidth: Int, padding: Int, tilesHigh: Int, tilesWide: Int

    /// V = Bᵀ·d·B for every tile of tile rows `rows` of one channel; element e of tile t goes to
    /// `into[e·elementStride + t]`.
    func transformInput(_ channel: UnsafePointer<Float>, imageStride: Int, rows: Range<Int>,
                        into v: UnsafeMutablePointer<Float>, elementStride s: Int) {
        // Six input rows, zero-padded to whole tiles, so the tile loop has no bounds tests.
        let span = 4 * tilesWide + 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * span) { buffer in
            let d = buffer.baseAddress!
            for r in rows {
                let plane = channel + (r / tilesHigh) * imageStride, y0 = 4 * (r % tilesHigh) - padding
                for i in 0..<6 {
                    let row = d + i * span, y = y0 + i
                    row.update(repeating: 0, count: span)
                    guard y >= 0 && y < height else { continue }
                    let count = min(width, span - padding)
                    if count > 0 { (row + padding).update(from: plane + y * width, count: count) }
                }
                let t0 = (r - rows.lowerBound) * tilesWide
                var tx = 0
                // Eight tiles at a time, lane q holding tile tx + q: the same operations per tile,
                // with the results stored whole (element e of consecutive tiles is contiguous).
                while tx + 8 <= tilesWide {
                    typealias V = SIMD8<Float>
                    let x = 4 * tx
                    @inline(__always) func gather(_ i: Int, _ j: Int) -> V {
                        let p = d + i * span + x + j
                        return V(p[0], p[4], p[8], p[12], p[16], p[20], p[24], p[28])
                    }
                    @inline(__always) func column(_ j: Int) -> (V, V, V, V, V, V) {
                        Winograd4Convolution.bTransposeTimes(gather(0, j), gather(1, j), gather(2, j), gather(3, j),
                                                             gather(4, j), gather(5, j))
                    }
                    let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
                    let out = v + t0 + tx
                    @inline(__always) func put(_ e: Int, _ value: V) {
                        UnsafeMutableRawPointer(out + e * s).storeBytes(of: value, as: V.self)
                    }
                    @inline(__always) func emit(_ i: Int, _ a: V, _ b: V, _ c: V, _ e: V, _ f: V, _ g: V) {
                        let r = Winograd4Convolution.bTransposeTimes(a, b, c, e, f, g), k = 6 * i
                        put(k, r.0); put(k + 1, r.1); put(k + 2, r.2); put(k + 3, r.3); put(k + 4, r.4); put(k + 5, r.5)
                    }
                    emit(0, c0.0, c1.0, c2.0, c3.0, c4.0, c5.0)
                    emit(1, c0.1, c1.1, c2.1, c3.1, c4.1, c5.1)
                    emit(2, c0.2, c1.2, c2.2, c3.2, c4.2, c5.2)
                    emit(3, c0.3, c1.3, c2.3, c3.3, c4.3, c5.3)
                    emit(4, c0.4, c1.4, c2.4, c3.4, c4.4, c5.4)
                    emit(5, c0.5, c1.5, c2.5, c3.5, c4.5, c5.5)
                    tx += 8
                }
                for tx in tx..<tilesWide {
                    let x = 4 * tx
                    // Bᵀ·d down each column j…
                    @inline(__always) func column(_ j: Int) -> (Float, Float, Float, Float, Float, Float) {
                        let p = d + x + j
                        return Winograd4Convolution.bTransposeTimes(p[0], p[span], p[2 * span], p[3 * span], p[4 * span], p[5 * span])
                    }
                    let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
                    // …then ·B along each row i.
                    let out = v + t0 + tx
                    @inline(__always) func emit(_ i: Int, _ a: Float, _ b: Float, _ c: Float, _ e: Float, _ f: Float, _ g: Float) {
                        let r = Winograd4Convolution.bTransposeTimes(a, b, c, e, f, g), k = 6 * i
                        out[k * s] = r.0; out[(k + 1) * s] = r.1; out[(k + 2) * s] = r.2
                        out[(k + 3) * s] = r.3; out[(k + 4) * s] = r.4; out[(k + 5) * s] = r.5
                    }
                    emit(0, c0.0, c1.0, c2.0, c3.0, c4.0, c5.0)
                    emit(1, c0.1, c1.1, c2.1, c3.1, c4.1, c5.1)
                    emit(2, c0.2, c1.2, c2.2, c3.2, c4.2, c5.2)
                    emit(3, c0.3, c1.3, c2.3, c3.3, c4.3, c5.3)
                    emit(4, c0.4, c1.4, c2.4, c3.4, c4.4, c5.4)
                    emit(5, c0.5, c1.5, c2.5, c3.5, c4.5, c5.5)
                }
            }
        }
    }

    /// Y = Aᵀ·M·A for every tile of tile rows `rows` of one output channel, written into its planes
    /// (clipped at the bottom and right edges).
    func transformOutput(_ m: UnsafePointer<Float>, elementStride s: Int, rows: Range<Int>,
                         into channel: UnsafeMutablePointer<Float>, imageStride: Int) {
        for r in rows {
            let plane = channel + (r / tilesHigh) * imageStride, y = 4 * (r % tilesHigh)
            let t0 = (r - rows.lowerBound) * tilesWide, rowsHere = min(4, outHeight - y)
            var tx = 0
            // Eight tiles at a time, lane q holding tile tx + q, loaded whole; the outputs are stored
            // lane by lane.
            while tx + 8 <= tilesWide {
                typealias V = SIMD8<Float>
                let p = m + t0 + tx
                @inline(__always) func load(_ e: Int) -> V { UnsafeRawPointer(p + e * s).loadUnaligned(as: V.self) }
                @inline(__always) func column(_ j: Int) -> (V, V, V, V) {
                    Winograd4Convolution.aTransposeTimes(load(j), load(6 + j), load(12 + j), load(18 + j), load(24 + j), load(30 + j))
                }
                let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
                @inline(__always) func emit(_ i: Int, _ a: V, _ b: V, _ c: V, _ e: V, _ f: V, _ g: V) {
                    guard i < rowsHere else { return }
                    let r = Winograd4Convolution.aTransposeTimes(a, b, c, e, f, g), row = plane + (y + i) * outWidth
                    for q in 0..<8 {
                        let x = 4 * (tx + q), dst = row + x, columnsHere = min(4, outWidth - x)
                        if columnsHere == 4 {
                            dst[0] = r.0[q]; dst[1] = r.1[q]; dst[2] = r.2[q]; dst[3] = r.3[q]
                        } else {
                            dst[0] = r.0[q]
                            if columnsHere > 1 { dst[1] = r.1[q] }
                            if columnsHere > 2 { dst[2] = r.2[q] }
                        }
                    }
                }
                emit(0, c0.0, c1.0, c2.0, c3.0, c4.0, c5.0)
                emit(1, c0.1, c1.1, c2.1, c3.1, c4.1, c5.1)
                emit(2, c0.2, c1.2, c2.2, c3.2, c4.2, c5.2)
                emit(3, c0.3, c1.3, c2.3, c3.3, c4.3, c5.3)
                tx += 8
            }
            for tx in tx..<tilesWide {
                let p = m + t0 + tx
                // Aᵀ·M down each column j…
                @inline(__always) func column(_ j: Int) -> (Float, Float, Float, Float) {
                    Winograd4Convolution.aTransposeTimes(p[j * s], p[(6 + j) * s], p[(12 + j) * s], p[(18 + j) * s],
                                                         p[(24 + j) * s], p[(30 + j) * s])
                }
                let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
                // …then ·A along each row.
                let x = 4 * tx, columnsHere = min(4, outWidth - x)
                @inline(__always) func emit(_ i: Int, _ a: Float, _ b: Float, _ c: Float, _ e: Float, _ f: Float, _ g: Float) {
                    guard i < rowsHere else { return }
                    let r = Winograd4Convolution.aTransposeTimes(a, b, c, e, f, g), dst = plane + (y + i) * outWidth + x
                    if columnsHere == 4 {
                        dst[0] = r.0; dst[1] = r.1; dst[2] = r.2; dst[3] = r.3
                    } else {
                        dst[0] = r.0
                        if columnsHere > 1 { dst[1] = r.1 }
                        if columnsHere > 2 { dst[2] = r.2 }
                    }
                }
                emit(0, c0.0, c1.0, c2.0, c3.0, c4.0, c5.0)
                emit(1, c0.1, c1.1, c2.1, c3.1, c4.1, c5.1)
                emit(2, c0.2, c1.2, c2.2, c3.2, c4.2, c5.2)
                emit(3, c0.3, c1.3, c2.3, c3.3, c4.3, c5.3)
            }
        }
    }
}

/// What the F(4×4, 3×3) transforms compute with: one tile's values (`Float`) or eight tiles' (`SIMD8<Float>`),
/// the same operations lane by lane.
protocol WinogradLane {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Float, rhs: Self) -> Self
}

extension Float: WinogradLane {}
extension SIMD8: WinogradLane where Scalar == Float {}
