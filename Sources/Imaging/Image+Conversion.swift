extension Image {
    /// The same image at 8 bits (16-bit samples rounded: v * 255 / 65535).
    public func convertedTo8Bit() -> Image {
        guard depth == .sixteen else { return self }
        return Image(width: width, height: height, channels: channels, depth: .eight,
                     samples: samples.map { UInt16((UInt32($0) * 255 + 32767) / 65535) })
    }

    /// The same image at 16 bits (8-bit samples scaled exactly: v * 257).
    public func convertedTo16Bit() -> Image {
        guard depth == .eight else { return self }
        return Image(width: width, height: height, channels: channels, depth: .sixteen, samples: samples.map { $0 &* 257 })
    }

    /// RGB without alpha: gray is replicated, alpha is dropped (not composited).
    public func toRGB() -> Image {
        if channels == 3 { return self }
        var out = [UInt16](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) {
            for c in 0..<3 {
                out[3 * p + c] = channels >= 3 ? samples[p * channels + c] : samples[p * channels]
            }
        }
        return Image(width: width, height: height, channels: 3, depth: depth, samples: out)
    }

    /// Gray without alpha, by Rec. 601 luma (Pillow's `convert("L")` weights), rounded.
    public func toGray() -> Image {
        if channels == 1 { return self }
        if channels == 2 {
            return Image(width: width, height: height, channels: 1, depth: depth,
                         samples: (0..<(width * height)).map { samples[2 * $0] })
        }
        let out = (0..<(width * height)).map { p -> UInt16 in
            let r = Double(samples[p * channels]), g = Double(samples[p * channels + 1]), b = Double(samples[p * channels + 2])
            return UInt16((0.299 * r + 0.587 * g + 0.114 * b).rounded())
        }
        return Image(width: width, height: height, channels: 1, depth: depth, samples: out)
    }

    /// The image without its alpha channel (dropped, not composited); unchanged if it has none.
    public func removingAlpha() -> Image {
        guard hasAlpha else { return self }
        let keep = channels - 1
        var out = [UInt16](repeating: 0, count: width * height * keep)
        for p in 0..<(width * height) {
            for c in 0..<keep { out[p * keep + c] = samples[p * channels + c] }
        }
        return Image(width: width, height: height, channels: keep, depth: depth, samples: out)
    }
}
