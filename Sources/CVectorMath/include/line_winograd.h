#ifndef PLEINAIR_LINE_WINOGRAD_H
#define PLEINAIR_LINE_WINOGRAD_H

/// The per-plane transforms of Winograd F(2, r) along one axis (Winograd1DConvolution.swift), run down
/// the columns of a plane [rows][columns] (the plane itself for a kernel along the height, its transpose
/// for one along the width). Tile (ty, x) covers rows 2·ty − padding … 2·ty − padding + α − 1 of column x.

/// v[ξ·stride + ty·columns + x] = Σ over i in order of b_transpose[ξ·α + i] · plane[(2·ty − padding + i)·columns + x],
/// rows outside the plane left out (zero padding), for every tile row ty < tiles and ξ < α.
void pleinair_line_input(const float *plane, int rows, int columns, const float *b_transpose, int alpha,
                         int padding, int tiles, float *v, long stride);

/// plane[(2·ty + j)·columns + x] = Σ over ξ in order of a_transpose[j·α + ξ] · m[ξ·stride + ty·columns + x]
/// for j = 0, 1 and every row 2·ty + j inside the plane.
void pleinair_line_output(const float *m, long stride, const float *a_transpose, int alpha, int tiles, int rows,
                          int columns, float *plane);

#endif
