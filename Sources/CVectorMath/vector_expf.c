#include "vector_math.h"

#include <cpuid.h>
#include <immintrin.h>

#include "expf16.h"

int pleinair_expf_supported(void) {
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
    return (b & avx512f) != 0;
}

__attribute__((target("avx512f,fma")))
void pleinair_expf(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i += 16) {
        size_t left = n - i;
        __mmask16 lanes = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        _mm512_mask_storeu_ps(y + i, lanes, expf16(_mm512_maskz_loadu_ps(lanes, x + i), lanes));
    }
}
