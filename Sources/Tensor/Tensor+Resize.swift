extension Tensor {
    /// Bilinear resize of [N, C, H, W] matching PyTorch `interpolate(mode="bilinear", align_corners=False)`.
    public func resizedBilinear(height oh: Int, width ow: Int) -> Tensor {
        precondition(rank == 4 && oh > 0 && ow > 0, "resizedBilinear needs [N, C, H, W], got \(shape)")
        let h = shape[2], w = shape[3], planes = shape[0] * shape[1]
        // Source taps per output coordinate: half-pixel centres, negative clamped to 0 as PyTorch does.
        func taps(_ outN: Int, _ inN: Int) -> [(Int, Int, Float)] {
            let scale = Float(inN) / Float(outN)
            return (0..<outN).map { i in
                let src = Swift.max((Float(i) + 0.5) * scale - 0.5, 0)
                let i0 = Swift.min(Int(src), inN - 1)
                let i1 = Swift.min(i0 + 1, inN - 1)
                return (i0, i1, src - Float(i0))
            }
        }
        let ty = taps(oh, h), tx = taps(ow, w)
        let out = Tensor(shape: [shape[0], shape[1], oh, ow], storage: Storage(uninitializedCount: planes * oh * ow))
        let p = pointer, o = out.pointer
        for pl in 0..<planes {
            let src = p + pl * h * w, dst = o + pl * oh * ow
            for y in 0..<oh {
                let (y0, y1, ly) = ty[y]
                let r0 = src + y0 * w, r1 = src + y1 * w
                for x in 0..<ow {
                    let (x0, x1, lx) = tx[x]
                    let top = (1 - lx) * r0[x0] + lx * r0[x1]
                    let bottom = (1 - lx) * r1[x0] + lx * r1[x1]
                    dst[y * ow + x] = (1 - ly) * top + ly * bottom
                }
            }
        }
        let inShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            let gx = Tensor(zeros: inShape)
            let gp = g.pointer, xp = gx.pointer
            for pl in 0..<planes {
                let src = gp + pl * oh * ow, dst = xp + pl * h * w
                for y in 0..<oh {
                    let (y0, y1, ly) = ty[y]
                    for x in 0..<ow {
                        let (x0, x1, lx) = tx[x]
                        let v = src[y * ow + x]
                        dst[y0 * w + x0] += (1 - ly) * (1 - lx) * v
                        dst[y0 * w + x1] += (1 - ly) * lx * v
                        dst[y1 * w + x0] += ly * (1 - lx) * v
                        dst[y1 * w + x1] += ly * lx * v
                    }
                }
            }
            return [gx]
        }
    }
}
