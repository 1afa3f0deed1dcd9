#include <cblas.h>

/* OpenBLAS ships LAPACK inside libopenblas but Debian installs no lapacke.h
   beside cblas.h; declare the Fortran routines we call (column-major, all
   arguments by pointer). */
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork, int *info);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info);
void dgesv_(const int *n, const int *nrhs, double *a, const int *lda, int *ipiv,
            double *b, const int *ldb, int *info);
/* FID (issue 7): pivoted Cholesky for rank-deficient covariances, and the two-stage
   tridiagonalisation, much faster than dsyevd when only eigenvalues are wanted. */
void dpstrf_(const char *uplo, const int *n, double *a, const int *lda, int *piv, int *rank,
             const double *tol, double *work, int *info);
void dsyevd_2stage_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
                    double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info);
void dsygst_(const int *itype, const char *uplo, const int *n, double *a, const int *lda,
             const double *b, const int *ldb, int *info);
/* Stops the worker threads OpenBLAS starts when it loads (they spin on a core for about a tenth of
   a second before they sleep); the next threaded BLAS call starts them again (OpenBLAS 0.3.21's
   exec_blas_async). Exported by libopenblas, not declared in cblas.h. */
int blas_thread_shutdown_(void);
