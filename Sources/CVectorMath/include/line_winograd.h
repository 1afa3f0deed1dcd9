#ifndef PLEINAIR_LINE_WINOGRAD_H
#define PLEINAIR_LINE_WINOGRAD_H

/// The per-plane transforms of Winograd F(m, r) along one axis (Winograd1DConvolution.swift), run down
/// the columns of a plane [rows][columns] (the plane itself for a kernel along the height, its transpose
/// for one along the width). Tile (ty, x) covers rows m·ty − padding … m·ty − padding + α − 1 of column x,
/// α = m + r − 1; rows outside the plane read as zeros. Each output is its first nonzero term, then the
/// other nonzero terms added in order, a product and an add each, never fused: every CPU gets the same bits.

/// v[ξ·stride + ty·columns + x] = Σ over i in order of b_transpose[ξ·α + i] · plane[(m·ty − padding + i)·columns + x]
/// for every tile row ty < tiles and ξ < α.
void pleinair_line_input(const float *plane, int rows, int columns, const float *b_transpose, int alpha, int outputs,
                         int padding, int tiles, float *v, long stride);

/// plane[(m·ty + j)·columns + x] = Σ over ξ in order of a_transpose[j·α + ξ] · m[ξ·stride + ty·columns + x]
/// for j < m and every row m·ty + j inside the plane.
void pleinair_line_output(const float *m, long stride, const float *a_transpose, int alpha, int outputs, int tiles,
                          int rows, int columns, float *plane);

/// The same without the kernels for F(2, 7), F(4, 3) and F(2, 5) (matrices compiled in, AVX-512F): for the tests,
/// which hold the two to the same bits.
void pleinair_line_input_generic(const float *plane, int rows, int columns, const float *b_transpose, int alpha,
                                 int outputs, int padding, int tiles, float *v, long stride);
void pleinair_line_output_generic(const float *m, long stride, const float *a_transpose, int alpha, int outputs,
                                  int tiles, int rows, int columns, float *plane);

#endif
