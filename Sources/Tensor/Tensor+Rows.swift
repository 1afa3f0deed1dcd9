extension Tensor {
    /// Rows `indices` of a matrix [R, C], in that order, as a new [indices.count, C] matrix; the
    /// gradient of each row is added back into the row it came from (indices may repeat).
    public func rows(_ indices: [Int]) -> Tensor {
        precondition(rank == 2, "rows(_:) of a matrix, got \(shape)")
        let r = shape[0], c = shape[1]
        precondition(indices.allSatisfy { $0 >= 0 && $0 < r }, "row index outside 0..<\(r)")
        let out = Tensor(shape: [indices.count, c], storage: Storage(uninitializedCount: indices.count * c))
        for (i, row) in indices.enumerated() { (out.pointer + i * c).update(from: pointer + row * c, count: c) }
        let inShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            let gx = Tensor(zeros: inShape)
            for (i, row) in indices.enumerated() {
                let dst = gx.pointer + row * c, src = g.pointer + i * c
                for j in 0..<c { dst[j] += src[j] }
            }
            return [gx]
        }
    }
}
