extension Image {
    /// The samples as planar (CHW) floats in [-1, 1]: `v / max * 2 - 1`, the layout and range of a
    /// Float32 NCHW tensor's single image. Channel c of pixel (x, y) is at `(c * height + y) * width + x`.
    public func planarFloats() -> [Float] {
        var out = [Float](repeating: 0, count: width * height * channels)
        out.withUnsafeMutableBufferPointer { writePlanarFloats(into: $0) }
        return out
    }

    /// Writes `planarFloats()` into the first `width * height * channels` elements of `buffer`,
    /// e.g. one image's slot of a batch, without an intermediate array.
    public func writePlanarFloats(into buffer: UnsafeMutableBufferPointer<Float>) {
        let plane = width * height
        precondition(buffer.count >= plane * channels, "buffer holds \(buffer.count) floats, need \(plane * channels)")
        let scale = 2 / Float(depth.maxValue)
        samples.withUnsafeBufferPointer { src in
            for p in 0..<plane {
                for c in 0..<channels {
                    buffer[c * plane + p] = Float(src[p * channels + c]) * scale - 1
                }
            }
        }
    }

    /// An image from planar (CHW) floats in [-1, 1]: values are clamped to the range, mapped to
    /// `0...max` and rounded to nearest (ties away from zero); NaN becomes 0 (black), so a
    /// diverged network still yields a viewable file.
    public init(planarFloats values: [Float], width: Int, height: Int, channels: Int, depth: BitDepth = .eight) {
        precondition(values.count == width * height * channels, "expected \(width * height * channels) floats, got \(values.count)")
        let plane = width * height
        let maxValue = Float(depth.maxValue)
        var samples = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            samples.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for p in 0..<plane {
                        let v = src[c * plane + p]
                        let clamped = v.isNaN ? -1 : min(max(v, -1), 1)
                        dst[p * channels + c] = UInt16(((clamped + 1) * 0.5 * maxValue).rounded(.toNearestOrAwayFromZero))
                    }
                }
            }
        }
        self.init(width: width, height: height, channels: channels, depth: depth, samples: samples)
    }
}
