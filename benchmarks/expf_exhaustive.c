// Checks CVectorMath's pleinair_expf against this machine's expf on every one of the 2^32 float bit
// patterns (an odd count once, for the masked tail), then times both on 16 M arguments in [−60, 0]
// (the contextual loss's range). About 40 s on one core. From the repository root:
//   clang -O2 -ISources/CVectorMath/include Sources/CVectorMath/vector_expf.c benchmarks/expf_exhaustive.c -lm -o /tmp/expf_exhaustive && /tmp/expf_exhaustive
#include "vector_math.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double milliseconds(struct timespec a, struct timespec b) {
    return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

int main(void) {
    if (!pleinair_expf_supported()) {
        puts("this CPU lacks AVX-512F or FMA: pleinair_expf is not used here");
        return 1;
    }
    enum { batch = 1 << 20 };
    static float x[batch], y[batch];
    uint64_t mismatches = 0;
    for (uint64_t base = 0; base < (1ull << 32); base += batch) {
        size_t count = base == 0 ? batch - 3 : batch;
        for (uint32_t i = 0; i < batch; i++) {
            uint32_t bits = (uint32_t)(base + i);
            memcpy(&x[i], &bits, sizeof bits);
        }
        pleinair_expf(x, y, count);
        for (size_t i = 0; i < count; i++) {
            float expected = expf(x[i]);
            uint32_t a, b;
            memcpy(&a, &expected, 4);
            memcpy(&b, &y[i], 4);
            if (a != b && !(isnan(expected) && isnan(y[i]))) {
                if (mismatches < 10) printf("x = %a: expf %a, pleinair_expf %a\n", x[i], expected, y[i]);
                mismatches++;
            }
        }
    }
    printf("mismatches over all 2^32 inputs: %llu\n", (unsigned long long)mismatches);
    size_t n = 16u << 20;
    float *a = malloc(n * sizeof *a), *out = malloc(n * sizeof *out);
    srand(1);
    for (size_t i = 0; i < n; i++) a[i] = -60.0f * (float)((double)rand() / RAND_MAX);
    for (int round = 0; round < 4; round++) {
        struct timespec t0, t1, t2;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pleinair_expf(a, out, n);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        for (size_t i = 0; i < n; i++) out[i] = expf(a[i]);
        clock_gettime(CLOCK_MONOTONIC, &t2);
        printf("16 M values: pleinair_expf %.1f ms, expf %.1f ms\n", milliseconds(t0, t1), milliseconds(t1, t2));
    }
    free(a);
    free(out);
    return mismatches != 0;
}
