/// The four broadcasting binary operations.
enum BinaryOp { case add, sub, mul, div }

extension Tensor {
    /// NumPy broadcasting of two shapes; nil when they are incompatible.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let x = i < r - a.count ? 1 : a[i - (r - a.count)]
            let y = i < r - b.count ? 1 : b[i - (r - b.count)]
            guard x == y || x == 1 || y == 1 else { return nil }
            out[i] = x == 1 ? y : x
        }
        return out
    }

    /// Strides that read this tensor as if broadcast to `target` (0 along stretched axes).
    func broadcastStrides(to target: [Int]) -> [Int] {
        let own = strides
        let lead = target.count - rank
        return (0..<target.count).map { i in
            i < lead || shape[i - lead] == 1 ? 0 : own[i - lead]
        }
    }

    /// Elementwise `op` with broadcasting; rows of the innermost axis run as tight loops.
    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp) -> Tensor {
        guard let outShape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("cannot broadcast \(a.shape) with \(b.shape)")
        }
        let out = Tensor(shape: outShape, storage: Storage(uninitializedCount: outShape.reduce(1, *)))
        let o = out.pointer
        if a.shape == b.shape || a.count == 1 || b.count == 1 {
            let sa = a.count == 1 && b.count != 1 ? 0 : 1, sb = b.count == 1 && a.count != 1 ? 0 : 1
            let ap = a.pointer, bp = b.pointer
            Parallel.forEachRange(out.count) { r in
                runRow(op, ap + r.lowerBound * sa, sa, bp + r.lowerBound * sb, sb, o + r.lowerBound, r.count)
            }
        } else if out.count > 0 {
            let sa = a.broadcastStrides(to: outShape), sb = b.broadcastStrides(to: outShape)
            let r = outShape.count
            let inner = outShape[r - 1]
            let rows = out.count / inner
            var idx = [Int](repeating: 0, count: r)
            var offA = 0, offB = 0
            for row in 0..<rows {
                runRow(op, a.pointer + offA, sa[r - 1], b.pointer + offB, sb[r - 1], o + row * inner, inner)
                var d = r - 2
                while d >= 0 {
                    idx[d] += 1; offA += sa[d]; offB += sb[d]
                    if idx[d] < outShape[d] { break }
                    offA -= sa[d] * idx[d]; offB -= sb[d] * idx[d]; idx[d] = 0
                    d -= 1
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func runRow(_ op: BinaryOp, _ a: UnsafeMutablePointer<Float>, _ sa: Int,
                               _ b: UnsafeMutablePointer<Float>, _ sb: Int, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        switch op {
        case .add: for i in 0..<n { o[i] = a[i * sa] + b[i * sb] }
        case .sub: for i in 0..<n { o[i] = a[i * sa] - b[i * sb] }
        case .mul: for i in 0..<n { o[i] = a[i * sa] * b[i * sb] }
        case .div: for i in 0..<n { o[i] = a[i * sa] / b[i * sb] }
        }
    }

    /// Sums a broadcast gradient back down to `shape` (the rule every broadcasting op shares).
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes: [Int] = Array(0..<lead)
        for i in 0..<target.count where target[i] == 1 && shape[i + lead] != 1 { axes.append(i + lead) }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        record(binary(a, b, .add), inputs: [a, b]) { g in [g.sumToShape(a.shape), g.sumToShape(b.shape)] }
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        record(binary(a, b, .sub), inputs: [a, b]) { g in [g.sumToShape(a.shape), (-g).sumToShape(b.shape)] }
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        record(binary(a, b, .mul), inputs: [a, b]) { g in
            [a.requiresGrad ? binary(g, b, .mul).sumToShape(a.shape) : nil,
             b.requiresGrad ? binary(g, a, .mul).sumToShape(b.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        record(binary(a, b, .div), inputs: [a, b]) { g in
            let ga = binary(g, b, .div)
            return [a.requiresGrad ? ga.sumToShape(a.shape) : nil,
                    b.requiresGrad ? (-binary(binary(ga, a, .mul), b, .div)).sumToShape(b.shape) : nil]
        }
    }

    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor { a.scaled(-1) }

    /// Adds a constant.
    public static func + (a: Tensor, c: Float) -> Tensor {
        record(a.map { $0 + c }, inputs: [a]) { g in [g] }
    }

    /// Subtracts a constant.
    public static func - (a: Tensor, c: Float) -> Tensor { a + (-c) }

    /// Multiplies by a constant.
    public static func * (a: Tensor, c: Float) -> Tensor { a.scaled(c) }

    /// Multiplies by a constant.
    public static func * (c: Float, a: Tensor) -> Tensor { a.scaled(c) }

    /// Divides by a constant.
    public static func / (a: Tensor, c: Float) -> Tensor { a.scaled(1 / c) }

    /// Multiplies every element by `c`.
    public func scaled(_ c: Float) -> Tensor {
        Tensor.record(map { $0 * c }, inputs: [self]) { g in [g.map { $0 * c }] }
    }
}
