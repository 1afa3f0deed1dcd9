import Tensor

/// A convolution folded with its batch norm (inference): y = ReLU(W′ ∗ x + b′).
struct FoldedConvolution {
    let inChannels: Int, outChannels: Int
    let kernelHeight: Int, kernelWidth: Int
    let strideH: Int, strideW: Int, padH: Int, padW: Int
    /// [Cout, Cin·kh·kw] row-major, scaled by the batch norm.
    let weight: [Float]
    /// [Cout].
    let bias: [Float]
    /// How the layer is computed: a Winograd form of `weight` where one suits, else sgemm (with im2col
    /// unless the layer is pointwise).
    enum Route {
        /// F(4×4, 3×3): the 3×3 stride-1 layers with equal padding.
        case tiles4(Winograd4Convolution)
        /// F(2×2, 3×3): the other 3×3 stride-1 layers it suits.
        case tiles2(WinogradConvolution)
        /// F(2, 7) or F(4, 3) along one axis: the 1×7, 7×1, 1×3 and 3×1 layers.
        case line(Winograd1DConvolution)
        /// F(2×2, 5×5): the 5×5 layers.
        case square(Winograd2DConvolution)
        case sgemm
    }
    let route: Route

    init(inChannels: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int, strideH: Int, strideW: Int,
         padH: Int, padW: Int, weight: [Float], bias: [Float]) {
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
        self.weight = weight; self.bias = bias
        // Output sizes come with each batch; every 3×3 stride-1 layer of the network makes at least 8×8.
        let suits = strideH == strideW && WinogradConvolution.suits(
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: strideH, dilation: 1,
            inChannels: inChannels, outChannels: outChannels, outHeight: 8, outWidth: 8)
        let suits4 = suits && padH == padW && Winograd4Convolution.suits(
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: strideH, dilation: 1,
            inChannels: inChannels, outChannels: outChannels, outHeight: 8, outWidth: 8)
        let lineOutputs = Winograd1DConvolution.outputs(kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideH,
                                                        strideWidth: strideW, padHeight: padH, padWidth: padW,
                                                        inChannels: inChannels, outChannels: outChannels)
        let squareOutputs = Winograd2DConvolution.outputs(kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideH,
                                                          strideWidth: strideW, padHeight: padH, padWidth: padW,
                                                          inChannels: inChannels, outChannels: outChannels)
        route = weight.withUnsafeBufferPointer { w in
            let w = w.baseAddress!
            if suits4 {
                return .tiles4(Winograd4Convolution(weight: w, outputChannels: outChannels, inputChannels: inChannels, padding: padH))
            }
            if suits {
                return .tiles2(WinogradConvolution(weight: w, outputChannels: outChannels, inputChannels: inChannels,
                                                   padHeight: padH, padWidth: padW))
            }
            if let lineOutputs {
                return .line(Winograd1DConvolution(weight: w, outputChannels: outChannels, inputChannels: inChannels,
                                                   taps: max(kernelHeight, kernelWidth), outputs: lineOutputs,
                                                   axis: kernelHeight == 1 ? .width : .height))
            }
            if let squareOutputs {
                return .square(Winograd2DConvolution(weight: w, outputChannels: outChannels, inputChannels: inChannels,
                                                     taps: kernelHeight, outputs: squareOutputs))
            }
            return .sgemm
        }
    }

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
            switch route {
            case .tiles4(let winograd):
                winograd.forward(x.pointer, channelStride: x.rowLength, imageStride: x.plane, images: x.batch,
                                 height: x.height, width: x.width, dst, outChannelStride: ld, outImageStride: ohw)
                return
            case .tiles2(let winograd):
                winograd.forward(x.pointer, channelStride: x.rowLength, imageStride: x.plane, images: x.batch,
                                 height: x.height, width: x.width, dst, outChannelStride: ld, outImageStride: ohw)
                return
            case .line(let winograd):
                winograd.forward(x.pointer, channelStride: x.rowLength, imageStride: x.plane, images: x.batch,
                                 height: x.height, width: x.width, dst, outChannelStride: ld, outImageStride: ohw)
                return
            case .square(let winograd):
                winograd.forward(x.pointer, channelStride: x.rowLength, imageStride: x.plane, images: x.batch,
                                 height: x.height, width: x.width, dst, outChannelStride: ld, outImageStride: ohw)
                return
            case .sgemm:
                break
            }
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
