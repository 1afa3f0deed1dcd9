extension Tensor {
    /// Sum over `axes` (all axes when nil); reduced axes stay as 1s when `keepDims`.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes)
        let keptShape = shape.enumerated().map { ax.contains($0.offset) ? 1 : $0.element }
        let out = Tensor(zeros: keptShape)
        Tensor.reduceSum(from: self, into: out)
        let result = keepDims ? out : out.reshaped(Tensor.squeeze(keptShape, ax))
        let inShape = shape
        return Tensor.record(result, inputs: [self]) { g in
            [Tensor.binary(Tensor(zeros: inShape), g.reshaped(keptShape), .add)]
        }
    }

    /// Mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes)
        let n = ax.reduce(1) { $0 * shape[$1] }
        return sum(axes: ax, keepDims: keepDims).scaled(1 / Float(n))
    }

    /// Largest element along `axis`; the gradient goes to the first largest element, as PyTorch's `max(dim)`.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { extreme(axis: axis, keepDims: keepDims, largest: true) }

    /// Smallest element along `axis`; the gradient goes to the first smallest element.
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { extreme(axis: axis, keepDims: keepDims, largest: false) }

    private func extreme(axis: Int, keepDims: Bool, largest: Bool) -> Tensor {
        let a = normalizedAxes([axis])[0]
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        precondition(n > 0, "extreme over an empty axis of \(shape)")
        var keptShape = shape
        keptShape[a] = 1
        let out = Tensor(shape: keptShape, storage: Storage(uninitializedCount: outer * inner))
        var chosen = [Int32](repeating: 0, count: outer * inner)
        let p = pointer, o = out.pointer
        for i in 0..<outer {
            for j in 0..<inner {
                let base = p + i * n * inner + j
                var best = base[0], at = 0
                for q in 1..<n {
                    let v = base[q * inner]
                    if largest ? v > best : v < best { best = v; at = q }
                }
                o[i * inner + j] = best
                chosen[i * inner + j] = Int32(at)
            }
        }
        let result = keepDims ? out : out.reshaped(Tensor.squeeze(keptShape, [a]))
        let inShape = shape
        return Tensor.record(result, inputs: [self]) { g in
            let gx = Tensor(zeros: inShape)
            let gp = g.pointer, xp = gx.pointer
            for i in 0..<outer {
                for j in 0..<inner { xp[(i * n + Int(chosen[i * inner + j])) * inner + j] += gp[i * inner + j] }
            }
            return [gx]
        }
    }

    private func normalizedAxes(_ axes: [Int]?) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        return axes.map { a in
            let x = a < 0 ? a + rank : a
            precondition(x >= 0 && x < rank, "axis \(a) out of range for shape \(shape)")
            return x
        }
    }

    private static func squeeze(_ shape: [Int], _ axes: [Int]) -> [Int] {
        let s = shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return s.isEmpty ? [1] : s
    }

    /// Adds every element of `src` into the element of `dst` it broadcasts from (dst keeps 1s on reduced axes).
    static func reduceSum(from src: Tensor, into dst: Tensor) {
        let r = src.rank
        guard src.count > 0 else { return }
        let sd = dst.broadcastStrides(to: src.shape)
        let inner = src.shape[r - 1], innerStride = sd[r - 1]
        let rows = src.count / inner
        var idx = [Int](repeating: 0, count: r)
        var off = 0
        let s = src.pointer, d = dst.pointer
        for row in 0..<rows {
            let sp = s + row * inner, dp = d + off
            if innerStride == 0 {
                var acc: Float = 0
                for i in 0..<inner { acc += sp[i] }
                dp[0] += acc
            } else {
                for i in 0..<inner { dp[i] += sp[i] }
            }
            var k = r - 2
            while k >= 0 {
                idx[k] += 1; off += sd[k]
                if idx[k] < src.shape[k] { break }
                off -= sd[k] * idx[k]; idx[k] = 0
                k -= 1
            }
        }
    }
}
