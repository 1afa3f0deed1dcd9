/// The weight gradient of a F(2×2, 3×3) Winograd convolution, in the transform domain.
///
/// Forward computes M_e = U_e·V_e for the 16 transform elements e and Y = Aᵀ·M·A per tile, so the
/// output gradient comes back as dM = A·dY·Aᵀ per tile, the transformed kernel's gradient as
/// dU_e = dM_e·V_eᵀ ([Cout, tiles]·[tiles, Cin], summed over every tile of every image), and the
/// kernel's as dW = Gᵀ·dU·G. That is 16 products of Cout·Cin·tiles where im2col's one product is
/// Cout·Cin·9·(4·tiles): 2.25× fewer multiplications, paid for with transforms that only add and
/// halve. Rounding differs from im2col's sum by a few ulps of the inputs' magnitude.
extension WinogradConvolution {
    /// Adds the gradient of the loss with respect to the [Cout, Cin, 3, 3] kernel to `gradWeight`, given
    /// the convolution's input (laid out as for `forward`) and the gradient of its output.
    public static func weightGradient(inputChannels: Int, outputChannels: Int, padHeight: Int, padWidth: Int,
                                      _ input: UnsafePointer<Float>, channelStride: Int, imageStride: Int,
                                      images: Int, height: Int, width: Int,
                                      gradOutput: UnsafePointer<Float>, outChannelStride: Int, outImageStride: Int,
                                      into gradWeight: UnsafeMutablePointer<Float>, budget: Int = 1 << 20) {
        let oh = height + 2 * padHeight - 2, ow = width + 2 * padWidth - 2
        precondition(oh > 0 && ow > 0, "Winograd convolution output empty for \(height)×\(width)")
        let tilesH = (oh + 1) / 2, tilesW = (ow + 1) / 2, tileRows = images * tilesH
        let band = max(1, min(tileRows, budget / (16 * max(inputChannels, outputChannels) * tilesW)))
        let capacity = band * tilesW, pairs = outputChannels * inputChannels
        let vStride = elementStride(inputChannels * capacity), mStride = elementStride(outputChannels * capacity)
        let uStride = elementStride(pairs)
        let v = Storage(uninitializedCount: 16 * vStride)
        let m = Storage(uninitializedCount: 16 * mStride)
        let du = Storage(uninitializedCount: 16 * uStride)
        let geometry = TileGeometry(height: height, width: width, outHeight: oh, outWidth: ow,
                                    padHeight: padHeight, padWidth: padWidth, tilesHigh: tilesH, tilesWide: tilesW)
        for r0 in Swift.stride(from: 0, to: tileRows, by: band) {
            let rows = r0..<min(r0 + band, tileRows), tiles = rows.count * tilesW
            let vb = v.base, mb = m.base, ub = du.base
            Parallel.forEachRange(inputChannels, work: 16 * tiles) { channels in
                for c in channels {
                    geometry.transformInput(input + c * channelStride, imageStride: imageStride, rows: rows,
                                            into: vb + c * tiles, elementStride: vStride)
                }
            }
            Parallel.forEachRange(outputChannels, work: 16 * tiles) { channels in
                for o in channels {
                    geometry.transformGradient(gradOutput + o * outChannelStride, imageStride: outImageStride, rows: rows,
                                               into: mb + o * tiles, elementStride: mStride)
                }
            }
            let beta: Float = r0 == 0 ? 0 : 1
            BLASKernel.splittingCalls(16) { e in
                Tensor.gemm(false, true, outputChannels, inputChannels, tiles, 1, mb + e * mStride, tiles,
                            vb + e * vStride, tiles, beta, ub + e * uStride, inputChannels)
            }
        }
        let ub = UnsafePointer(du.base)
        Parallel.forEachRange(pairs, work: 64) { range in
            for pair in range {
                // Gᵀ·dU (3×4): rows dU0 + (dU1 + dU2)/2, (dU1 − dU2)/2, (dU1 + dU2)/2 + dU3, for each column j…
                @inline(__always) func column(_ j: Int) -> (Float, Float, Float) {
                    let d0 = ub[j * uStride + pair], d1 = ub[(4 + j) * uStride + pair]
                    let d2 = ub[(8 + j) * uStride + pair], d3 = ub[(12 + j) * uStride + pair]
                    return (d0 + 0.5 * (d1 + d2), 0.5 * (d1 - d2), 0.5 * (d1 + d2) + d3)
                }
                let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
                // …then ·G along each row: (x0 + (x1 + x2)/2, (x1 − x2)/2, (x1 + x2)/2 + x3).
                let g = gradWeight + pair * 9
                @inline(__always) func emit(_ a: Int, _ x0: Float, _ x1: Float, _ x2: Float, _ x3: Float) {
                    g[3 * a] += x0 + 0.5 * (x1 + x2)
                    g[3 * a + 1] += 0.5 * (x1 - x2)
                    g[3 * a + 2] += 0.5 * (x1 + x2) + x3
                }
                emit(0, c0.0, c1.0, c2.0, c3.0)
                emit(1, c0.1, c1.1, c2.1, c3.1)
                emit(2, c0.2, c1.2, c2.2, c3.2)
            }
        }
    }
}

extension TileGeometry {
    /// dM = A·dY·Aᵀ for every tile of tile rows `rows` of one output channel's gradient (entries past
    /// the bottom and right edges are zero); element e of tile t goes to `into[e·elementStride + t]`.
    func transformGradient(_ channel: UnsafePointer<Float>, imageStride: Int, rows: Range<Int>,
                           into m: UnsafeMutablePointer<Float>, elementStride s: Int) {
        for r in rows {
            let plane = channel + (r / tilesHigh) * imageStride, y = 2 * (r % tilesHigh)
            let top = plane + y * outWidth, bottom = top + outWidth, hasBottom = y + 1 < outHeight
            let t0 = (r - rows.lowerBound) * tilesWide
            for tx in 0..<tilesWide {
                let x = 2 * tx, hasRight = x + 1 < outWidth
                let a = top[x], b: Float = hasRight ? top[x + 1] : 0
                let c: Float = hasBottom ? bottom[x] : 0, d: Float = hasBottom && hasRight ? bottom[x + 1] : 0
                // A·dY down the columns: rows (y0, y0 + y1, y0 − y1, −y1)…
                let rowsOf = ((a, b), (a + c, b + d), (a - c, b - d), (-c, -d))
                // …then ·Aᵀ along each row: (x0, x0 + x1, x0 − x1, −x1).
                let out = m + t0 + tx
                @inline(__always) func emit(_ i: Int, _ row: (Float, Float)) {
                    out[(4 * i) * s] = row.0
                    out[(4 * i + 1) * s] = row.0 + row.1
                    out[(4 * i + 2) * s] = row.0 - row.1
                    out[(4 * i + 3) * s] = -row.1
                }
                emit(0, rowsOf.0); emit(1, rowsOf.1); emit(2, rowsOf.2); emit(3, rowsOf.3)
            }
        }
    }
}
