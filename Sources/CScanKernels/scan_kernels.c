#include "scan_kernels.h"

#include <cpuid.h>
#include <immintrin.h>
#include <math.h>
#include <string.h>

int pleinair_bf16_supported(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned osxsave = 1u << 27, fma = 1u << 12;
    if (!(c & osxsave) || !(c & fma)) return 0;
    // The OS saves the AVX-512 state (XCR0 bits 1, 2, 5, 6, 7).
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6) != 0xe6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const unsigned avx512f = 1u << 16;
    if (!(b & avx512f)) return 0;
    if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return 0;
    const unsigned avx512bf16 = 1u << 5;
    return (a & avx512bf16) != 0;
}

/// float → bf16, to nearest with ties to even (finite inputs).
static inline uint32_t bf16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
}

static inline uint32_t pair(const float *x, size_t dimension, size_t p) {
    uint32_t low = bf16(x[2 * p]);
    uint32_t high = 2 * p + 1 < dimension ? bf16(x[2 * p + 1]) : 0;
    return low | (high << 16);
}

void pleinair_bf16_pack_rows(const float *x, size_t rows, size_t dimension, size_t padded_rows, uint32_t *out) {
    size_t pairs = (dimension + 1) / 2;
    for (size_t block = 0; block < padded_rows / 16; block++) {
        uint32_t *o = out + block * pairs * 16;
        for (size_t r = 0; r < 16; r++) {
            size_t row = block * 16 + r;
            for (size_t p = 0; p < pairs; p++) o[p * 16 + r] = row < rows ? pair(x + row * dimension, dimension, p) : 0;
        }
    }
}

void pleinair_bf16_pack_queries(const float *x, size_t count, size_t dimension, size_t padded_count, uint32_t *out) {
    size_t pairs = (dimension + 1) / 2;
    for (size_t i = 0; i < padded_count; i++)
        for (size_t p = 0; p < pairs; p++) out[i * pairs + p] = i < count ? pair(x + i * dimension, dimension, p) : 0;
}

/// Writes query t's 32 approximate dots and the mask of rows whose lower end,
/// (query term + row term) − (2·dot + query product · row root), is at most the query's limit.
#define SCREEN(t, lo, hi)                                                                                   \
    do {                                                                                                      \
        _mm512_storeu_ps(o + (t) * ld, lo);                                                                   \
        _mm512_storeu_ps(o + (t) * ld + 16, hi);                                                              \
        __m512 qt = _mm512_set1_ps(query_terms[i0 + (t)]), qp = _mm512_set1_ps(query_products[i0 + (t)]);     \
        __m512 limit = _mm512_set1_ps(limits[i0 + (t)]);                                                      \
        __m512 l0 = _mm512_sub_ps(_mm512_add_ps(qt, terms0), _mm512_fmadd_ps(qp, roots0, _mm512_add_ps(lo, lo))); \
        __m512 l1 = _mm512_sub_ps(_mm512_add_ps(qt, terms1), _mm512_fmadd_ps(qp, roots1, _mm512_add_ps(hi, hi))); \
        uint32_t m0 = _mm512_cmp_ps_mask(l0, limit, _CMP_LE_OQ), m1 = _mm512_cmp_ps_mask(l1, limit, _CMP_LE_OQ);   \
        masks[(i0 + (t) - q0) * mask_ld + b] = m0 | (m1 << 16);                                               \
    } while (0)

__attribute__((target("avx512f,avx512bf16,fma")))
void pleinair_bf16_screen(const uint32_t *queries, size_t q0, size_t groups, const uint32_t *rows, size_t r0, size_t blocks,
                          size_t pairs, const float *query_terms, const float *query_products, const float *limits,
                          const float *row_terms, const float *row_roots, float *out, size_t ld, uint32_t *masks, size_t mask_ld) {
    // 8 queries × 32 rows: 16 accumulators in registers, written out one by one (compilers keep an
    // array of vectors in memory).
    for (size_t b = 0; b < blocks; b++) {
        const uint32_t *b0 = rows + (r0 + 32 * b) * pairs, *b1 = b0 + 16 * pairs;
        __m512 terms0 = _mm512_loadu_ps(row_terms + r0 + 32 * b), terms1 = _mm512_loadu_ps(row_terms + r0 + 32 * b + 16);
        __m512 roots0 = _mm512_loadu_ps(row_roots + r0 + 32 * b), roots1 = _mm512_loadu_ps(row_roots + r0 + 32 * b + 16);
        for (size_t g = 0; g < groups; g++) {
            size_t i0 = q0 + 8 * g;
            const uint32_t *q = queries + i0 * pairs;
            __m512 a00 = _mm512_setzero_ps(), a01 = _mm512_setzero_ps(), a10 = _mm512_setzero_ps(), a11 = _mm512_setzero_ps(), a20 = _mm512_setzero_ps(), a21 = _mm512_setzero_ps(), a30 = _mm512_setzero_ps(), a31 = _mm512_setzero_ps(), a40 = _mm512_setzero_ps(), a41 = _mm512_setzero_ps(), a50 = _mm512_setzero_ps(), a51 = _mm512_setzero_ps(), a60 = _mm512_setzero_ps(), a61 = _mm512_setzero_ps(), a70 = _mm512_setzero_ps(), a71 = _mm512_setzero_ps();
            for (size_t p = 0; p < pairs; p++) {
                __m512bh v0 = (__m512bh)_mm512_loadu_si512(b0 + p * 16);
                __m512bh v1 = (__m512bh)_mm512_loadu_si512(b1 + p * 16);
                __m512bh w;
                w = (__m512bh)_mm512_set1_epi32((int)q[0 * pairs + p]); a00 = _mm512_dpbf16_ps(a00, w, v0); a01 = _mm512_dpbf16_ps(a01, w, v1);
                w = (__m512bh)_mm512_set1_epi32((int)q[1 * pairs + p]); a10 = _mm512_dpbf16_ps(a10, w, v0); a11 = _mm512_dpbf16_ps(a11, w, v1);
                w = (__m512bh)_mm512_set1_epi32((int)q[2 * pairs + p]); a20 = _mm512_dpbf16_ps(a20, w, v0); a21 = _mm512_dpbf16_ps(a21, w, v1);
                w = (__m512bh)_mm512_set1_epi32((int)q[3 * pairs + p]); a30 = _mm512_dpbf16_ps(a30, w, v0); a31 = _mm512_dpbf16_ps(a31, w, v1);
                w = (__m512bh)_mm512_set1_epi32((int)q[4 * pairs + p]); a40 = _mm512_dpbf16_ps(a40, w, v0); a41 = _mm512_dpbf16_ps(a41, w, v1);
                w = (__m512bh)_mm512_set1_epi32((int)q[5 * pairs + p]); a50 = _mm512_dpbf16_ps(a50, w, v0); a51 = _mm512_dpbf16_ps(a51, w, v1);
                w = (__m512bh)_mm512_set1_epi32((int)q[6 * pairs + p]); a60 = _mm512_dpbf16_ps(a60, w, v0); a61 = _mm512_dpbf16_ps(a61, w, v1);
                w = (__m512bh)_mm512_set1_epi32((int)q[7 * pairs + p]); a70 = _mm512_dpbf16_ps(a70, w, v0); a71 = _mm512_dpbf16_ps(a71, w, v1);
            }
            float *o = out + 8 * g * ld + 32 * b;
            SCREEN(0, a00, a01);
            SCREEN(1, a10, a11);
            SCREEN(2, a20, a21);
            SCREEN(3, a30, a31);
            SCREEN(4, a40, a41);
            SCREEN(5, a50, a51);
            SCREEN(6, a60, a61);
            SCREEN(7, a70, a71);
        }
    }
}

__attribute__((target("fma")))
float pleinair_blocked_dot(const float *x, const float *y, size_t n, size_t q, size_t unroll) {
    float total = 0;
    size_t start = 0;
    int first = 1;
    while (start < n) {
        size_t length = n - start;
        if (length >= 2 * q) length = q;
        else if (length > q) length = (length / 2 + unroll - 1) & ~(unroll - 1);
        float sum = 0;
        for (size_t k = start; k < start + length; k++) sum = __builtin_fmaf(x[k], y[k], sum);
        total = first ? sum : total + sum;
        first = 0;
        start += length;
    }
    return total;
}
