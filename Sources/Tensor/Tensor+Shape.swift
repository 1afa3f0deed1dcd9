extension Tensor {
    /// The same elements under another shape, sharing storage; one extent may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            s[i] = known == 0 ? 0 : count / known
        }
        precondition(s.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        if s == shape && node == nil && !requiresGrad { return self }
        let view = Tensor(shape: s, storage: storage, offset: offset)
        let inShape = shape
        return Tensor.record(view, inputs: [self]) { g in [g.reshaped(inShape)] }
    }

    /// Elements `range` along `axis` (a copy for inner axes, a shared view along axis 0).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        precondition(axis >= 0 && axis < rank, "axis \(axis) for shape \(shape)")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) of extent \(shape[axis])")
        var outShape = shape
        outShape[axis] = range.count
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let out: Tensor
        if outer == 1 {
            out = Tensor(shape: outShape, storage: storage, offset: offset + range.lowerBound * inner)
        } else {
            out = Tensor(shape: outShape, storage: Storage(uninitializedCount: outShape.reduce(1, *)))
            for o in 0..<outer {
                (out.pointer + o * range.count * inner)
                    .update(from: pointer + (o * shape[axis] + range.lowerBound) * inner, count: range.count * inner)
            }
        }
        let inShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            let gx = Tensor(zeros: inShape)
            for o in 0..<outer {
                (gx.pointer + (o * inShape[axis] + range.lowerBound) * inner)
                    .update(from: g.pointer + o * range.count * inner, count: range.count * inner)
            }
            return [gx]
        }
    }

    /// Joins tensors along `axis`; all other extents must agree.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat of nothing")
        let first = parts[0].shape
        for p in parts {
            precondition(p.rank == first.count && (0..<first.count).allSatisfy { $0 == axis || p.shape[$0] == first[$0] },
                         "concat \(p.shape) with \(first) along \(axis)")
        }
        var outShape = first
        outShape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let outer = first[..<axis].reduce(1, *)
        let inner = first[(axis + 1)...].reduce(1, *)
        let out = Tensor(shape: outShape, storage: Storage(uninitializedCount: outShape.reduce(1, *)))
        var start = 0
        var starts: [Int] = []
        for p in parts {
            starts.append(start)
            let n = p.shape[axis] * inner
            for o in 0..<outer {
                (out.pointer + o * outShape[axis] * inner + start * inner).update(from: p.pointer + o * n, count: n)
            }
            start += p.shape[axis]
        }
        return record(out, inputs: parts) { g in
            zip(parts, starts).map { p, s in g.slice(axis: axis, s..<(s + p.shape[axis])) }
        }
    }

    /// Transpose of a matrix (copied, so the result stays contiguous).
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed needs a matrix, got \(shape)")
        let m = shape[0], n = shape[1]
        let out = Tensor(shape: [n, m], storage: Storage(uninitializedCount: count))
        let p = pointer, o = out.pointer
        for i in 0..<m { for j in 0..<n { o[j * m + i] = p[i * n + j] } }
        return Tensor.record(out, inputs: [self]) { g in [g.transposed()] }
    }
}
