import Basics
import Glibc

extension SceneLayers {
    /// Renders the scene as a painting in `style`; painters see `base` (light, haze, shapes) and
    /// never the photo's texture or noise, which is what makes the two domains differ.
    func painting(_ style: PaintingStyle, seed: UInt64) -> Canvas {
        switch style {
        case .impressionist: return impressionist(seed: seed)
        case .expressive: return expressive(seed: seed)
        case .woodblock: return woodblock(seed: seed)
        }
    }

    /// Pixels per "64-pixel unit": brush sizes scale with the image.
    private var unit: Float { Float(size) / 64 }

    // Broken colour in short dabs over a pale, blurred underpainting; light, chalky palette with
    // violet shadows (Monet-like).
    private func impressionist(seed: UInt64) -> Canvas {
        var rng = SeededGenerator(seed: SeededGenerator.derive(seed, 41))
        func palette(_ c: RGB) -> RGB {
            var p = c.saturated(1.35).mix(RGB(1, 0.98, 0.94), 0.2)
            let shadow = clamp01(0.5 - c.luma) * 0.25
            p = p + RGB(0.5 * shadow, 0, shadow)
            return p
        }
        var canvas = base.blurred(radius: max(1, Int(unit)))
        for i in 0..<(size * size) { canvas[i] = palette(canvas[i]) }
        let n = size, N = Float(size)
        let dabs = Int(N * N * 0.9 / (unit * unit))
        for _ in 0..<dabs {
            let x = rng.uniform(0, N), y = rng.uniform(0, N)
            let i = min(Int(y), n - 1) * n + min(Int(x), n - 1)
            var color = palette(base[i])
            color = color + RGB(rng.normal(), rng.normal(), rng.normal()) * 0.07 + RGB(1, 1, 1) * (0.04 * rng.normal())
            if rng.chance(0.12) { color = color.hueRotated(rng.uniform(-0.9, 0.9)) }
            let horizontal = material[i] == .water || material[i] == .field
            let angle = horizontal ? rng.normal() * 0.2 : rng.uniform(-1.2, 1.2)
            canvas.dab(cx: x, cy: y, rx: unit * rng.uniform(0.9, 1.7), ry: unit * rng.uniform(0.5, 0.8),
                       angle: angle, color: color.clamped(), alpha: 0.85)
        }
        return canvas
    }

    // Long directional strokes along a flow field (swirls in the sky, flames in trees, furrows on
    // the ground), saturated colour and ridged edges (Van Gogh-like).
    private func expressive(seed: UInt64) -> Canvas {
        var rng = SeededGenerator(seed: SeededGenerator.derive(seed, 42))
        let flowNoise = ValueNoise(seed: SeededGenerator.derive(seed, 43))
        let n = size, N = Float(size)
        func palette(_ c: RGB) -> RGB {
            var p = c.saturated(1.9)
            p = (p - RGB(0.5, 0.5, 0.5)) * 1.25 + RGB(0.5, 0.5, 0.5)
            if c.b > c.r { p = p + RGB(-0.05, 0, 0.08) } else { p = p + RGB(0.06, 0.04, -0.06) }
            return p.clamped()
        }
        var vortices: [(x: Float, y: Float, spin: Float)] = []
        for _ in 0..<2 { vortices.append((rng.uniform(0.1, 0.9) * N, rng.uniform(0.05, 0.35) * N, rng.chance(0.5) ? 1 : -1)) }
        func angle(_ x: Float, _ y: Float, _ m: Material) -> Float {
            let wiggle = (flowNoise.fbm(x / N * 4, y / N * 4, octaves: 2) - 0.5) * 2.2
            switch m {
            case .sky, .cloud, .sun:
                var best = vortices[0], bestD = Float.infinity
                for v in vortices {
                    let d = (x - v.x) * (x - v.x) + (y - v.y) * (y - v.y)
                    if d < bestD { bestD = d; best = v }
                }
                let tangent = atan2f(y - best.y, x - best.x) + best.spin * Float.pi / 2
                let pull = expf(-bestD / (N * N * 0.03))
                return pull * tangent + (1 - pull) * wiggle * 0.4
            case .foliage, .bark: return -Float.pi / 2 + wiggle * 0.5
            case .water: return wiggle * 0.15
            case .field, .grass: return wiggle * 0.45
            case .rock, .snow: return wiggle * 0.9
            }
        }
        var canvas = base.blurred(radius: max(1, Int(unit)))
        for i in 0..<(n * n) { canvas[i] = palette(canvas[i]) * 0.8 }
        let strokes = Int(N * N * 0.2 / (unit * unit))
        for _ in 0..<strokes {
            var x = rng.uniform(0, N), y = rng.uniform(0, N)
            let start = min(Int(y), n - 1) * n + min(Int(x), n - 1)
            let m = material[start]
            var color = palette(base[start]) + RGB(rng.normal(), rng.normal(), rng.normal()) * 0.06
            if rng.chance(0.1) { color = color.hueRotated(rng.chance(0.5) ? 0.5 : -0.5) }
            color = color.clamped()
            let edge = color * 0.55
            let width = unit * rng.uniform(0.8, 1.3)
            let steps = Int(unit * rng.uniform(5, 10))
            for _ in 0..<steps {
                let i = min(max(Int(y), 0), n - 1) * n + min(max(Int(x), 0), n - 1)
                guard material[i] == m || material[i] == .cloud || m == .cloud else { break }
                let a = angle(x, y, m)
                canvas.dab(cx: x, cy: y, rx: width * 1.35, ry: width * 1.35, angle: 0, color: edge, alpha: 0.5)
                canvas.dab(cx: x, cy: y, rx: width, ry: width, angle: 0, color: color, alpha: 0.95)
                x += cosf(a) * 0.8 * unit
                y += sinf(a) * 0.8 * unit
            }
        }
        return canvas
    }

    // Flat colour areas from a small traditional palette, graded sky bands, patterned water and
    // dark outlines at every region boundary, on warm paper (ukiyo-e-like).
    private func woodblock(seed: UInt64) -> Canvas {
        var rng = SeededGenerator(seed: SeededGenerator.derive(seed, 44))
        let paperNoise = ValueNoise(seed: SeededGenerator.derive(seed, 45))
        let n = size, N = Float(size)
        let paper = RGB(0.93, 0.88, 0.76)
        let inks: [RGB] = [
            RGB(0.13, 0.23, 0.42), RGB(0.25, 0.42, 0.6), RGB(0.55, 0.7, 0.78), RGB(0.2, 0.42, 0.38),
            RGB(0.45, 0.55, 0.3), RGB(0.68, 0.72, 0.5), RGB(0.8, 0.65, 0.38), RGB(0.55, 0.38, 0.25),
            RGB(0.78, 0.3, 0.22), RGB(0.9, 0.62, 0.55), RGB(0.3, 0.3, 0.32), paper, RGB(0.98, 0.96, 0.9),
            RGB(0.12, 0.28, 0.18), RGB(0.3, 0.45, 0.22),
        ]
        func ink(_ c: RGB) -> RGB {
            var best = inks[0], bestD = Float.infinity
            for k in inks {
                let d = k.distance2(c)
                if d < bestD { bestD = d; best = k }
            }
            return best
        }
        // Mean colour of every region, then its nearest ink.
        var sums: [UInt16: (RGB, Float)] = [:]
        for i in 0..<(n * n) {
            let entry = sums[label[i]] ?? (RGB(0, 0, 0), 0)
            sums[label[i]] = (entry.0 + base[i], entry.1 + 1)
        }
        var flat: [UInt16: RGB] = [:]
        for (id, entry) in sums { flat[id] = ink((entry.0 * (1 / entry.1)).saturated(1.7)) }
        let sunset = rng.chance(0.3)
        let bandDepth = rng.uniform(0.18, 0.32)
        let wavePeriod = unit * rng.uniform(3.5, 5)
        var canvas = Canvas(width: n, height: n, fill: paper)
        var skyline = [Float](repeating: N, count: n)
        for x in 0..<n {
            for y in 0..<n where material[y * n + x] != .sky && material[y * n + x] != .cloud && material[y * n + x] != .sun {
                skyline[x] = Float(y); break
            }
        }
        for y in 0..<n {
            let fy = Float(y) + 0.5
            for x in 0..<n {
                let fx = Float(x) + 0.5
                let i = y * n + x
                var c: RGB
                switch material[i] {
                case .sky:
                    // Bokashi: a dark band graded into the paper, optionally a warm glow at the skyline.
                    let t = fy / N
                    c = paper.mix(RGB(0.12, 0.22, 0.42), clamp01(1 - t / bandDepth))
                    if sunset { c = c.mix(RGB(0.88, 0.55, 0.45), clamp01(1 - (skyline[x] - fy) / (N * 0.15)) * 0.8) }
                case .sun: c = RGB(0.8, 0.2, 0.15)
                case .cloud: c = RGB(0.97, 0.95, 0.9)
                case .water:
                    c = flat[label[i]] ?? paper
                    let wave = (fy + unit * 1.2 * sinf(fx / (unit * 3))).truncatingRemainder(dividingBy: wavePeriod)
                    if wave < unit * 0.7 { c = c.mix(RGB(0.95, 0.95, 0.9), 0.75) }
                default: c = flat[label[i]] ?? paper
                }
                // Outline where the region changes (right or below neighbour).
                let id = label[i]
                if (x + 1 < n && label[i + 1] != id) || (y + 1 < n && label[i + n] != id) {
                    if !(material[i] == .sky && material[min(i + n, n * n - 1)] == .sky) {
                        c = RGB(0.12, 0.11, 0.16)
                    }
                }
                let fiber = paperNoise.fbm(fx * 0.12 / unit, fy * 0.9 / unit, octaves: 2) - 0.5  // horizontal fibres
                canvas[i] = (c * (1 + 0.09 * fiber)).mix(paper, 0.06)
            }
        }
        return canvas
    }
}
