#ifndef PLEINAIR_SCAN_KERNELS_H
#define PLEINAIR_SCAN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Kernels of the exact scan's bf16 pre-screen (Sources/Retrieval/ExactScan+Prescreen.swift).

/// Whether this CPU and OS run AVX-512 with the BF16 dot product (VDPBF16PS) and FMA.
int pleinair_bf16_supported(void);

/// Rounds `rows` row-major float vectors of `dimension` values to bf16 (to nearest, ties to even)
/// and packs them for `pleinair_bf16_screen`: blocks of 16 rows, each block as `pairs` groups of 16
/// 32-bit words, word r of group p holding row r's values 2p (low half) and 2p + 1 (high half).
/// `pairs` = (dimension + 1) / 2; rows past `rows` up to `padded_rows` (a multiple of 32) and the
/// odd dimension's last high half are zero. `out` holds padded_rows · pairs words.
void pleinair_bf16_pack_rows(const float *x, size_t rows, size_t dimension, size_t padded_rows, uint32_t *out);

/// Rounds `count` row-major float vectors to bf16 as pairs, one row of `pairs` words per vector;
/// rows from `count` up to `padded_count` (a multiple of 8) are zero.
void pleinair_bf16_pack_queries(const float *x, size_t count, size_t dimension, size_t padded_count, uint32_t *out);

/// Approximate dot products of packed queries [q0, q0 + 8·groups) with packed rows
/// [r0, r0 + 32·blocks) (r0 a multiple of 32), products of bf16 values summed in float32, written to
/// out[(i − q0) · ld + (r − r0)], and the pre-screen's verdicts: bit r % 32 of
/// masks[(i − q0) · mask_ld + (r − r0) / 32] is set when the lower end of the pair's distance,
/// (query_terms[i] + row_terms[r]) − (2·dot + query_products[i] · row_roots[r]), is at most limits[i].
/// Requires `pleinair_bf16_supported()`.
void pleinair_bf16_screen(const uint32_t *queries, size_t q0, size_t groups, const uint32_t *rows, size_t r0, size_t blocks,
                          size_t pairs, const float *query_terms, const float *query_products, const float *limits,
                          const float *row_terms, const float *row_roots, float *out, size_t ld, uint32_t *masks, size_t mask_ld);

/// The dot product of x and y (n values) as OpenBLAS's blocked sgemm kernel computes one element:
/// a fused multiply-add chain over each block of the shared dimension, the blocks' sums added in
/// order. Blocks: while at least 2·q values remain, q; else, if more than q remain, half the rest
/// rounded up to a multiple of `unroll`; else the rest. q ≥ n: one chain.
float pleinair_blocked_dot(const float *x, const float *y, size_t n, size_t q, size_t unroll);

#endif
