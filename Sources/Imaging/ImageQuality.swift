import Glibc

/// Why two images cannot be compared.
public enum ImageQualityError: Error, Equatable, CustomStringConvertible {
    /// Sizes, channel counts or depths differ.
    case shapeMismatch(String)
    /// Smaller than the 11×11 SSIM window.
    case tooSmall(width: Int, height: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(message): return "cannot compare images: \(message)"
        case let .tooSmall(w, h): return "cannot compute SSIM on \(w)x\(h): needs at least 11x11"
        }
    }
}

/// Full-reference image quality: how close a translated painting is to its ground-truth photo.
public enum ImageQuality {
    /// Peak signal-to-noise ratio in dB over all samples (every channel, alpha included), peak
    /// = the depth's maximum; `+infinity` for identical images.
    public static func psnr(_ a: Image, _ b: Image) throws -> Double {
        try checkShapes(a, b)
        var sum = 0.0
        for (x, y) in zip(a.samples, b.samples) {
            let d = Double(x) - Double(y)
            sum += d * d
        }
        let mse = sum / Double(a.samples.count)
        if mse == 0 { return .infinity }
        let peak = Double(a.depth.maxValue)
        return 10 * log10(peak * peak / mse)
    }

    /// Structural similarity (Wang et al. 2004) as originally defined: 11×11 Gaussian window with
    /// σ = 1.5, K1 = 0.01, K2 = 0.03, L = the depth's maximum, statistics over 'valid' windows only
    /// (no padding), mean over windows. Computed per channel and averaged (like scikit-image with
    /// `channel_axis`), not on luminance. In [-1, 1], 1 for identical images.
    public static func ssim(_ a: Image, _ b: Image) throws -> Double {
        try checkShapes(a, b)
        guard a.width >= 11, a.height >= 11 else { throw ImageQualityError.tooSmall(width: a.width, height: a.height) }
        let window = gaussianWindow()
        let peak = Double(a.depth.maxValue)
        let c1 = (0.01 * peak) * (0.01 * peak), c2 = (0.03 * peak) * (0.03 * peak)
        let w = a.width, h = a.height, outW = w - 10, outH = h - 10
        var total = 0.0
        for c in 0..<a.channels {
            let x = (0..<(w * h)).map { Double(a.samples[$0 * a.channels + c]) }
            let y = (0..<(w * h)).map { Double(b.samples[$0 * b.channels + c]) }
            var channelSum = 0.0
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var mx = 0.0, my = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
                    for dy in 0..<11 {
                        let row = (oy + dy) * w + ox
                        for dx in 0..<11 {
                            let g = window[dy * 11 + dx], u = x[row + dx], v = y[row + dx]
                            mx += g * u; my += g * v
                            sxx += g * u * u; syy += g * v * v; sxy += g * u * v
                        }
                    }
                    sxx -= mx * mx; syy -= my * my; sxy -= mx * my
                    channelSum += ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
                }
            }
            total += channelSum / Double(outW * outH)
        }
        return total / Double(a.channels)
    }

    private static func gaussianWindow() -> [Double] {
        let g = (0..<11).map { exp(-Double(($0 - 5) * ($0 - 5)) / (2 * 1.5 * 1.5)) }
        let sum = g.reduce(0, +)
        let n = g.map { $0 / sum }
        return (0..<121).map { n[$0 / 11] * n[$0 % 11] }
    }

    private static func checkShapes(_ a: Image, _ b: Image) throws {
        guard a.width == b.width, a.height == b.height, a.channels == b.channels, a.depth == b.depth else {
            throw ImageQualityError.shapeMismatch("\(a.width)x\(a.height)x\(a.channels)@\(a.depth.rawValue)-bit vs "
                + "\(b.width)x\(b.height)x\(b.channels)@\(b.depth.rawValue)-bit")
        }
    }
}
