#ifndef PLEINAIR_CONTEXTUAL_ROWS_H
#define PLEINAIR_CONTEXTUAL_ROWS_H

#include <stddef.h>
#include <stdint.h>

/// The contextual loss's per-row work (Sources/Retrieval/ContextualLoss.swift), on `rows` rows of
/// cosines c (row i at cosines + i·u). Distances are d_j = 1 − c_j and each row's arguments
/// a_j = (1 − d_j / r) / h. Every value has the bits of the plain serial loops: the same IEEE operations
/// in the same order, each row's sums added in order j = 0, 1, … . With `vectorised` (only where
/// `pleinair_expf_supported`), sixteen values at a time with AVX-512 and eight rows' sums interleaved;
/// otherwise scalar C with `expf`.

/// Per row: best = the first index of the smallest distance (the loop `best = 0; for j in 1..<u where
/// d[j] < d[best] { best = j }`), r = d_best + epsilon, sums = Σ_j expf(a_j), q = expf(a_best) / sums.
void pleinair_contextual_forward(const float *cosines, size_t rows, size_t u, float h, float epsilon, int vectorised,
                                 int64_t *best, float *r, float *q, float *sums);

/// Per row, the cosines turned in place into the gradient g_C: with e_j = expf(a_j) and
/// g_j = scale · ((j = best ? 1 : 0) − e_j / sum), g_C_j = g_j / (h·r), and the row's best entry less
/// Σ_j g_j·d_j / (h·r·r) (r also depends on d_best).
void pleinair_contextual_backward(float *cosines, size_t rows, size_t u, float h, const int64_t *best, const float *r,
                                  const float *sums, const float *scales, int vectorised);

#endif
