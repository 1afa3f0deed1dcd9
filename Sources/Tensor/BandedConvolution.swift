/// im2col + sgemm convolution of one image, a band of output rows at a time: each band's column
/// matrix ([C·kh·kw, rows·outW]) stays cache-sized and one buffer serves every band of a call,
/// while every sgemm keeps the full reduction depth.
///
/// The buffer is allocated per call. Only small whole column matrices are kept from forward to
/// backward (`ConvGeometry.keptColumnLimit`): held across a network's forward pass, one per layer,
/// large ones would dominate a training step's peak memory.
struct BandedConvolution {
    let geometry: ConvGeometry
    let outputChannels: Int
    /// Output rows per band.
    let band: Int

    init(geometry: ConvGeometry, outputChannels: Int) {
        self.geometry = geometry
        self.outputChannels = outputChannels
        band = geometry.isPointwise ? geometry.outHeight : geometry.rowsPerChunk()
    }

    /// Scratch for one band's column matrix (nil for 1×1 stride-1 convs, whose input is the matrix).
    private func scratch() -> Storage? {
        geometry.isPointwise ? nil : Storage(uninitializedCount: geometry.columnRows * band * geometry.outWidth)
    }

    private func bands() -> [Range<Int>] {
        stride(from: 0, to: geometry.outHeight, by: band).map { $0..<min($0 + band, geometry.outHeight) }
    }

    /// out [Cout, outH·outW] = weight [Cout, K] · columns. With `keeping`, the whole column matrix
    /// [K, outH·outW] is built there (and left for the weight gradient) instead of band by band.
    func forward(_ image: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                 keeping whole: UnsafeMutablePointer<Float>? = nil) {
        let k = geometry.columnRows, ow = geometry.outWidth, hw = geometry.columnCount
        if let whole {
            geometry.im2col(image, whole)
            Tensor.gemm(false, false, outputChannels, hw, k, 1, weight, k, whole, hw, 0, out, hw)
            return
        }
        let columns = scratch()
        for rows in bands() {
            let cols = rows.count * ow
            if let columns { geometry.im2col(image, columns.base, rows: rows) }
            Tensor.gemm(false, false, outputChannels, cols, k, 1, weight, k, columns.map { UnsafePointer($0.base) } ?? image, cols, 0,
                        out + rows.lowerBound * ow, hw)
        }
    }

    /// gradWeight [Cout, K] += grad [Cout, outH·outW] · columnsᵀ, from the columns `forward` kept
    /// when given, else unfolding `image` again band by band.
    func weightGradient(_ image: UnsafePointer<Float>, _ grad: UnsafePointer<Float>, _ gradWeight: UnsafeMutablePointer<Float>,
                        kept whole: UnsafePointer<Float>? = nil) {
        let k = geometry.columnRows, ow = geometry.outWidth, hw = geometry.columnCount
        if let whole {
            Tensor.gemm(false, true, outputChannels, k, hw, 1, grad, hw, whole, hw, 1, gradWeight, k)
            return
        }
        let columns = scratch()
        for rows in bands() {
            let cols = rows.count * ow
            if let columns { geometry.im2col(image, columns.base, rows: rows) }
            Tensor.gemm(false, true, outputChannels, k, cols, 1, grad + rows.lowerBound * ow, hw,
                        columns.map { UnsafePointer($0.base) } ?? image, cols, 1, gradWeight, k)
        }
    }

    /// gradImage += col2im(weightᵀ · grad) (gradImage must start zeroed for 1×1 convs, which it overwrites).
    func inputGradient(_ grad: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ gradImage: UnsafeMutablePointer<Float>) {
        let k = geometry.columnRows, ow = geometry.outWidth, hw = geometry.columnCount
        guard let columns = scratch() else {
            Tensor.gemm(true, false, k, hw, outputChannels, 1, weight, k, grad, hw, 0, gradImage, hw)
            return
        }
        for rows in bands() {
            let cols = rows.count * ow
            Tensor.gemm(true, false, k, cols, outputChannels, 1, weight, k, grad + rows.lowerBound * ow, hw, 0,
                        columns.base, cols)
            geometry.col2im(columns.base, gradImage, rows: rows)
        }
    }
}
