extension Tensor {
    /// Max pooling of [N, C, H, W] (padding counts as −∞, as PyTorch's `max_pool2d`).
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        precondition(rank == 4, "maxPool2d needs [N, C, H, W], got \(shape)")
        let s = stride ?? kernel, h = shape[2], w = shape[3], planes = shape[0] * shape[1]
        let oh = (h + 2 * padding - kernel) / s + 1, ow = (w + 2 * padding - kernel) / s + 1
        let out = Tensor(shape: [shape[0], shape[1], oh, ow], storage: Storage(uninitializedCount: planes * oh * ow))
        var argmax = [Int32](repeating: 0, count: planes * oh * ow)
        let p = pointer, o = out.pointer
        for pl in 0..<planes {
            let src = p + pl * h * w
            for y in 0..<oh { for x in 0..<ow {
                var best = -Float.infinity, at = -1
                for ky in 0..<kernel {
                    let iy = y * s - padding + ky
                    if iy < 0 || iy >= h { continue }
                    for kx in 0..<kernel {
                        let ix = x * s - padding + kx
                        if ix < 0 || ix >= w { continue }
                        let v = src[iy * w + ix]
                        if v > best || at < 0 || v.isNaN { best = v; at = iy * w + ix }
                    }
                }
                let oi = (pl * oh + y) * ow + x
                o[oi] = best; argmax[oi] = Int32(at)
            } }
        }
        let inShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            let gx = Tensor(zeros: inShape)
            let gp = g.pointer, xp = gx.pointer
            for pl in 0..<planes { for q in 0..<(oh * ow) {
                let oi = pl * oh * ow + q
                xp[pl * h * w + Int(argmax[oi])] += gp[oi]
            } }
            return [gx]
        }
    }

    /// Average pooling of [N, C, H, W]; `countIncludePad` divides by the full window as PyTorch's default.
    public func avgPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) -> Tensor {
        precondition(rank == 4, "avgPool2d needs [N, C, H, W], got \(shape)")
        let s = stride ?? kernel, h = shape[2], w = shape[3]
        let oh = (h + 2 * padding - kernel) / s + 1, ow = (w + 2 * padding - kernel) / s + 1
        let windows = (0..<oh).flatMap { y in (0..<ow).map { x -> (Int, Int, Int, Int, Float) in
            let y0 = y * s - padding, x0 = x * s - padding
            let y1 = Swift.min(y0 + kernel, h + padding), x1 = Swift.min(x0 + kernel, w + padding)
            let full = (y1 - y0) * (x1 - x0)
            let cy0 = Swift.max(y0, 0), cx0 = Swift.max(x0, 0), cy1 = Swift.min(y1, h), cx1 = Swift.min(x1, w)
            let divisor = countIncludePad ? full : (cy1 - cy0) * (cx1 - cx0)
            return (cy0, cy1, cx0, cx1, 1 / Float(divisor))
        } }
        return windowAverage(windows, outHeight: oh, outWidth: ow)
    }

    /// Adaptive average pooling of [N, C, H, W] to `outHeight`×`outWidth` (PyTorch's bin edges).
    public func adaptiveAvgPool2d(outHeight: Int, outWidth: Int) -> Tensor {
        precondition(rank == 4, "adaptiveAvgPool2d needs [N, C, H, W], got \(shape)")
        let h = shape[2], w = shape[3]
        let windows = (0..<outHeight).flatMap { y in (0..<outWidth).map { x -> (Int, Int, Int, Int, Float) in
            let y0 = (y * h) / outHeight, y1 = ((y + 1) * h + outHeight - 1) / outHeight
            let x0 = (x * w) / outWidth, x1 = ((x + 1) * w + outWidth - 1) / outWidth
            return (y0, y1, x0, x1, 1 / Float((y1 - y0) * (x1 - x0)))
        } }
        return windowAverage(windows, outHeight: outHeight, outWidth: outWidth)
    }

    /// Weighted sum over rectangular windows [y0, y1)×[x0, x1) of each plane, with its adjoint.
    private func windowAverage(_ windows: [(Int, Int, Int, Int, Float)], outHeight oh: Int, outWidth ow: Int) -> Tensor {
        let h = shape[2], w = shape[3], planes = shape[0] * shape[1]
        let out = Tensor(shape: [shape[0], shape[1], oh, ow], storage: Storage(uninitializedCount: planes * oh * ow))
        let p = pointer, o = out.pointer
        for pl in 0..<planes {
            let src = p + pl * h * w
            for (q, win) in windows.enumerated() {
                var acc: Float = 0
                for y in win.0..<win.1 { for x in win.2..<win.3 { acc += src[y * w + x] } }
                o[pl * oh * ow + q] = acc * win.4
            }
        }
        let inShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            let gx = Tensor(zeros: inShape)
            let gp = g.pointer, xp = gx.pointer
            for pl in 0..<planes {
                let dst = xp + pl * h * w
                for (q, win) in windows.enumerated() {
                    let v = gp[pl * oh * ow + q] * win.4
                    for y in win.0..<win.1 { for x in win.2..<win.3 { dst[y * w + x] += v } }
                }
            }
            return [gx]
        }
    }
}
