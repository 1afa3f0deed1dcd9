/// Convolution without a column matrix, for layers with very few output channels (the generator's
/// RGB output, the discriminator's one-channel score). There sgemm's M is 1–4, OpenBLAS runs at a
/// few GFLOP/s and streaming the C·k²-row column matrix costs more than the arithmetic; shifted-row
/// AXPYs and dot products over the input planes stay in cache instead. Unpadded stride-1 layers take
/// register-blocked kernels (ConvGeometry+DirectUnpadded), with AVX-512 where the CPU has it
/// (ConvGeometry+DirectVector): the same bits either way. `vectorised: false` forces the Swift ones.
extension ConvGeometry {
    /// Output channel counts at or below this use the direct kernels.
    public static let directOutputChannelLimit = 4
    /// The largest column matrix (floats, all images of a batch) a convolution keeps from forward
    /// to backward for its weight gradient: 16 MB, a 256×256 stem conv's of one image is 38 MB.
    public static let keptColumnLimit = 4 << 20

    /// out[co] = Σ weight[co, c, ki, kj] · shifted input, for one image; `weight` is [cout, C·kh·kw],
    /// `out` is [cout, outH·outW] and is overwritten. Output rows run in parallel.
    public func directForward(_ image: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, outputChannels cout: Int,
                              _ out: UnsafeMutablePointer<Float>, vectorised: Bool = Self.directKernelsVectorised) {
        if isUnpaddedUnitStride {
            return vectorised ? vectorForward(image, weight, outputChannels: cout, out)
                : unpaddedForward(image, weight, outputChannels: cout, out)
        }
        let oh = outHeight, ow = outWidth, k = columnRows, plane = height * width
        Parallel.forEachRange(oh, work: cout * k * ow) { rows in
            for co in 0..<cout { (out + co * oh * ow + rows.lowerBound * ow).update(repeating: 0, count: rows.count * ow) }
            for y in rows {
                for c in 0..<channels {
                    for ki in 0..<kernelHeight {
                        let ih = y * stride - padding + ki * dilation
                        if ih < 0 || ih >= height { continue }
                        for kj in 0..<kernelWidth {
                            let offW = kj * dilation - padding
                            let (lo, hi) = validColumns(offW)
                            let src = image + c * plane + ih * width + offW
                            let tap = (c * kernelHeight + ki) * kernelWidth + kj
                            for co in 0..<cout {
                                let w = weight[co * k + tap], o = out + co * oh * ow + y * ow
                                if stride == 1 {
                                    for x in lo..<hi { o[x] += w * src[x] }
                                } else {
                                    for x in lo..<hi { o[x] += w * src[x * stride] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// gradWeight[co, tap] += Σ grad[co] · shifted input, for one image; input channels run in parallel.
    public func directWeightGradient(_ image: UnsafePointer<Float>, _ grad: UnsafePointer<Float>, outputChannels cout: Int,
                                     _ gradWeight: UnsafeMutablePointer<Float>,
                                     vectorised: Bool = Self.directKernelsVectorised) {
        if isUnpaddedUnitStride {
            return vectorised ? vectorWeightGradient(image, grad, outputChannels: cout, gradWeight)
                : unpaddedWeightGradient(image, grad, outputChannels: cout, gradWeight)
        }
        let oh = outHeight, ow = outWidth, k = columnRows, plane = height * width
        Parallel.forEachRange(channels, work: cout * kernelHeight * kernelWidth * oh * ow) { channelRange in
            for c in channelRange {
                for ki in 0..<kernelHeight {
                    for kj in 0..<kernelWidth {
                        let offW = kj * dilation - padding
                        let (lo, hi) = validColumns(offW)
                        let tap = (c * kernelHeight + ki) * kernelWidth + kj
                        for co in 0..<cout {
                            var acc: Float = 0
                            for y in 0..<oh {
                                let ih = y * stride - padding + ki * dilation
                                if ih < 0 || ih >= height || hi <= lo { continue }
                                let src = image + c * plane + ih * width + offW, g = grad + co * oh * ow + y * ow
                                if stride == 1 {
                                    acc += Tensor.planeDot(g + lo, src + lo, hi - lo)
                                } else {
                                    for x in lo..<hi { acc += g[x] * src[x * stride] }
                                }
                            }
                            gradWeight[co * k + tap] += acc
                        }
                    }
                }
            }
        }
    }

    /// gradImage[c] += Σ weight[co, c, ki, kj] · grad[co] scattered back, for one image; input
    /// channels run in parallel (each thread owns its planes).
    func directInputGradient(_ grad: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, outputChannels cout: Int,
                             _ gradImage: UnsafeMutablePointer<Float>) {
        let oh = outHeight, ow = outWidth, k = columnRows, plane = height * width
        Parallel.forEachRange(channels, work: cout * kernelHeight * kernelWidth * oh * ow) { channelRange in
            for c in channelRange {
                for ki in 0..<kernelHeight {
                    for kj in 0..<kernelWidth {
                        let offW = kj * dilation - padding
                        let (lo, hi) = validColumns(offW)
                        let tap = (c * kernelHeight + ki) * kernelWidth + kj
                        for y in 0..<oh {
                            let ih = y * stride - padding + ki * dilation
                            if ih < 0 || ih >= height { continue }
                            let dst = gradImage + c * plane + ih * width + offW
                            for co in 0..<cout {
                                let w = weight[co * k + tap], g = grad + co * oh * ow + y * ow
                                if stride == 1 {
                                    for x in lo..<hi { dst[x] += w * g[x] }
                                } else {
                                    for x in lo..<hi { dst[x * stride] += w * g[x] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
