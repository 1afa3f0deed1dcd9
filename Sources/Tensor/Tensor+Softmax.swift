extension Tensor {
    /// Softmax along `axis`, composed from primitives (the max is subtracted first, detached, for range).
    public func softmax(axis: Int = -1) -> Tensor {
        let e = (self - max(axis: axis, keepDims: true).detached()).exp()
        return e / e.sum(axes: [axis], keepDims: true)
    }

    /// log(softmax) along `axis`, computed without forming the softmax (stable for large logits).
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let shifted = self - max(axis: axis, keepDims: true).detached()
        return shifted - shifted.exp().sum(axes: [axis], keepDims: true).log()
    }
}
