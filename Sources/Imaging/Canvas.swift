import Glibc

/// A float RGB raster the scene renderers paint on, with the few primitives brushes need.
struct Canvas {
    let width: Int, height: Int
    var r: [Float], g: [Float], b: [Float]

    init(width: Int, height: Int, fill: RGB = RGB(0, 0, 0)) {
        self.width = width
        self.height = height
        let n = width * height
        r = [Float](repeating: fill.r, count: n)
        g = [Float](repeating: fill.g, count: n)
        b = [Float](repeating: fill.b, count: n)
    }

    subscript(i: Int) -> RGB {
        get { RGB(r[i], g[i], b[i]) }
        set { r[i] = newValue.r; g[i] = newValue.g; b[i] = newValue.b }
    }

    /// The colour at a (clamped) pixel position.
    func at(_ x: Int, _ y: Int) -> RGB {
        self[min(max(y, 0), height - 1) * width + min(max(x, 0), width - 1)]
    }

    /// Blends `color` into pixel i with opacity `alpha`.
    @inline(__always) mutating func blend(_ i: Int, _ color: RGB, _ alpha: Float) {
        r[i] += (color.r - r[i]) * alpha
        g[i] += (color.g - g[i]) * alpha
        b[i] += (color.b - b[i]) * alpha
    }

    /// An ellipse with soft edges, long axis `rx` along `angle`.
    mutating func dab(cx: Float, cy: Float, rx: Float, ry: Float, angle: Float, color: RGB, alpha: Float) {
        let reach = max(rx, ry) + 1
        let x0 = max(0, Int((cx - reach).rounded(.down))), x1 = min(width - 1, Int((cx + reach).rounded(.up)))
        let y0 = max(0, Int((cy - reach).rounded(.down))), y1 = min(height - 1, Int((cy + reach).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        let c = cosf(angle), s = sinf(angle)
        for y in y0...y1 {
            for x in x0...x1 {
                let dx = Float(x) + 0.5 - cx, dy = Float(y) + 0.5 - cy
                let u = (dx * c + dy * s) / rx, v = (-dx * s + dy * c) / ry
                let d = (u * u + v * v).squareRoot()
                let coverage = clamp01((1 - d) * min(rx, ry) + 0.5)
                if coverage > 0 { blend(y * width + x, color, alpha * coverage) }
            }
        }
    }

    /// A box blur of radius `radius` (separable, clamped edges).
    func blurred(radius: Int) -> Canvas {
        guard radius > 0 else { return self }
        var out = self
        out.r = Canvas.boxBlur(r, width, height, radius)
        out.g = Canvas.boxBlur(g, width, height, radius)
        out.b = Canvas.boxBlur(b, width, height, radius)
        return out
    }

    private static func boxBlur(_ p: [Float], _ w: Int, _ h: Int, _ radius: Int) -> [Float] {
        var tmp = [Float](repeating: 0, count: p.count), out = tmp
        let norm = 1 / Float(2 * radius + 1)
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for k in -radius...radius { s += p[y * w + min(max(x + k, 0), w - 1)] }
                tmp[y * w + x] = s * norm
            }
        }
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for k in -radius...radius { s += tmp[min(max(y + k, 0), h - 1) * w + x] }
                out[y * w + x] = s * norm
            }
        }
        return out
    }

    /// Rounds to an 8-bit RGB image (values clamped to 0...1 first).
    func image() -> Image {
        var samples = [UInt16](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            samples[3 * i] = UInt16((clamp01(r[i]) * 255).rounded())
            samples[3 * i + 1] = UInt16((clamp01(g[i]) * 255).rounded())
            samples[3 * i + 2] = UInt16((clamp01(b[i]) * 255).rounded())
        }
        return Image(width: width, height: height, channels: 3, samples: samples)
    }
}
