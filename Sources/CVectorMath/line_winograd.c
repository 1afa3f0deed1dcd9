#include "line_winograd.h"

#include <immintrin.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

// Every output is its first nonzero term, then the other nonzero terms added in order, a product and an
// add each, never fused. Rows outside the plane are read as zeros. The generic functions take the matrices
// at run time; the shapes Inception uses (F(2, 7), F(4, 3) and F(2, 5)) also have kernels with the
// matrices compiled in, which keep a tile's α rows in registers. All give the same bits, on every CPU.

// Bᵀ and Aᵀ of F(2, 7), F(4, 3) and F(2, 5) from the points 0, ±1, ±2, ±½ and ∞, as Winograd1DConvolution
// builds them from rationals (every entry is exact in float); Bᵀ depends only on the points, so F(4, 3) and
// F(2, 5) share theirs. A kernel runs only when the caller's matrices equal these.
static const float b_f27[8][8] = {
    {-1, 0, 21.f / 4, 0, -21.f / 4, 0, 1, 0},
    {0, 1, 1, -17.f / 4, -17.f / 4, 1, 1, 0},
    {0, -1, 1, 17.f / 4, -17.f / 4, -1, 1, 0},
    {0, 0.5f, 0.25f, -2.5f, -1.25f, 2, 1, 0},
    {0, -0.5f, 0.25f, 2.5f, -1.25f, -2, 1, 0},
    {0, 2, 4, -2.5f, -5, 0.5f, 1, 0},
    {0, -2, 4, 2.5f, -5, -0.5f, 1, 0},
    {0, -1, 0, 21.f / 4, 0, -21.f / 4, 0, 1},
};
static const float a_f27[2][8] = {
    {1, 1, 1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0.5f, -0.5f, 1},
};
static const float b_6[6][6] = {
    {4, 0, -5, 0, 1, 0},
    {0, -4, -4, 1, 1, 0},
    {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0},
    {0, 2, -1, -2, 1, 0},
    {0, 4, 0, -5, 0, 1},
};
static const float a_f43[4][6] = {
    {1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0},
    {0, 1, 1, 4, 4, 0},
    {0, 1, -1, 8, -8, 1},
};
static const float a_f25[2][6] = {
    {1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 1},
};

// ---- generic: any α and m, the matrices read at run time -------------------------------------------

__attribute__((target_clones("avx512f", "default")))
void pleinair_line_input_generic(const float *plane, int rows, int columns, const float *b_transpose, int alpha,
                                 int outputs, int padding, int tiles, float *v, long stride) {
    for (int ty = 0; ty < tiles; ty++) {
        for (int xi = 0; xi < alpha; xi++) {
            float *restrict out = v + xi * stride + (long)ty * columns;
            int written = 0;
            for (int i = 0; i < alpha; i++) {
                const float c = b_transpose[xi * alpha + i];
                if (c == 0) continue;
                const int y = outputs * ty - padding + i;
                if (y < 0 || y >= rows) {  // a zero row: c · 0
                    const float z = c * 0.0f;
                    if (written) {
                        for (int x = 0; x < columns; x++) out[x] += z;
                    } else {
                        for (int x = 0; x < columns; x++) out[x] = z;
                        written = 1;
                    }
                    continue;
                }
                const float *restrict row = plane + (long)y * columns;
                if (written) {
                    for (int x = 0; x < columns; x++) out[x] += c * row[x];
                } else {
                    for (int x = 0; x < columns; x++) out[x] = c * row[x];
                    written = 1;
                }
            }
            if (!written) for (int x = 0; x < columns; x++) out[x] = 0;
        }
    }
}

__attribute__((target_clones("avx512f", "default")))
void pleinair_line_output_generic(const float *m, long stride, const float *a_transpose, int alpha, int outputs,
                                  int tiles, int rows, int columns, float *plane) {
    for (int ty = 0; ty < tiles; ty++) {
        for (int j = 0; j < outputs && outputs * ty + j < rows; j++) {
            float *restrict out = plane + (long)(outputs * ty + j) * columns;
            int written = 0;
            for (int xi = 0; xi < alpha; xi++) {
                const float a = a_transpose[j * alpha + xi];
                if (a == 0) continue;
                const float *restrict source = m + xi * stride + (long)ty * columns;
                if (written) {
                    for (int x = 0; x < columns; x++) out[x] += a * source[x];
                } else {
                    for (int x = 0; x < columns; x++) out[x] = a * source[x];
                    written = 1;
                }
            }
            if (!written) for (int x = 0; x < columns; x++) out[x] = 0;
        }
    }
}

// ---- F(2, 7), F(4, 3) and F(2, 5): the matrices compiled in -------------------------------------------
// The loops over ξ and i unroll fully, so the tests on the tables' entries fold away and only the nonzero
// terms remain, in order: the generic functions' sums.

#define INPUT_KERNEL(NAME, ALPHA, B)                                                                              \
    __attribute__((target("avx512f"))) static void NAME(const float *plane, int rows, int columns, int M,          \
                                                        int padding, int tiles, float *v, long stride,             \
                                                        const float *zeros) {                                      \
        for (int ty = 0; ty < tiles; ty++) {                                                                       \
            const float *p[ALPHA];                                                                                 \
            for (int i = 0; i < ALPHA; i++) {                                                                      \
                const int y = M * ty - padding + i;                                                                \
                p[i] = y < 0 || y >= rows ? zeros : plane + (long)y * columns;                                     \
            }                                                                                                      \
            for (int x0 = 0; x0 < columns; x0 += 16) {                                                             \
                const __mmask16 k = columns - x0 >= 16 ? 0xFFFF : (__mmask16)((1u << (columns - x0)) - 1);         \
                __m512 d[ALPHA];                                                                                   \
                _Pragma("clang loop unroll(full)") for (int i = 0; i < ALPHA; i++)                                 \
                    d[i] = _mm512_maskz_loadu_ps(k, p[i] + x0);                                                    \
                _Pragma("clang loop unroll(full)") for (int xi = 0; xi < ALPHA; xi++) {                            \
                    __m512 acc = _mm512_setzero_ps();                                                              \
                    int written = 0;                                                                               \
                    _Pragma("clang loop unroll(full)") for (int i = 0; i < ALPHA; i++) {                           \
                        if (B[xi][i] == 0) continue;                                                               \
                        const __m512 t = _mm512_mul_ps(_mm512_set1_ps(B[xi][i]), d[i]);                            \
                        acc = written ? _mm512_add_ps(acc, t) : t;                                                 \
                        written = 1;                                                                               \
                    }                                                                                              \
                    _mm512_mask_storeu_ps(v + xi * stride + (long)ty * columns + x0, k, acc);                      \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
    }

#define OUTPUT_KERNEL(NAME, ALPHA, M, A)                                                                          \
    __attribute__((target("avx512f"))) static void NAME(const float *m, long stride, int tiles, int rows,          \
                                                        int columns, float *plane) {                               \
        for (int ty = 0; ty < tiles; ty++) {                                                                       \
            for (int x0 = 0; x0 < columns; x0 += 16) {                                                             \
                const __mmask16 k = columns - x0 >= 16 ? 0xFFFF : (__mmask16)((1u << (columns - x0)) - 1);         \
                __m512 s[ALPHA];                                                                                   \
                _Pragma("clang loop unroll(full)") for (int xi = 0; xi < ALPHA; xi++)                              \
                    s[xi] = _mm512_maskz_loadu_ps(k, m + xi * stride + (long)ty * columns + x0);                   \
                _Pragma("clang loop unroll(full)") for (int j = 0; j < M; j++) {                                   \
                    if (M * ty + j >= rows) break;                                                                 \
                    __m512 acc = _mm512_setzero_ps();                                                              \
                    int written = 0;                                                                               \
                    _Pragma("clang loop unroll(full)") for (int xi = 0; xi < ALPHA; xi++) {                        \
                        if (A[j][xi] == 0) continue;                                                               \
                        const __m512 t = _mm512_mul_ps(_mm512_set1_ps(A[j][xi]), s[xi]);                           \
                        acc = written ? _mm512_add_ps(acc, t) : t;                                                 \
                        written = 1;                                                                               \
                    }                                                                                              \
                    _mm512_mask_storeu_ps(plane + (long)(M * ty + j) * columns + x0, k, acc);                      \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
    }

INPUT_KERNEL(input8_avx512, 8, b_f27)
INPUT_KERNEL(input6_avx512, 6, b_6)
OUTPUT_KERNEL(f27_output_avx512, 8, 2, a_f27)
OUTPUT_KERNEL(f43_output_avx512, 6, 4, a_f43)
OUTPUT_KERNEL(f25_output_avx512, 6, 2, a_f25)

static int has_avx512f(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx512f") ? 1 : 0;
    return known;
}

// Zero rows for the kernels: planes up to this many columns take them.
enum { zero_columns = 1024 };
static const float zero_row[zero_columns + 16];

void pleinair_line_input(const float *plane, int rows, int columns, const float *b_transpose, int alpha, int outputs,
                         int padding, int tiles, float *v, long stride) {
    if (columns <= zero_columns && has_avx512f()) {
        if (alpha == 8 && memcmp(b_transpose, b_f27, sizeof b_f27) == 0) {
            input8_avx512(plane, rows, columns, outputs, padding, tiles, v, stride, zero_row);
            return;
        }
        if (alpha == 6 && memcmp(b_transpose, b_6, sizeof b_6) == 0) {
            input6_avx512(plane, rows, columns, outputs, padding, tiles, v, stride, zero_row);
            return;
        }
    }
    pleinair_line_input_generic(plane, rows, columns, b_transpose, alpha, outputs, padding, tiles, v, stride);
}

void pleinair_line_output(const float *m, long stride, const float *a_transpose, int alpha, int outputs, int tiles,
                          int rows, int columns, float *plane) {
    if (has_avx512f()) {
        if (alpha == 8 && outputs == 2 && memcmp(a_transpose, a_f27, sizeof a_f27) == 0) {
            f27_output_avx512(m, stride, tiles, rows, columns, plane);
            return;
        }
        if (alpha == 6 && outputs == 4 && memcmp(a_transpose, a_f43, sizeof a_f43) == 0) {
            f43_output_avx512(m, stride, tiles, rows, columns, plane);
            return;
        }
        if (alpha == 6 && outputs == 2 && memcmp(a_transpose, a_f25, sizeof a_f25) == 0) {
            f25_output_avx512(m, stride, tiles, rows, columns, plane);
            return;
        }
    }
    pleinair_line_output_generic(m, stride, a_transpose, alpha, outputs, tiles, rows, columns, plane);
}
