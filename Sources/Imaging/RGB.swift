import Glibc

/// A linear-ish float colour used while rendering the demo scenes (components nominally 0...1).
struct RGB: Equatable {
    var r: Float, g: Float, b: Float

    init(_ r: Float, _ g: Float, _ b: Float) { self.r = r; self.g = g; self.b = b }

    static func + (a: RGB, b: RGB) -> RGB { RGB(a.r + b.r, a.g + b.g, a.b + b.b) }
    static func - (a: RGB, b: RGB) -> RGB { RGB(a.r - b.r, a.g - b.g, a.b - b.b) }
    static func * (a: RGB, k: Float) -> RGB { RGB(a.r * k, a.g * k, a.b * k) }
    static func * (a: RGB, b: RGB) -> RGB { RGB(a.r * b.r, a.g * b.g, a.b * b.b) }

    /// Linear interpolation: `self` at t = 0, `other` at t = 1.
    func mix(_ other: RGB, _ t: Float) -> RGB { self + (other - self) * t }

    /// Rec. 601 luma.
    var luma: Float { 0.299 * r + 0.587 * g + 0.114 * b }

    /// Scales the distance from grey by `k` (k > 1 saturates).
    func saturated(_ k: Float) -> RGB {
        let y = luma
        return RGB(y + (r - y) * k, y + (g - y) * k, y + (b - y) * k)
    }

    func clamped() -> RGB { RGB(min(max(r, 0), 1), min(max(g, 0), 1), min(max(b, 0), 1)) }

    /// Rotates the hue by `angle` radians about the grey axis (keeps luma roughly).
    func hueRotated(_ angle: Float) -> RGB {
        let c = cosf(angle), s = sinf(angle), k: Float = 1.0 / 3.0, sq = sqrtf(k)
        let m0 = c + (1 - c) * k, m1 = k * (1 - c) - sq * s, m2 = k * (1 - c) + sq * s
        return RGB(r * m0 + g * m1 + b * m2, r * m2 + g * m0 + b * m1, r * m1 + g * m2 + b * m0)
    }

    /// Squared distance, for nearest-palette lookups.
    func distance2(_ o: RGB) -> Float {
        let dr = r - o.r, dg = g - o.g, db = b - o.b
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }
}

@inline(__always) func smoothstep(_ e0: Float, _ e1: Float, _ x: Float) -> Float {
    let t = min(max((x - e0) / (e1 - e0), 0), 1)
    return t * t * (3 - 2 * t)
}

@inline(__always) func clamp01(_ x: Float) -> Float { min(max(x, 0), 1) }
