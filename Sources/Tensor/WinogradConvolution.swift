/// 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, 2016).
///
/// Each 2×2 block of output comes from a 4×4 block of input: with the input tile and the kernel
/// carried into a 4×4 transform domain (V = Bᵀ·d·B, U = G·g·Gᵀ), the convolution becomes 16
/// independent matrix products M_e = U_e·V_e ([Cout, Cin]·[Cin, tiles]), and Y = Aᵀ·M·A brings each
/// tile back. That is 16 multiplications per 2×2 outputs instead of 36: 2.25× fewer than im2col,
/// paid for with transforms that only add and subtract. Rounding differs from the direct sum by a
/// few ulps of the inputs' magnitude.
///
/// Planes are addressed by strides, so the same code serves NCHW tensors and channel-major batches.
public struct WinogradConvolution {
    public let inChannels: Int, outChannels: Int
    /// Zero padding above/below and left/right.
    public let padHeight: Int, padWidth: Int
    /// U for every (output, input) channel pair, as 16 matrices [Cout, Cin]: element e of the 4×4
    /// transform at e·`weightStride`.
    let transformedWeight: Storage
    let weightStride: Int
    /// Whether this is another convolution's adjoint (`adjoint`), reading its matrices transposed.
    let isAdjoint: Bool

    /// Distance between the 16 matrices of one transform: a whole number of cache lines past their
    /// size, so the 16 streams a tile writes or reads do not all fall in the same cache set (with
    /// sizes that are multiples of 4 KiB they would, and every access would miss).
    static func elementStride(_ size: Int) -> Int { (size + 15) / 16 * 16 + 16 }

    /// Whether a convolution of this shape should take the Winograd route: 3×3, stride 1, no
    /// dilation, and enough channels that the 16 matrix products are worth batching.
    public static func suits(kernelHeight: Int, kernelWidth: Int, stride: Int, dilation: Int,
                             inChannels: Int, outChannels: Int, outHeight: Int, outWidth: Int) -> Bool {
        kernelHeight == 3 && kernelWidth == 3 && stride == 1 && dilation == 1
            && inChannels >= 8 && outChannels >= 16 && outHeight >= 4 && outWidth >= 4
    }

    /// Transforms `weight` ([Cout, Cin, 3, 3], row-major).
    public init(weight: UnsafePointer<Float>, outputChannels outChannels: Int, inputChannels inChannels: Int,
                padHeight: Int, padWidth: Int) {
        self.inChannels = inChannels; self.outChannels = outChannels
        self.padHeight = padHeight; self.padWidth = padWidth
        let pairs = outChannels * inChannels, stride = Self.elementStride(pairs)
        weightStride = stride
        isAdjoint = false
        transformedWeight = Storage(uninitializedCount: 16 * stride)
        let u = transformedWeight.base
        Parallel.forEachRange(pairs, work: 64) { range in
            for pair in range {
                let g = weight + pair * 9
                // G·g (4×3): rows g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2 of the kernel's rows…
                @inline(__always) func gRows(_ j: Int) -> (Float, Float, Float, Float) {
                    let a = g[j], b = g[3 + j], c = g[6 + j]
                    return (a, 0.5 * (a + b + c), 0.5 * (a - b + c), c)
                }
                let c0 = gRows(0), c1 = gRows(1), c2 = gRows(2)
                // …then ·Gᵀ along each row i of G·g.
                @inline(__always) func emit(_ i: Int, _ a: Float, _ b: Float, _ c: Float) {
                    u[(4 * i) * stride + pair] = a
                    u[(4 * i + 1) * stride + pair] = 0.5 * (a + b + c)
                    u[(4 * i + 2) * stride + pair] = 0.5 * (a - b + c)
                    u[(4 * i + 3) * stride + pair] = c
                }
                emit(0, c0.0, c1.0, c2.0)
                emit(1, c0.1, c1.1, c2.1)
                emit(2, c0.2, c1.2, c2.2)
                emit(3, c0.3, c1.3, c2.3)
            }
        }
    }

    /// The convolution whose forward is this one's input gradient: the kernel flipped in both axes,
    /// input and output channels swapped, padding 2 − p. Flipping a kernel swaps rows and columns 0 and
    /// 3 of its transform (G's first and last rows are its first and last taps; the middle two are
    /// symmetric), so the adjoint reads this one's matrices transposed, element (i, j) from (p(i), p(j))
    /// with p swapping 0 and 3: no flipped copy and no second transform. Rounding differs from transforming the flipped kernel
    /// by the order of the middle rows' three-term sums.
    public func adjoint() -> WinogradConvolution {
        WinogradConvolution(inChannels: outChannels, outChannels: inChannels, padHeight: 2 - padHeight,
                            padWidth: 2 - padWidth, transformedWeight: transformedWeight, weightStride: weightStride,
                            isAdjoint: !isAdjoint)
    }

    private init(inChannels: Int, outChannels: Int, padHeight: Int, padWidth: Int, transformedWeight: Storage,
                 weightStride: Int, isAdjoint: Bool) {
        precondition(padHeight >= 0 && padWidth >= 0, "Winograd adjoint of a convolution padded by more than 2")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.padHeight = padHeight; self.padWidth = padWidth
        self.transformedWeight = transformedWeight; self.weightStride = weightStride; self.isAdjoint = isAdjoint
    }

    /// Element e = 4i + j of the transform with rows and columns 0 and 3 swapped.
    static func flippedElement(_ e: Int) -> Int {
        @inline(__always) func swap(_ i: Int) -> Int { i == 0 ? 3 : i == 3 ? 0 : i }
        return 4 * swap(e / 4) + swap(e % 4)
    }

    /// The same padding on all four sides.
    public init(weight: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int, padding: Int) {
        self.init(weight: weight, outputChannels: outputChannels, inputChannels: inputChannels,
                  padHeight: padding, padWidth: padding)
    }

    /// Output rows and columns for an input of `height`×`width`.
    public func outputSize(height: Int, width: Int) -> (Int, Int) {
        (height + 2 * padHeight - 2, width + 2 * padWidth - 2)
    }

    /// Convolves `images` images. Input plane (c, n) starts at `input + c·channelStride + n·imageStride`
    /// (height×width, rows contiguous); output plane (o, n) at `output + o·outChannelStride + n·outImageStride`.
    public func forward(_ input: UnsafePointer<Float>, channelStride: Int, imageStride: Int, images: Int,
                        height: Int, width: Int, _ output: UnsafeMutablePointer<Float>,
                        outChannelStride: Int, outImageStride: Int, budget: Int = 1 << 20) {
        let (oh, ow) = outputSize(height: height, width: width)
        precondition(oh > 0 && ow > 0, "Winograd convolution output empty for \(height)×\(width)")
        let tilesH = (oh + 1) / 2, tilesW = (ow + 1) / 2, tileRows = images * tilesH
        // Tile rows per band: both transform buffers stay near `budget` floats.
        let band = max(1, min(tileRows, budget / (16 * max(inChannels, outChannels) * tilesW)))
        let capacity = band * tilesW
        let vStride = Self.elementStride(inChannels * capacity), mStride = Self.elementStride(outChannels * capacity)
        let v = Storage(uninitializedCount: 16 * vStride)
        let m = Storage(uninitializedCount: 16 * mStride)
        let geometry = TileGeometry(height: height, width: width, outHeight: oh, outWidth: ow,
                                    padHeight: padHeight, padWidth: padWidth, tilesHigh: tilesH, tilesWide: tilesW)
        for r0 in Swift.stride(from: 0, to: tileRows, by: band) {
            let rows = r0..<min(r0 + band, tileRows), tiles = rows.count * tilesW
            let vb = v.base, mb = m.base
            Parallel.forEachRange(inChannels, work: 16 * tiles) { channels in
                for c in channels {
                    geometry.transformInput(input + c * channelStride, imageStride: imageStride, rows: rows,
                                            into: vb + c * tiles, elementStride: vStride)
                }
            }
            let u = transformedWeight.base
            let adjoint = isAdjoint
            BLASKernel.splittingCalls(16) { e in
                if adjoint {
                    Tensor.gemm(true, false, outChannels, tiles, inChannels, 1, u + Self.flippedElement(e) * weightStride,
                                outChannels, vb + e * vStride, tiles, 0, mb + e * mStride, tiles)
                } else {
                    Tensor.gemm(false, false, outChannels, tiles, inChannels, 1, u + e * weightStride, inChannels,
                                vb + e * vStride, tiles, 0, mb + e * mStride, tiles)
                }
            }
            Parallel.forEachRange(outChannels, work: 16 * tiles) { channels in
                for o in channels {
                    geometry.transformOutput(mb + o * tiles, elementStride: mStride, rows: rows,
                                             into: output + o * outChannelStride, imageStride: outImageStride)
                }
            }
        }
    }
}

/// Where F(2×2, 3×3) tiles fall on one plane, and the per-plane input and output transforms.
struct TileGeometry {
    let height: Int, width: Int, outHeight: Int, outWidth: Int
    let padHeight: Int, padWidth: Int, tilesHigh: Int, tilesWide: Int

    /// V = Bᵀ·d·B for every tile of tile rows `rows` (row r = image r / tilesHigh, tile row r % tilesHigh)
    /// of one channel; element e of tile t goes to `into[e·elementStride + t]`.
    func transformInput(_ channel: UnsafePointer<Float>, imageStride: Int, rows: Range<Int>,
                        into v: UnsafeMutablePointer<Float>, elementStride: Int) {
        // Four input rows, zero-padded to whole tiles, so the tile loop has no bounds tests.
        let span = 2 * tilesWide + 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * span) { buffer in
            let d = buffer.baseAddress!
            for r in rows {
                let plane = channel + (r / tilesHigh) * imageStride, y0 = 2 * (r % tilesHigh) - padHeight
                for i in 0..<4 {
                    let row = d + i * span, y = y0 + i
                    row.update(repeating: 0, count: span)
                    guard y >= 0 && y < height else { continue }
                    let count = min(width, span - padWidth)
                    if count > 0 { (row + padWidth).update(from: plane + y * width, count: count) }
                }
                let t0 = (r - rows.lowerBound) * tilesWide
                let d0 = d, d1 = d + span, d2 = d + 2 * span, d3 = d + 3 * span
                for tx in 0..<tilesWide {
                    let x = 2 * tx
                    // Bᵀ·d down the columns…
                    let c0 = (d0[x] - d2[x], d1[x] + d2[x], d2[x] - d1[x], d1[x] - d3[x])
                    let c1 = (d0[x + 1] - d2[x + 1], d1[x + 1] + d2[x + 1], d2[x + 1] - d1[x + 1], d1[x + 1] - d3[x + 1])
                    let c2 = (d0[x + 2] - d2[x + 2], d1[x + 2] + d2[x + 2], d2[x + 2] - d1[x + 2], d1[x + 2] - d3[x + 2])
                    let c3 = (d0[x + 3] - d2[x + 3], d1[x + 3] + d2[x + 3], d2[x + 3] - d1[x + 3], d1[x + 3] - d3[x + 3])
                    // …then ·B along each row i: (x0 − x2, x1 + x2, x2 − x1, x1 − x3).
                    let out = v + t0 + tx
                    @inline(__always) func emit(_ i: Int, _ a: Float, _ b: Float, _ c: Float, _ e: Float) {
                        out[(4 * i) * elementStride] = a - c
                        out[(4 * i + 1) * elementStride] = b + c
                        out[(4 * i + 2) * elementStride] = c - b
                        out[(4 * i + 3) * elementStride] = b - e
                    }
                    emit(0, c0.0, c1.0, c2.0, c3.0)
                    emit(1, c0.1, c1.1, c2.1, c3.1)
                    emit(2, c0.2, c1.2, c2.2, c3.2)
                    emit(3, c0.3, c1.3, c2.3, c3.3)
                }
            }
        }
    }

    /// Y = Aᵀ·M·A for every tile of tile rows `rows` of one output channel, written into its planes
    /// (clipped at the bottom and right edges).
    func transformOutput(_ m: UnsafePointer<Float>, elementStride s: Int, rows: Range<Int>,
                         into channel: UnsafeMutablePointer<Float>, imageStride: Int) {
        for r in rows {
            let plane = channel + (r / tilesHigh) * imageStride, y = 2 * (r % tilesHigh)
            let top = plane + y * outWidth, bottom = top + outWidth, hasBottom = y + 1 < outHeight
            let t0 = (r - rows.lowerBound) * tilesWide
            for tx in 0..<tilesWide {
                let p = m + t0 + tx
                // Aᵀ·M: rows (m0 + m1 + m2, m1 − m2 − m3) for each column j…
                @inline(__always) func column(_ j: Int) -> (top: Float, bottom: Float) {
                    let m0 = p[j * s], m1 = p[(4 + j) * s], m2 = p[(8 + j) * s], m3 = p[(12 + j) * s]
                    return (m0 + m1 + m2, m1 - m2 - m3)
                }
                let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
                // …then ·A along each row: (x0 + x1 + x2, x1 − x2 − x3).
                let x = 2 * tx
                top[x] = c0.top + c1.top + c2.top
                if hasBottom { bottom[x] = c0.bottom + c1.bottom + c2.bottom }
                if x + 1 < outWidth {
                    top[x + 1] = c1.top - c2.top - c3.top
                    if hasBottom { bottom[x + 1] = c1.bottom - c2.bottom - c3.bottom }
                }
            }
        }
    }
}
