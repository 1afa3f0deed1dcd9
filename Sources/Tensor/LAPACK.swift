import COpenBLAS

/// A LAPACK routine that reported failure, with its name and `info` code.
public struct LAPACKError: Error, CustomStringConvertible {
    /// The routine that failed (e.g. "dsyevd").
    public let routine: String
    /// LAPACK's `info`: negative for a bad argument, positive for a numerical failure.
    public let info: Int
    public var description: String {
        info < 0 ? "\(routine): argument \(-info) is invalid"
                 : "\(routine): failed to converge (info \(info))"
    }
}

/// Float64 dense linear algebra over OpenBLAS's BLAS and LAPACK, on row-major [Double] buffers.
///
/// The numeric targets above Tensor never call OpenBLAS themselves; this is their door to it.
public enum LinearAlgebra {
    /// Eigenvalues (ascending) of the symmetric n×n matrix `a` (only its upper triangle in
    /// row-major terms is read), and with `vectors` the eigenvectors as the rows of an n×n buffer.
    public static func symmetricEigen(_ a: [Double], n: Int, vectors: Bool) throws -> (values: [Double], vectors: [Double]?) {
        precondition(a.count == n * n, "symmetricEigen: \(a.count) values for \(n)×\(n)")
        if n == 0 { return ([], vectors ? [] : nil) }
        var m = a
        var w = [Double](repeating: 0, count: n)
        var jobz: CChar = vectors ? 86 : 78  // "V" / "N"
        var uplo: CChar = 76  // "L" in column-major is the upper triangle of the row-major buffer
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workQuery = 0.0, iworkQuery: Int32 = 0
        dsyevd_(&jobz, &uplo, &nn, &m, &lda, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "dsyevd", info: Int(info)) }
        lwork = Int32(workQuery.rounded(.up)); liwork = max(iworkQuery, 1)
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &nn, &m, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "dsyevd", info: Int(info)) }
        // Column-major eigenvectors read row-major: row j is eigenvector j.
        return (w, vectors ? m : nil)
    }

    /// Eigenvalues (ascending) of the symmetric n×n matrix `a`, through LAPACK's two-stage
    /// tridiagonal reduction (blocked, so several times faster than `symmetricEigen` at n ~ 2000).
    public static func symmetricEigenvalues(_ a: [Double], n: Int) throws -> [Double] {
        precondition(a.count == n * n, "symmetricEigenvalues: \(a.count) values for \(n)×\(n)")
        if n == 0 { return [] }
        var m = a
        var w = [Double](repeating: 0, count: n)
        var jobz: CChar = 78, uplo: CChar = 76  // "N", "L"
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workQuery = 0.0, iworkQuery: Int32 = 0
        dsyevd_2stage_(&jobz, &uplo, &nn, &m, &lda, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "dsyevd_2stage", info: Int(info)) }
        lwork = Int32(workQuery.rounded(.up)); liwork = max(iworkQuery, 1)
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_2stage_(&jobz, &uplo, &nn, &m, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { throw LAPACKError(routine: "dsyevd_2stage", info: Int(info)) }
        return w
    }

    /// Pivoted Cholesky of a symmetric positive semi-definite n×n matrix: PᵀAP = UᵀU with U upper
    /// triangular, rank-revealing. Returns U (row-major n×n, rows past `rank` and the strict lower
    /// triangle zeroed), the permutation as 0-based indices (column k of AP is column piv[k] of A)
    /// and the numerical rank (LAPACK's default tolerance n·ε·max diag).
    public static func pivotedCholesky(_ a: [Double], n: Int) throws -> (u: [Double], piv: [Int], rank: Int) {
        precondition(a.count == n * n, "pivotedCholesky: \(a.count) values for \(n)×\(n)")
        if n == 0 { return ([], [], 0) }
        var m = a
        var piv = [Int32](repeating: 0, count: n)
        var work = [Double](repeating: 0, count: 2 * n)
        // Column-major lower (L, PᵀAP = LLᵀ) is the row-major upper triangle holding U = Lᵀ.
        var uplo: CChar = 76
        var nn = Int32(n), lda = Int32(n), rank: Int32 = 0, info: Int32 = 0
        var tol = -1.0
        dpstrf_(&uplo, &nn, &m, &lda, &piv, &rank, &tol, &work, &info)
        guard info >= 0 else { throw LAPACKError(routine: "dpstrf", info: Int(info)) }  // info 1: rank-deficient, fine
        let r = Int(rank)
        for i in 0..<n { for j in 0..<n where j < i || i >= r { m[i * n + j] = 0 } }
        return (m, piv.map { Int($0) - 1 }, r)
    }

    /// U·A·Uᵀ in place for a symmetric n×n `a` and the upper-triangular `u` of a Cholesky factor
    /// (as `pivotedCholesky` returns at full rank), exploiting symmetry (LAPACK dsygst, itype 2):
    /// half the work of two triangular products. Only the upper triangle of the result is set.
    public static func congruenceByUpperFactor(_ a: inout [Double], _ u: [Double], n: Int) throws {
        precondition(a.count == n * n && u.count == n * n, "congruenceByUpperFactor: sizes for \(n)×\(n)")
        if n == 0 { return }
        // Row-major upper U is column-major lower L = Uᵀ; itype 2 with "L" computes Lᵀ·A·L = U·A·Uᵀ
        // into the column-major lower (row-major upper) triangle.
        var itype: Int32 = 2, uplo: CChar = 76
        var nn = Int32(n), lda = Int32(n), ldb = Int32(n), info: Int32 = 0
        dsygst_(&itype, &uplo, &nn, &a, &lda, u, &ldb, &info)
        guard info == 0 else { throw LAPACKError(routine: "dsygst", info: Int(info)) }
    }

    /// Row-major C = alpha·op(A)·op(B) + beta·C for m×k, k×n operands (after transposition).
    public static func dgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Double = 1,
                             _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, beta: Double = 0,
                             _ c: UnsafeMutablePointer<Double>) {
        guard m > 0, n > 0 else { return }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(transA ? m : k), b, Int32(transB ? k : n),
                    beta, c, Int32(n))
    }

    /// C += alpha·AᵀA for a row-major rows×n matrix A, into the upper triangle of the row-major n×n C
    /// (the lower triangle is left untouched): the scatter matrix of the rows of A.
    public static func dsyrkTransposed(rows: Int, n: Int, alpha: Double = 1, _ a: UnsafePointer<Double>,
                                       beta: Double = 1, _ c: UnsafeMutablePointer<Double>) {
        guard rows > 0, n > 0 else { return }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(rows), alpha, a, Int32(n), beta, c, Int32(n))
    }

    /// Row-major single-precision C = alpha·op(A)·op(B) + beta·C with explicit leading dimensions,
    /// for callers that write into sub-blocks of larger buffers (batched inference layouts).
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                             _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                             _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
