#include "line_winograd.h"

#pragma STDC FP_CONTRACT OFF

// Each output is one term written, then the others added in order: the same sums as a scalar loop
// over the terms, with the column loop innermost so that it vectorises (sixteen wide where the CPU has
// AVX-512F: the clones give the same bits, a product and an add per term, never fused).

__attribute__((target_clones("avx512f", "default")))
void pleinair_line_input(const float *plane, int rows, int columns, const float *b_transpose, int alpha,
                         int padding, int tiles, float *v, long stride) {
    for (int ty = 0; ty < tiles; ty++) {
        for (int xi = 0; xi < alpha; xi++) {
            float *restrict out = v + xi * stride + (long)ty * columns;
            int written = 0;
            for (int i = 0; i < alpha; i++) {
                const float c = b_transpose[xi * alpha + i];
                const int y = 2 * ty - padding + i;
                if (c == 0 || y < 0 || y >= rows) continue;
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
void pleinair_line_output(const float *m, long stride, const float *a_transpose, int alpha, int tiles, int rows,
                          int columns, float *plane) {
    for (int ty = 0; ty < tiles; ty++) {
        for (int j = 0; j < 2 && 2 * ty + j < rows; j++) {
            float *restrict out = plane + (long)(2 * ty + j) * columns;
            const float *restrict first = m + (long)ty * columns;
            const float a0 = a_transpose[j * alpha];
            for (int x = 0; x < columns; x++) out[x] = a0 * first[x];
            for (int xi = 1; xi < alpha; xi++) {
                const float a = a_transpose[j * alpha + xi];
                const float *restrict source = m + xi * stride + (long)ty * columns;
                for (int x = 0; x < columns; x++) out[x] += a * source[x];
            }
        }
    }
}
