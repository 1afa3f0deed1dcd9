import COpenBLAS

extension Tensor {
    /// Matrix product of [m, k] and [k, n] through `cblas_sgemm`.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul \(shape) × \(other.shape)")
        let m = shape[0], k = shape[1], n = other.shape[1]
        let out = Tensor(shape: [m, n], storage: Storage(uninitializedCount: m * n))
        Tensor.gemm(false, false, m, n, k, 1, pointer, other.pointer, 0, out.pointer)
        let a = self, b = other
        return Tensor.record(out, inputs: [a, b]) { g in
            var ga: Tensor?, gb: Tensor?
            if a.requiresGrad {
                ga = Tensor(shape: [m, k], storage: Storage(uninitializedCount: m * k))
                Tensor.gemm(false, true, m, k, n, 1, g.pointer, b.pointer, 0, ga!.pointer)
            }
            if b.requiresGrad {
                gb = Tensor(shape: [k, n], storage: Storage(uninitializedCount: k * n))
                Tensor.gemm(true, false, k, n, m, 1, a.pointer, g.pointer, 0, gb!.pointer)
            }
            return [ga, gb]
        }
    }

    /// Row-major C = alpha·op(A)·op(B) + beta·C with packed leading dimensions.
    @inline(__always)
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                     _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ beta: Float,
                     _ c: UnsafeMutablePointer<Float>) {
        gemm(transA, transB, m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n)
    }

    /// Row-major C = alpha·op(A)·op(B) + beta·C on sub-blocks (explicit leading dimensions).
    @inline(__always)
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                     _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
                     _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
