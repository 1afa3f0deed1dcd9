/// How `resized` computes each output pixel.
public enum ResizeFilter: String, Sendable, CaseIterable {
    /// Triangle filter. Downscaling widens it by the scale factor (antialiased), exactly like
    /// Pillow's `Image.resize(..., BILINEAR)`; upscaling is ordinary bilinear interpolation.
    case bilinear
    /// Box filter: each output pixel is the area-weighted mean of the input pixels it covers
    /// (Pillow's `BOX`); the antialiased choice for downscaling by large factors.
    case area
    /// Classic two-tap bilinear interpolation at every scale (no antialiasing when shrinking;
    /// what `torch.nn.functional.interpolate(..., align_corners=False)` does).
    case bilinearNoAntialias
    /// Keys' cubic convolution with a = −0.5, support widened by the scale factor when shrinking:
    /// Pillow's `BICUBIC` (what torchvision's `Resize` and clean-fid do to PIL images). 8-bit
    /// images go through `PILBicubicResampler`, which reproduces Pillow's fixed-point arithmetic.
    case bicubic

    var support: Double {
        switch self {
        case .area: return 0.5
        case .bilinear, .bilinearNoAntialias: return 1
        case .bicubic: return 2
        }
    }

    func weight(_ x: Double) -> Double {
        switch self {
        case .area: return (x > -0.5 && x <= 0.5) ? 1 : 0
        case .bilinear, .bilinearNoAntialias:
            let a = abs(x)
            return a < 1 ? 1 - a : 0
        case .bicubic:
            // Pillow's bicubic_filter, term for term (the same rounding).
            let a = -0.5, t = abs(x)
            if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
            if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
            return 0
        }
    }
}

extension Image {
    /// A resized copy. Separable: a horizontal pass then a vertical pass, each rounded to the
    /// image's depth, with Pillow's pixel-centre convention and window bounds, so 8-bit results
    /// agree with Pillow within one level (its fixed-point rounding differs only at ties).
    /// Alpha is resampled like any channel (straight, not premultiplied).
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResizeFilter = .bilinear) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "target size must be positive")
        if newWidth == width && newHeight == height { return self }
        if filter == .bicubic && depth == .eight {
            return PILBicubicResampler(width: width, height: height, toWidth: newWidth, toHeight: newHeight).resample(self)
        }
        var current = self
        if newWidth != width {
            current = current.resampled(horizontal: true, to: newWidth, filter: filter)
        }
        if newHeight != height {
            current = current.resampled(horizontal: false, to: newHeight, filter: filter)
        }
        return current
    }

    /// A copy resized so the shorter side is `side`, keeping the aspect ratio (rounded).
    public func resized(shorterSide side: Int, filter: ResizeFilter = .bilinear) -> Image {
        precondition(side > 0, "target size must be positive")
        if width <= height {
            let h = max(1, Int((Double(height) * Double(side) / Double(width)).rounded()))
            return resized(width: side, height: h, filter: filter)
        }
        let w = max(1, Int((Double(width) * Double(side) / Double(height)).rounded()))
        return resized(width: w, height: side, filter: filter)
    }

    /// Per output index: the first input index and the normalised weights (Pillow's precompute_coeffs).
    static func coefficients(inSize: Int, outSize: Int, filter: ResizeFilter) -> [(start: Int, weights: [Double])] {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = filter == .bilinearNoAntialias ? 1 : max(scale, 1)
        let support = filter.support * filterScale
        let reciprocal = 1 / filterScale  // Pillow multiplies by the reciprocal; dividing can differ in the last bit
        return (0..<outSize).map { xx in
            let center = (Double(xx) + 0.5) * scale
            let lo = max(0, Int(center - support + 0.5))
            let hi = min(inSize, Int(center + support + 0.5))
            var weights: [Double] = []
            var total = 0.0
            if hi > lo {
                for x in lo..<hi {
                    let w = filter.weight((Double(x) - center + 0.5) * reciprocal)
                    weights.append(w)
                    total += w
                }
            }
            if total != 0 { weights = weights.map { $0 / total } }
            if weights.isEmpty || total == 0 {
                // Degenerate window (cannot happen for the filters above, but never divide by zero):
                // take the nearest pixel.
                return (min(inSize - 1, max(0, Int(center))), [1])
            }
            return (lo, weights)
        }
    }

    private func resampled(horizontal: Bool, to outSize: Int, filter: ResizeFilter) -> Image {
        let inSize = horizontal ? width : height
        let coeffs = Image.coefficients(inSize: inSize, outSize: outSize, filter: filter)
        let outW = horizontal ? outSize : width, outH = horizontal ? height : outSize
        let maxValue = Double(depth.maxValue)
        var out = [UInt16](repeating: 0, count: outW * outH * channels)
        let ch = channels
        samples.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        let (start, weights) = coeffs[horizontal ? x : y]
                        for c in 0..<ch {
                            var sum = 0.0
                            for (k, w) in weights.enumerated() {
                                let sx = horizontal ? start + k : x, sy = horizontal ? y : start + k
                                sum += w * Double(src[(sy * width + sx) * ch + c])
                            }
                            dst[(y * outW + x) * ch + c] = UInt16(min(max(sum.rounded(), 0), maxValue))
                        }
                    }
                }
            }
        }
        return Image(width: outW, height: outH, channels: channels, depth: depth, samples: out)
    }
}
