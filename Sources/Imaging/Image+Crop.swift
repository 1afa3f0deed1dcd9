extension Image {
    /// The `width`×`height` region whose top-left corner is (`x`, `y`); must lie inside the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> Image {
        precondition(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= width && y + h <= height,
                     "crop \(w)x\(h)+\(x)+\(y) outside \(width)x\(height)")
        var out = [UInt16]()
        out.reserveCapacity(w * h * channels)
        for row in y..<(y + h) {
            let start = (row * width + x) * channels
            out.append(contentsOf: samples[start..<(start + w * channels)])
        }
        return Image(width: w, height: h, channels: channels, depth: depth, samples: out)
    }

    /// The centred `width`×`height` region (odd margins put the extra pixel right/bottom, as
    /// torchvision's `CenterCrop` does by rounding the offset).
    public func centerCropped(width w: Int, height h: Int) -> Image {
        precondition(w <= width && h <= height, "center crop \(w)x\(h) larger than \(width)x\(height)")
        let x = Int((Double(width - w) / 2).rounded()), y = Int((Double(height - h) / 2).rounded())
        return cropped(x: x, y: y, width: w, height: h)
    }

    /// A `width`×`height` region at a uniformly random position drawn from `rng`.
    public func randomCropped<G: RandomNumberGenerator>(width w: Int, height h: Int, using rng: inout G) -> Image {
        precondition(w <= width && h <= height, "random crop \(w)x\(h) larger than \(width)x\(height)")
        let x = Int.random(in: 0...(width - w), using: &rng)
        let y = Int.random(in: 0...(height - h), using: &rng)
        return cropped(x: x, y: y, width: w, height: h)
    }

    /// The mirror image (left and right swapped).
    public func flippedHorizontally() -> Image {
        var out = samples
        for y in 0..<height {
            for x in 0..<width {
                let src = (y * width + x) * channels, dst = (y * width + (width - 1 - x)) * channels
                for c in 0..<channels { out[dst + c] = samples[src + c] }
            }
        }
        return Image(width: width, height: height, channels: channels, depth: depth, samples: out)
    }
}
