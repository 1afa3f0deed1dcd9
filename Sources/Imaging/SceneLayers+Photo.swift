import Basics
import Glibc

extension SceneLayers {
    /// Renders the scene as a "photograph": the clean layers plus what cameras add and painters
    /// leave out — fine surface texture by material, a smooth illumination field, lens vignetting,
    /// a gentle tone curve and sensor noise (shot noise growing with brightness, plus read noise).
    func photo(seed: UInt64) -> Canvas {
        let n = size, N = Float(size)
        var out = base
        var rng = SeededGenerator(seed: SeededGenerator.derive(seed, 31))
        let fine = ValueNoise(seed: SeededGenerator.derive(seed, 32))
        let tint = ValueNoise(seed: SeededGenerator.derive(seed, 33))
        let light = ValueNoise(seed: SeededGenerator.derive(seed, 34))
        let exposure = rng.uniform(0.92, 1.08)
        let gradient = rng.uniform(-0.12, 0.12)
        let vignette = rng.uniform(0.15, 0.3)
        let scale = 64 / N  // texture frequency per pixel stays photographic at any size
        for y in 0..<n {
            let fy = Float(y) + 0.5
            for x in 0..<n {
                let fx = Float(x) + 0.5
                let i = y * n + x
                var c = out[i]
                // Surface texture: the amplitude and grain direction come from the material, the
                // scale from the depth (distant surfaces show finer, fainter grain).
                let (amplitude, stretch): (Float, Float)
                switch material[i] {
                case .sky: (amplitude, stretch) = (0.008, 1)
                case .sun: (amplitude, stretch) = (0, 1)
                case .cloud: (amplitude, stretch) = (0.06, 1)
                case .rock: (amplitude, stretch) = (0.18, 1)
                case .snow: (amplitude, stretch) = (0.06, 1)
                case .grass: (amplitude, stretch) = (0.16, 1)
                case .water: (amplitude, stretch) = (0.12, 6)
                case .field: (amplitude, stretch) = (0.16, 3)
                case .foliage: (amplitude, stretch) = (0.3, 1)
                case .bark: (amplitude, stretch) = (0.15, 0.3)
                }
                if amplitude > 0 {
                    let f = 0.55 / scale * (1 + depth[i])
                    let grain = fine.fbm(fx * f / stretch, fy * f, octaves: 3, gain: 0.6) - 0.5
                    let hue = tint.fbm(fx * f * 0.5, fy * f * 0.5, octaves: 2) - 0.5
                    let k = amplitude * (1 - 0.5 * depth[i])
                    c = c * (1 + 2 * k * grain)
                    c = c + RGB(0.08, 0.1, -0.05) * (k * hue)
                }
                // Illumination: a broad cloud-shadow field and a gradient across the frame.
                let broad = light.fbm(fx / N * 2.2, fy / N * 2.2, octaves: 2) - 0.5
                var gain = exposure * (1 + 0.22 * broad + gradient * (fx / N - 0.5))
                let rx = fx / N - 0.5, ry = fy / N - 0.5
                gain *= 1 - vignette * (rx * rx + ry * ry) * 2
                c = c * gain
                // Tone curve (soft shoulder) then sensor noise, brighter pixels noisier.
                c = RGB(c.r / (1 + 0.18 * c.r) * 1.18, c.g / (1 + 0.18 * c.g) * 1.18, c.b / (1 + 0.18 * c.b) * 1.18)
                let shot = 0.011 * c.luma.squareRoot()
                let common = rng.normal() * shot
                c = c + RGB(common + 0.004 * rng.normal(), common + 0.0035 * rng.normal(), common + 0.005 * rng.normal())
                out[i] = c.clamped()
            }
        }
        return out
    }
}
