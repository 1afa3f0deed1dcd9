/// How `padded` fills the border.
public enum PaddingMode: Sendable {
    /// Zeros.
    case zero
    /// Mirror without repeating the edge pixel (PyTorch's `ReflectionPad2d`).
    case reflect
}

extension Tensor {
    /// Pads the last two axes of [N, C, H, W] by `left`, `right`, `top`, `bottom`.
    public func padded(left: Int, right: Int, top: Int, bottom: Int, mode: PaddingMode = .zero) -> Tensor {
        precondition(rank == 4, "padded needs [N, C, H, W], got \(shape)")
        let h = shape[2], w = shape[3]
        if mode == .reflect {
            precondition(left < w && right < w && top < h && bottom < h, "reflection pad wider than input \(shape)")
        }
        let oh = h + top + bottom, ow = w + left + right, planes = shape[0] * shape[1]
        // Source index for each output row and column (-1: zero fill); the same map serves both passes.
        func source(_ i: Int, _ before: Int, _ n: Int) -> Int {
            let s = i - before
            if s >= 0 && s < n { return s }
            if mode == .zero { return -1 }
            return s < 0 ? -s : 2 * (n - 1) - s
        }
        let rows = (0..<oh).map { source($0, top, h) }
        let cols = (0..<ow).map { source($0, left, w) }
        // A reflection writes every element; only zero padding needs a zeroed output.
        let out = mode == .reflect ? Tensor(shape: [shape[0], shape[1], oh, ow], storage: Storage(uninitializedCount: planes * oh * ow))
            : Tensor(zeros: [shape[0], shape[1], oh, ow])
        let p = pointer, o = out.pointer
        Parallel.forEachRange(planes, work: oh * ow) { range in
            for pl in range {
                let src = p + pl * h * w, dst = o + pl * oh * ow
                for y in 0..<oh where rows[y] >= 0 {
                    let sr = src + rows[y] * w, dr = dst + y * ow
                    (dr + left).update(from: sr, count: w)
                    for x in 0..<left where cols[x] >= 0 { dr[x] = sr[cols[x]] }
                    for x in (left + w)..<ow where cols[x] >= 0 { dr[x] = sr[cols[x]] }
                }
            }
        }
        let inShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            let gx = Tensor(zeros: inShape)
            let gp = g.pointer, xp = gx.pointer
            Parallel.forEachRange(planes, work: oh * ow) { range in
                for pl in range {
                    let src = gp + pl * oh * ow, dst = xp + pl * h * w
                    for y in 0..<oh where rows[y] >= 0 {
                        let sr = src + y * ow, dr = dst + rows[y] * w
                        // In x order, as one loop over the row would: the left border, the interior as
                        // one contiguous add, the right border.
                        for x in 0..<left where cols[x] >= 0 { dr[cols[x]] += sr[x] }
                        let inner = sr + left
                        for x in 0..<w { dr[x] += inner[x] }
                        for x in (left + w)..<ow where cols[x] >= 0 { dr[cols[x]] += sr[x] }
                    }
                }
            }
            return [gx]
        }
    }

    /// Pads the last two axes by `amount` on every side.
    public func padded(_ amount: Int, mode: PaddingMode = .zero) -> Tensor {
        padded(left: amount, right: amount, top: amount, bottom: amount, mode: mode)
    }
}
