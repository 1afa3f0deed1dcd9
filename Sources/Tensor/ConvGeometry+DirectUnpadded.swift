/// Register-blocked direct kernels for the common unpadded, stride-1 case (the generator's output
/// conv after its explicit reflection pad): every window lies inside the image, so an 8-wide strip
/// of one output row can accumulate all taps for up to four output channels in registers.
///
/// Strips are 8 wide because the package compiles for baseline x86-64 (SSE): four 8-lane
/// accumulators fill eight of its sixteen vector registers, while 16-lane ones spilled to the stack.
extension ConvGeometry {
    /// Whether the register-blocked kernels apply.
    var isUnpaddedUnitStride: Bool { stride == 1 && padding == 0 }

    private typealias Strip = SIMD8<Float>

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Strip { UnsafeRawPointer(p).loadUnaligned(as: Strip.self) }

    @inline(__always)
    private static func store(_ v: Strip, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Strip.self)
    }

    /// `directForward` for stride 1, padding 0 (`cout` ≤ 4).
    func unpaddedForward(_ image: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, outputChannels cout: Int,
                         _ out: UnsafeMutablePointer<Float>) {
        precondition(isUnpaddedUnitStride && cout <= 4, "unpaddedForward needs stride 1, padding 0, ≤ 4 outputs")
        let oh = outHeight, ow = outWidth, k = columnRows, plane = height * width
        // Weights as [tap][4]: one tap's scalars for every output channel side by side.
        let taps = Storage(count: k * 4)
        for co in 0..<cout { for t in 0..<k { taps.base[t * 4 + co] = weight[co * k + t] } }
        let wt = UnsafePointer(taps.base)
        Parallel.forEachRange(oh, work: 4 * k * ow) { rows in
            for y in rows {
                var x0 = 0
                while x0 < ow {
                    let lanes = Swift.min(8, ow - x0)
                    var a0 = Strip(), a1 = Strip(), a2 = Strip(), a3 = Strip()
                    for c in 0..<channels {
                        for ki in 0..<kernelHeight {
                            let row = image + c * plane + (y + ki * dilation) * width + x0
                            var w = wt + ((c * kernelHeight + ki) * kernelWidth) * 4
                            for kj in 0..<kernelWidth {
                                let s: Strip
                                if lanes == 8 {
                                    s = Self.load(row + kj * dilation)
                                } else {
                                    var t = Strip()
                                    for i in 0..<lanes { t[i] = row[kj * dilation + i] }
                                    s = t
                                }
                                // Separate multiply and add: `addProduct` lowers to one libm fmaf call per lane.
                                a0 += s * w[0]; a1 += s * w[1]
                                a2 += s * w[2]; a3 += s * w[3]
                                w += 4
                            }
                        }
                    }
                    for co in 0..<cout {
                        let v = co == 0 ? a0 : co == 1 ? a1 : co == 2 ? a2 : a3
                        let dst = out + co * oh * ow + y * ow + x0
                        if lanes == 8 { Self.store(v, dst) } else { for i in 0..<lanes { dst[i] = v[i] } }
                    }
                    x0 += 8
                }
            }
        }
    }

    /// `directWeightGradient` for stride 1, padding 0 (`cout` ≤ 4): one pass over each shifted input
    /// row feeds every output channel's dot product.
    func unpaddedWeightGradient(_ image: UnsafePointer<Float>, _ grad: UnsafePointer<Float>, outputChannels cout: Int,
                                _ gradWeight: UnsafeMutablePointer<Float>) {
        precondition(isUnpaddedUnitStride && cout <= 4, "unpaddedWeightGradient needs stride 1, padding 0, ≤ 4 outputs")
        let oh = outHeight, ow = outWidth, k = columnRows, plane = height * width, ohw = oh * ow
        // Unused channels read channel 0's gradient and are discarded.
        let g = (0..<4).map { grad + (($0 < cout ? $0 : 0) * ohw) }
        Parallel.forEachRange(channels, work: 4 * kernelHeight * kernelWidth * ohw) { channelRange in
            for c in channelRange {
                for ki in 0..<kernelHeight {
                    for kj in 0..<kernelWidth {
                        var a0 = Strip(), a1 = Strip(), a2 = Strip(), a3 = Strip()
                        var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0
                        for y in 0..<oh {
                            let row = image + c * plane + (y + ki * dilation) * width + kj * dilation
                            let r = y * ow
                            var x = 0
                            while x + 8 <= ow {
                                let s = Self.load(row + x)
                                a0 += Self.load(g[0] + r + x) * s; a1 += Self.load(g[1] + r + x) * s
                                a2 += Self.load(g[2] + r + x) * s; a3 += Self.load(g[3] + r + x) * s
                                x += 8
                            }
                            while x < ow {
                                let s = row[x]
                                t0 += g[0][r + x] * s; t1 += g[1][r + x] * s; t2 += g[2][r + x] * s; t3 += g[3][r + x] * s
                                x += 1
                            }
                        }
                        let tap = (c * kernelHeight + ki) * kernelWidth + kj
                        for co in 0..<cout {
                            gradWeight[co * k + tap] += co == 0 ? a0.sum() + t0 : co == 1 ? a1.sum() + t1
                                : co == 2 ? a2.sum() + t2 : a3.sum() + t3
                        }
                    }
                }
            }
        }
    }
}
