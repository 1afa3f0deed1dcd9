extension Tensor {
    /// Square patches of [N, C, H, W] as [N, L, C·p·p]: L = positions row-major over (y, x) every
    /// `stride` pixels, each vector ordered (channel, row, column) — PyTorch's
    /// `unfold(2, p, s).unfold(3, p, s)` flattened the same way (the authors' patch layout).
    /// The gradient adds each patch's gradient back where the patch was cut (overlaps sum).
    public func patches(size p: Int, stride s: Int) -> Tensor {
        precondition(rank == 4, "patches needs [N, C, H, W], got \(shape)")
        precondition(p > 0 && s > 0, "patch size and stride must be positive")
        let n = shape[0], c = shape[1], h = shape[2], w = shape[3]
        precondition(h >= p && w >= p, "patch \(p) larger than image \(h)×\(w)")
        let ny = (h - p) / s + 1, nx = (w - p) / s + 1, l = ny * nx, d = c * p * p
        let out = Tensor(shape: [n, l, d], storage: Storage(uninitializedCount: n * l * d))
        let src = pointer, dst = out.pointer
        Parallel.forEachRange(n * l, work: d) { range in
            for job in range {
                let b = job / l, pos = job % l
                let y = (pos / nx) * s, x = (pos % nx) * s
                var o = dst + job * d
                for ch in 0..<c {
                    let plane = src + (b * c + ch) * h * w
                    for dy in 0..<p {
                        o.update(from: plane + (y + dy) * w + x, count: p)
                        o += p
                    }
                }
            }
        }
        let inShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            let gx = Tensor(zeros: inShape)
            let gp = g.pointer, gxp = gx.pointer
            // Overlapping patches of one image write the same pixels, so split the work by image and channel.
            Parallel.forEachRange(n * c, work: l * p * p) { range in
                for plane in range {
                    let b = plane / c, ch = plane % c
                    let target = gxp + plane * h * w
                    for pos in 0..<l {
                        let y = (pos / nx) * s, x = (pos % nx) * s
                        let from = gp + (b * l + pos) * d + ch * p * p
                        for dy in 0..<p {
                            let row = target + (y + dy) * w + x
                            for dx in 0..<p { row[dx] += from[dy * p + dx] }
                        }
                    }
                }
            }
            return [gx]
        }
    }
}
