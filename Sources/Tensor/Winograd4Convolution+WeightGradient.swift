/// The weight gradient of a F(4×4, 3×3) convolution, in the transform domain: dM = A·dY·Aᵀ per tile
/// (6×6 from the 4×4 output gradient), dU_e = dM_e·V_eᵀ ([Cout, tiles]·[tiles, Cin], summed over
/// every tile of every image), and dW = Gᵀ·dU·G, for every pair at once as dUᵀ·(G ⊗ G). 36 products
/// of Cout·Cin·tiles where F(2×2)'s 16 take 2.25 times as many tiles.
extension Winograd4Convolution {
    /// Adds the gradient of the loss with respect to the [Cout, Cin, 3, 3] kernel to `gradWeight`, given
    /// the convolution's input (NCHW-strided as for `forward`) and the gradient of its output.
    public static func weightGradient(inputChannels: Int, outputChannels: Int, padding: Int,
                                      _ input: UnsafePointer<Float>, channelStride: Int, imageStride: Int,
                                      images: Int, height: Int, width: Int,
                                      gradOutput: UnsafePointer<Float>, outChannelStride: Int, outImageStride: Int,
                                      into gradWeight: UnsafeMutablePointer<Float>, budget: Int = 1 << 20) {
        let oh = height + 2 * padding - 2, ow = width + 2 * padding - 2
        precondition(oh > 0 && ow > 0, "Winograd convolution output empty for \(height)×\(width)")
        let tilesH = (oh + 3) / 4, tilesW = (ow + 3) / 4, tileRows = images * tilesH
        let band = max(1, min(tileRows, budget / (36 * max(inputChannels, outputChannels) * tilesW)))
        let capacity = band * tilesW, pairs = outputChannels * inputChannels
        let vStride = WinogradConvolution.elementStride(inputChannels * capacity)
        let mStride = WinogradConvolution.elementStride(outputChannels * capacity)
        let uStride = WinogradConvolution.elementStride(pairs)
        let v = Storage(uninitializedCount: 36 * vStride)
        let m = Storage(uninitializedCount: 36 * mStride)
        let du = Storage(uninitializedCount: 36 * uStride)
        let tiles4 = Tiles4(height: height, width: width, outHeight: oh, outWidth: ow, padding: padding,
                            tilesHigh: tilesH, tilesWide: tilesW)
        for r0 in Swift.stride(from: 0, to: tileRows, by: band) {
            let rows = r0..<min(r0 + band, tileRows), tiles = rows.count * tilesW
            let vb = v.base, mb = m.base, ub = du.base
            Parallel.forEachRange(inputChannels, work: 36 * tiles) { channels in
                for c in channels {
                    tiles4.transformInput(input + c * channelStride, imageStride: imageStride, rows: rows,
                                          into: vb + c * tiles, elementStride: vStride)
                }
            }
            Parallel.forEachRange(outputChannels, work: 36 * tiles) { channels in
                for o in channels {
                    tiles4.transformGradient(gradOutput + o * outChannelStride, imageStride: outImageStride, rows: rows,
                                             into: mb + o * tiles, elementStride: mStride)
                }
            }
            let beta: Float = r0 == 0 ? 0 : 1
            BLASKernel.splittingCalls(36) { e in
                Tensor.gemm(false, true, outputChannels, inputChannels, tiles, 1, mb + e * mStride, tiles,
                            vb + e * vStride, tiles, beta, ub + e * uStride, inputChannels)
            }
        }
        // dW [pairs, 9] += dUᵀ·(G ⊗ G): dU is [36, pairs] with rows `uStride` apart.
        transformMatrix.withUnsafeBufferPointer { t in
            Tensor.gemm(true, false, pairs, 9, 36, 1, du.base, uStride, t.baseAddress!, 9, 1, gradWeight, 9)
        }
    }
}

extension Tiles4 {
    /// dM = A·dY·Aᵀ for every tile of tile rows `rows` of one output channel's gradient (zeros past the
    /// bottom and right edges); element e of tile t goes to `into[e·elementStride + t]`.
    func transformGradient(_ channel: UnsafePointer<Float>, imageStride: Int, rows: Range<Int>,
                           into m: UnsafeMutablePointer<Float>, elementStride s: Int) {
        // Four gradient rows, zero-padded to whole tiles.
        let span = 4 * tilesWide
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * span) { buffer in
            let d = buffer.baseAddress!
            for r in rows {
                let plane = channel + (r / tilesHigh) * imageStride, y0 = 4 * (r % tilesHigh)
                for i in 0..<4 {
                    let row = d + i * span, y = y0 + i
                    row.update(repeating: 0, count: span)
                    if y < outHeight { row.update(from: plane + y * outWidth, count: outWidth) }
                }
                let t0 = (r - rows.lowerBound) * tilesWide
                var tx = 0
                while tx + 8 <= tilesWide {
                    typealias V = SIMD8<Float>
                    let x = 4 * tx
                    @inline(__always) func gather(_ i: Int, _ j: Int) -> V {
                        let p = d + i * span + x + j
                        return V(p[0], p[4], p[8], p[12], p[16], p[20], p[24], p[28])
                    }
                    let out = m + t0 + tx
                    @inline(__always) func put(_ e: Int, _ value: V) {
                        UnsafeMutableRawPointer(out + e * s).storeBytes(of: value, as: V.self)
                    }
                    transform(gather, put)
                    tx += 8
                }
                for tx in tx..<tilesWide {
                    let x = 4 * tx, out = m + t0 + tx
                    transform({ d[$0 * span + x + $1] }, { out[$0 * s] = $1 })
                }
            }
        }
    }

    /// A·dY·Aᵀ of one tile (or eight, lane by lane): `value(i, j)` is dY's row i, column j.
    @inline(__always)
    private func transform<L: WinogradLane>(_ value: (Int, Int) -> L, _ put: (Int, L) -> Void) {
        // A·y for a column or row of four: (y0, y0 + y1 + y2 + y3, y0 − y1 + y2 − y3,
        // y0 + 2y1 + 4y2 + 8y3, y0 − 2y1 + 4y2 − 8y3, y3).
        @inline(__always) func aTimes(_ y0: L, _ y1: L, _ y2: L, _ y3: L) -> (L, L, L, L, L, L) {
            let even = y0 + y2, odd = y1 + y3, even4 = y0 + 4 * y2, odd2 = 2 * y1 + 8 * y3
            return (y0, even + odd, even - odd, even4 + odd2, even4 - odd2, y3)
        }
        // Down each column j…
        let c0 = aTimes(value(0, 0), value(1, 0), value(2, 0), value(3, 0))
        let c1 = aTimes(value(0, 1), value(1, 1), value(2, 1), value(3, 1))
        let c2 = aTimes(value(0, 2), value(1, 2), value(2, 2), value(3, 2))
        let c3 = aTimes(value(0, 3), value(1, 3), value(2, 3), value(3, 3))
        // …then along each row i.
        @inline(__always) func emit(_ i: Int, _ a: L, _ b: L, _ c: L, _ e: L) {
            let r = aTimes(a, b, c, e), k = 6 * i
            put(k, r.0); put(k + 1, r.1); put(k + 2, r.2); put(k + 3, r.3); put(k + 4, r.4); put(k + 5, r.5)
        }
        emit(0, c0.0, c1.0, c2.0, c3.0)
        emit(1, c0.1, c1.1, c2.1, c3.1)
        emit(2, c0.2, c1.2, c2.2, c3.2)
        emit(3, c0.3, c1.3, c2.3, c3.3)
        emit(4, c0.4, c1.4, c2.4, c3.4)
        emit(5, c0.5, c1.5, c2.5, c3.5)
    }
}
