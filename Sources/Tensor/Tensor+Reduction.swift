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
