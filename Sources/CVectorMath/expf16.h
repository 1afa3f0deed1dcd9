#ifndef PLEINAIR_EXPF16_H
#define PLEINAIR_EXPF16_H
// Private to CVectorMath: sixteen lanes of glibc's expf, inlined into the loops that need it.

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

// The constants of glibc's expf (sysdeps/ieee754/flt-32, the exp2f_data it shares with exp2f):
// entry i of the table is the bits of 2^(i/32) less i << 47, so that adding k << 47 for
// k = 32e + i gives 2^(e + i/32); the cubic approximates 2^(r/32) − 1 on |r| ≤ 1/2.
static const uint64_t expTable[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};
static const uint64_t invLn2N = 0x40471547652b82fe;  // 32 / ln 2
static const uint64_t shift = 0x4338000000000000;    // 1.5 · 2^52: adding it rounds to an integer
static const uint64_t c0 = 0x3ebc6af84b912394, c1 = 0x3f2ebfce50fac4f3, c2 = 0x3f962e42ff0c52d6;

/// Eight lanes of glibc's fast path, in its order of roundings (FMA where its FMA build fuses).
__attribute__((target("avx512f,fma")))
static inline __m256 fast8(__m256 xf, __m512i t0, __m512i t1, __m512i t2, __m512i t3) {
    const __m512d inv = _mm512_castsi512_pd(_mm512_set1_epi64((long long)invLn2N));
    const __m512d sh = _mm512_castsi512_pd(_mm512_set1_epi64((long long)shift));
    __m512d x = _mm512_cvtps_pd(xf);
    __m512d kdShifted = _mm512_fmadd_pd(inv, x, sh);
    __m512i ki = _mm512_castpd_si512(kdShifted);
    __m512d kd = _mm512_sub_pd(kdShifted, sh);
    __m512d r = _mm512_fmsub_pd(inv, x, kd);
    __m512i low = _mm512_permutex2var_epi64(t0, ki, t1);   // entries 0–15 by the index's low 4 bits
    __m512i high = _mm512_permutex2var_epi64(t2, ki, t3);  // entries 16–31
    __mmask8 upper = _mm512_test_epi64_mask(ki, _mm512_set1_epi64(16));
    __m512i t = _mm512_mask_blend_epi64(upper, low, high);
    t = _mm512_add_epi64(t, _mm512_slli_epi64(ki, 47));
    __m512d s = _mm512_castsi512_pd(t);
    __m512d z = _mm512_fmadd_pd(_mm512_castsi512_pd(_mm512_set1_epi64((long long)c0)), r,
                                _mm512_castsi512_pd(_mm512_set1_epi64((long long)c1)));
    __m512d r2 = _mm512_mul_pd(r, r);
    __m512d y = _mm512_fmadd_pd(_mm512_castsi512_pd(_mm512_set1_epi64((long long)c2)), r, _mm512_set1_pd(1.0));
    y = _mm512_fmadd_pd(z, r2, y);
    y = _mm512_mul_pd(y, s);
    return _mm512_cvtpd_ps(y);
}

/// expf of the lanes of `v` that `lanes` selects, with glibc's bits; lanes outside its fast range
/// (|x| ≥ 88 or NaN) above −103.97 go to `expf` itself, those below give +0 as glibc's do.
__attribute__((target("avx512f,fma")))
static inline __m512 expf16(__m512 v, __mmask16 lanes) {
    const __m512i t0 = _mm512_loadu_si512(expTable), t1 = _mm512_loadu_si512(expTable + 8);
    const __m512i t2 = _mm512_loadu_si512(expTable + 16), t3 = _mm512_loadu_si512(expTable + 24);
    __m256 lo = fast8(_mm512_castps512_ps256(v), t0, t1, t2, t3);
    __m256 hi = fast8(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)), t0, t1, t2, t3);
    __m512 out = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi), 1));
    __m512i magnitude = _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7fffffff));
    __mmask16 slow = _mm512_mask_cmpgt_epu32_mask(lanes, magnitude, _mm512_set1_epi32(0x42afffff));  // |x| ≥ 88: glibc's top-12-bit test
    if (slow) {
        __mmask16 zero = _mm512_mask_cmp_ps_mask(slow, v, _mm512_set1_ps(-0x1.9fe368p6f), _CMP_LT_OQ);  // below log(2^-150)
        out = _mm512_mask_blend_ps(zero, out, _mm512_setzero_ps());
        unsigned rest = (unsigned)(slow & (__mmask16)~zero);
        float in[16], lanesOut[16];
        _mm512_storeu_ps(in, v);
        _mm512_storeu_ps(lanesOut, out);
        while (rest) {
            unsigned lane = (unsigned)__builtin_ctz(rest);
            lanesOut[lane] = expf(in[lane]);
            rest &= rest - 1;
        }
        out = _mm512_loadu_ps(lanesOut);
    }
    return out;
}

#endif
