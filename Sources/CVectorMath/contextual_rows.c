#include "contextual_rows.h"

#include <immintrin.h>
#include <math.h>

#include "expf16.h"

// Only the operations written: no fused multiply-adds the scalar code would not make.
#pragma STDC FP_CONTRACT OFF

enum { group = 8, chunk = 1024 };

static size_t minimum(size_t a, size_t b) { return a < b ? a : b; }

static size_t argminPortable(const float *c, size_t u) {
    size_t best = 0;
    float bestValue = 1.0f - c[0];
    for (size_t j = 1; j < u; j++) {
        float d = 1.0f - c[j];
        if (d < bestValue) { best = j; bestValue = d; }
    }
    return best;
}

/// The serial loop's answer, sixteen lanes at a time: each lane keeps its first strictly smallest
/// distance (ordered compares, so NaNs are never taken, as `<` never takes them), then the smallest
/// index among the lanes holding the overall minimum. A first distance that is NaN is never replaced.
__attribute__((target("avx512f")))
static size_t argminVector(const float *c, size_t u) {
    if (isnan(1.0f - c[0])) return 0;
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 laneMin = _mm512_set1_ps(INFINITY);
    __m512i laneIndex = _mm512_set1_epi32(0), index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i sixteen = _mm512_set1_epi32(16);
    for (size_t j = 0; j < u; j += 16) {
        size_t left = u - j;
        __mmask16 lanes = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        __m512 d = _mm512_sub_ps(one, _mm512_maskz_loadu_ps(lanes, c + j));
        __mmask16 less = _mm512_mask_cmp_ps_mask(lanes, d, laneMin, _CMP_LT_OQ);
        laneMin = _mm512_mask_mov_ps(laneMin, less, d);
        laneIndex = _mm512_mask_mov_epi32(laneIndex, less, index);
        index = _mm512_add_epi32(index, sixteen);
    }
    float smallest = _mm512_reduce_min_ps(laneMin);
    if (smallest == INFINITY) return 0;  // nothing below +inf: the first distance stays
    __mmask16 holders = _mm512_cmp_ps_mask(laneMin, _mm512_set1_ps(smallest), _CMP_EQ_OQ);
    return (size_t)_mm512_mask_reduce_min_epi32(holders, laneIndex);
}

static void forwardPortable(const float *cosines, size_t rows, size_t u, float h, float epsilon,
                            int64_t *best, float *r, float *q, float *sums) {
    for (size_t i = 0; i < rows; i++) {
        const float *c = cosines + i * u;
        size_t b = argminPortable(c, u);
        float ri = (1.0f - c[b]) + epsilon, sum = 0;
        for (size_t j = 0; j < u; j++) sum += expf((1.0f - (1.0f - c[j]) / ri) / h);
        best[i] = (int64_t)b;
        r[i] = ri;
        q[i] = expf((1.0f - (1.0f - c[b]) / ri) / h) / sum;
        sums[i] = sum;
    }
}

/// e_j = expf((1 − (1 − c_j) / r) / h) for j < count into `out`.
__attribute__((target("avx512f,fma")))
static inline void exponentials(const float *c, size_t count, float r, float h, float *out) {
    const __m512 one = _mm512_set1_ps(1.0f), vr = _mm512_set1_ps(r), vh = _mm512_set1_ps(h);
    for (size_t j = 0; j < count; j += 16) {
        size_t left = count - j;
        __mmask16 lanes = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        __m512 d = _mm512_sub_ps(one, _mm512_maskz_loadu_ps(lanes, c + j));
        __m512 a = _mm512_div_ps(_mm512_sub_ps(one, _mm512_div_ps(d, vr)), vh);
        _mm512_mask_storeu_ps(out + j, lanes, expf16(a, lanes));
    }
}

/// s_k += t_k[j] for j < count, eight rows' serial sums interleaved (each in its own order).
static inline void interleavedSums(const float *t, size_t stride, size_t count, float s[group]) {
    float s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];
    const float *t0 = t, *t1 = t + stride, *t2 = t + 2 * stride, *t3 = t + 3 * stride;
    const float *t4 = t + 4 * stride, *t5 = t + 5 * stride, *t6 = t + 6 * stride, *t7 = t + 7 * stride;
    for (size_t j = 0; j < count; j++) {
        s0 += t0[j]; s1 += t1[j]; s2 += t2[j]; s3 += t3[j];
        s4 += t4[j]; s5 += t5[j]; s6 += t6[j]; s7 += t7[j];
    }
    s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3; s[4] = s4; s[5] = s5; s[6] = s6; s[7] = s7;
}

__attribute__((target("avx512f,fma")))
static void forwardVector(const float *cosines, size_t rows, size_t u, float h, float epsilon,
                          int64_t *best, float *r, float *q, float *sums) {
    float scratch[group * chunk];
    for (size_t g0 = 0; g0 < rows; g0 += group) {
        size_t n = minimum(group, rows - g0);
        float ri[group], eBest[group], s[group] = {0};
        for (size_t k = 0; k < n; k++) {
            const float *c = cosines + (g0 + k) * u;
            size_t b = argminVector(c, u);
            float dBest = 1.0f - c[b];
            ri[k] = dBest + epsilon;
            eBest[k] = expf((1.0f - dBest / ri[k]) / h);
            best[g0 + k] = (int64_t)b;
        }
        for (size_t j0 = 0; j0 < u; j0 += chunk) {
            size_t count = minimum(chunk, u - j0);
            for (size_t k = 0; k < group; k++) {
                // Rows past the end of a short group sum a copy of row 0's values and are dropped.
                if (k < n) exponentials(cosines + (g0 + k) * u + j0, count, ri[k], h, scratch + k * chunk);
                else for (size_t j = 0; j < count; j++) scratch[k * chunk + j] = scratch[j];
            }
            interleavedSums(scratch, chunk, count, s);
        }
        for (size_t k = 0; k < n; k++) {
            r[g0 + k] = ri[k];
            q[g0 + k] = eBest[k] / s[k];
            sums[g0 + k] = s[k];
        }
    }
}

void pleinair_contextual_forward(const float *cosines, size_t rows, size_t u, float h, float epsilon, int vectorised,
                                 int64_t *best, float *r, float *q, float *sums) {
    if (vectorised) forwardVector(cosines, rows, u, h, epsilon, best, r, q, sums);
    else forwardPortable(cosines, rows, u, h, epsilon, best, r, q, sums);
}

static void backwardPortable(float *cosines, size_t rows, size_t u, float h, const int64_t *best, const float *r,
                             const float *sums, const float *scales) {
    for (size_t i = 0; i < rows; i++) {
        float *c = cosines + i * u;
        size_t b = (size_t)best[i];
        float ri = r[i], sum = sums[i], scale = scales[i], hr = h * ri, hr2 = h * ri * ri, gradR = 0;
        for (size_t j = 0; j < u; j++) {
            float d = 1.0f - c[j], e = expf((1.0f - d / ri) / h);
            float g = scale * ((j == b ? 1.0f : 0.0f) - e / sum);
            gradR += g * d / hr2;
            c[j] = g / hr;
        }
        c[b] -= gradR;
    }
}

__attribute__((target("avx512f,fma")))
static void backwardVector(float *cosines, size_t rows, size_t u, float h, const int64_t *best, const float *r,
                           const float *sums, const float *scales) {
    float scratch[group * chunk];
    const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps(), vh = _mm512_set1_ps(h);
    for (size_t g0 = 0; g0 < rows; g0 += group) {
        size_t n = minimum(group, rows - g0);
        float hr[group], hr2[group], dBest[group], gBest[group], s[group] = {0};
        for (size_t k = 0; k < n; k++) {
            size_t i = g0 + k, b = (size_t)best[i];
            float ri = r[i];
            hr[k] = h * ri;
            hr2[k] = h * ri * ri;
            dBest[k] = 1.0f - cosines[i * u + b];
            gBest[k] = scales[i] * (1.0f - expf((1.0f - dBest[k] / ri) / h) / sums[i]);
        }
        for (size_t j0 = 0; j0 < u; j0 += chunk) {
            size_t count = minimum(chunk, u - j0);
            for (size_t k = 0; k < group; k++) {
                if (k >= n) {
                    for (size_t j = 0; j < count; j++) scratch[k * chunk + j] = scratch[j];
                    continue;
                }
                size_t i = g0 + k, b = (size_t)best[i];
                float *c = cosines + i * u + j0, *via = scratch + k * chunk;
                const __m512 vr = _mm512_set1_ps(r[i]), vsum = _mm512_set1_ps(sums[i]), vscale = _mm512_set1_ps(scales[i]);
                const __m512 vhr = _mm512_set1_ps(hr[k]), vhr2 = _mm512_set1_ps(hr2[k]);
                for (size_t j = 0; j < count; j += 16) {
                    size_t left = count - j;
                    __mmask16 lanes = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
                    __m512 d = _mm512_sub_ps(one, _mm512_maskz_loadu_ps(lanes, c + j));
                    __m512 e = expf16(_mm512_div_ps(_mm512_sub_ps(one, _mm512_div_ps(d, vr)), vh), lanes);
                    __m512 g = _mm512_mul_ps(vscale, _mm512_sub_ps(zero, _mm512_div_ps(e, vsum)));
                    _mm512_mask_storeu_ps(via + j, lanes, _mm512_div_ps(_mm512_mul_ps(g, d), vhr2));
                    _mm512_mask_storeu_ps(c + j, lanes, _mm512_div_ps(g, vhr));
                }
                if (b >= j0 && b < j0 + count) {  // the row minimum's own term, with its δ = 1
                    via[b - j0] = gBest[k] * dBest[k] / hr2[k];
                    c[b - j0] = gBest[k] / hr[k];
                }
            }
            interleavedSums(scratch, chunk, count, s);
        }
        for (size_t k = 0; k < n; k++) cosines[(g0 + k) * u + (size_t)best[g0 + k]] -= s[k];
    }
}

void pleinair_contextual_backward(float *cosines, size_t rows, size_t u, float h, const int64_t *best, const float *r,
                                  const float *sums, const float *scales, int vectorised) {
    if (vectorised) backwardVector(cosines, rows, u, h, best, r, sums, scales);
    else backwardPortable(cosines, rows, u, h, best, r, sums, scales);
}
