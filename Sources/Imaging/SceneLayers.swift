import Basics
import Glibc

/// A scene rasterised at one size: the clean colours a painter would see (with haze and light,
/// without texture or noise) plus per-pixel region, material and depth, which both the photo
/// renderer and the painters read.
struct SceneLayers {
    let size: Int
    var base: Canvas
    var label: [UInt16]      // region id; boundaries between ids are where woodblock outlines go
    var material: [Material]
    var depth: [Float]       // 0 near ... 1 far

    init(scene s: LandscapeScene, size n: Int) {
        size = n
        base = Canvas(width: n, height: n)
        label = [UInt16](repeating: 1, count: n * n)
        material = [Material](repeating: .sky, count: n * n)
        depth = [Float](repeating: 1, count: n * n)
        let N = Float(n)
        let horizonPx = s.horizon * N
        let lightSign: Float = s.lightFromLeft ? 1 : -1

        func ridgeTops(_ ridge: LandscapeScene.Ridge) -> [Float] {
            let noise = ValueNoise(seed: ridge.noiseSeed)
            return (0..<n).map { x in
                let h = noise.fbm((Float(x) + 0.5) / N * ridge.frequency, 0.37, octaves: ridge.octaves, gain: 0.55)
                return horizonPx - N * (ridge.base + ridge.amplitude * h)
            }
        }
        let mountainTops = s.mountain.map(ridgeTops)
        let hillTops = s.hills.map(ridgeTops)
        let cloudNoise = ValueNoise(seed: SeededGenerator.derive(s.seed, 11))
        let snowNoise = ValueNoise(seed: SeededGenerator.derive(s.seed, 12))
        let shoreNoise = ValueNoise(seed: SeededGenerator.derive(s.seed, 13))
        let fieldNoise = ValueNoise(seed: SeededGenerator.derive(s.seed, 14))
        let fieldSlant = ValueNoise(seed: SeededGenerator.derive(s.seed, 15)).lattice(0, 0) * 2 - 1

        func skyColor(_ y: Float) -> RGB {
            let t = clamp01(y / max(horizonPx, 1))
            return s.zenith.mix(s.horizonSky, powf(t, 0.7))
        }
        func slopeShade(_ tops: [Float], _ x: Int, strength: Float) -> Float {
            let slope = (tops[min(x + 1, n - 1)] - tops[max(x - 1, 0)]) * 0.5
            return 1 + strength * max(-1, min(1, -slope * lightSign * 0.8))
        }

        for y in 0..<n {
            let fy = Float(y) + 0.5
            for x in 0..<n {
                let fx = Float(x) + 0.5
                let i = y * n + x
                // Sky, sun glow and disc.
                var c = skyColor(fy)
                var lab: UInt16 = 1, mat = Material.sky, dep: Float = 1
                if let sun = s.sun {
                    let dx = fx / N - sun.x, dy = fy / N - sun.y
                    let d = (dx * dx + dy * dy).squareRoot()
                    c = c + sun.color * (0.35 * expf(-(d * d) / (sun.radius * sun.radius * 16)))
                    let disc = clamp01((sun.radius - d) * N + 0.5)
                    if disc > 0 { c = c.mix(sun.color, disc) }
                    if disc > 0.5 { lab = 2; mat = .sun }
                }
                for (k, cloud) in s.clouds.enumerated() {
                    let dx = (fx / N - cloud.x) / cloud.rx, dy = (fy / N - cloud.y) / cloud.ry
                    if abs(dx) > 1.6 || abs(dy) > 1.8 { continue }
                    let v = 1 - (dx * dx + dy * dy) + 0.9 * (cloudNoise.fbm(fx / N * 9, fy / N * 18, octaves: 3) - 0.5)
                    let cover = smoothstep(0, 0.3, v)
                    if cover > 0 {
                        let shade = 1 - 0.22 * clamp01((dy + 1) * 0.5)
                        c = c.mix(s.cloudColor * shade, cover * 0.92)
                        if cover > 0.5 { lab = UInt16(10 + k); mat = .cloud }
                    }
                }
                // Mountains, then hills, in front of the sky.
                if let ridge = s.mountain, let tops = mountainTops {
                    let cover = clamp01(fy + 0.5 - tops[x])
                    if cover > 0 {
                        var rock = ridge.color * slopeShade(tops, x, strength: 0.3)
                        let height = (horizonPx - fy) / (N * (ridge.base + ridge.amplitude))
                        let snow = height + 0.25 * (snowNoise.fbm(fx / N * 12, fy / N * 12, octaves: 3) - 0.5)
                        var m = Material.rock
                        if snow > s.snowLine {
                            rock = RGB(0.93, 0.94, 0.97) * slopeShade(tops, x, strength: 0.15)
                            m = .snow
                        }
                        c = c.mix(rock, cover)
                        if cover > 0.5 { lab = m == .snow ? 31 : 30; mat = m; dep = 0.92 }
                    }
                }
                for (layer, ridge) in s.hills.enumerated() {
                    let tops = hillTops[layer]
                    let cover = clamp01(fy + 0.5 - tops[x])
                    if cover > 0 {
                        let down = clamp01((fy - tops[x]) / (N * 0.15))
                        let grass = ridge.color * slopeShade(tops, x, strength: 0.2) * (1 - 0.15 * down)
                        c = c.mix(grass, cover)
                        if cover > 0.5 { lab = UInt16(40 + layer); mat = .grass; dep = 0.75 - 0.1 * Float(layer) }
                    }
                }
                // Water and fields below the horizon.
                if fy > horizonPx {
                    let below = (fy - horizonPx) / (N - horizonPx)
                    let groundDepth = 0.6 * (1 - below)
                    let shore = s.waterBottom.map {
                        $0 * N + N * 0.04 * (shoreNoise.fbm(fx / N * 5, 0.5, octaves: 2) - 0.5)
                    }
                    if let shoreY = shore, fy < shoreY {
                        let mirror = Int(2 * horizonPx - fy)
                        let reflected = mirror >= 0 && mirror < y ? base[mirror * n + x] : skyColor(0)
                        c = reflected.mix(s.waterColor, 0.35 + 0.3 * below) * 0.88
                        lab = 50; mat = .water; dep = groundDepth
                    } else {
                        // Field bands in perspective; 2x2 supersampled so their borders are antialiased.
                        func bandValue(_ sx: Float, _ sy: Float) -> Float {
                            let b = max((sy - horizonPx) / (N - horizonPx), 0.02)
                            return 1 / b * 0.9 + fieldSlant * (sx / N - 0.5) * 3 + 0.6 * fieldNoise.sample(sx / N * 3, 0.5)
                        }
                        var color = RGB(0, 0, 0)
                        for (ox, oy) in [(Float(-0.25), Float(-0.25)), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25)] {
                            let k = Int(bandValue(fx + ox, fy + oy).rounded(.down))
                            color = color + s.fieldColors[((k % 4) + 4) % 4] * 0.25
                        }
                        let band = Int(bandValue(fx, fy).rounded(.down))
                        c = color * (0.85 + 0.25 * below)
                        lab = UInt16(60 + ((band % 16) + 16) % 16); mat = .field; dep = groundDepth
                    }
                }
                base[i] = c
                label[i] = lab
                material[i] = mat
                depth[i] = dep
            }
        }
        drawTrees(s, lightSign: lightSign)
        applyHaze(s)
    }

    private mutating func drawTrees(_ s: LandscapeScene, lightSign: Float) {
        let n = size, N = Float(size)
        let horizon = s.horizon
        let noise = ValueNoise(seed: SeededGenerator.derive(s.seed, 21))
        for (k, tree) in s.trees.enumerated() {
            let cx = tree.x * N, foot = tree.baseY * N, h = tree.height * N, w = tree.width * N
            let top = foot - h, canopyBottom = foot - h * (tree.conifer ? 0.12 : 0.3)
            let trunkHalf = max(0.5, w * 0.07)
            let x0 = max(0, Int(cx - w)), x1 = min(n - 1, Int(cx + w) + 1)
            let y0 = max(0, Int(top) - 1), y1 = min(n - 1, Int(foot) + 1)
            guard x0 <= x1, y0 <= y1 else { continue }
            let dep = 0.6 * (1 - clamp01((tree.baseY - horizon) / (1 - horizon)))
            let trunk = RGB(0.28, 0.2, 0.14)
            for y in y0...y1 {
                let fy = Float(y) + 0.5
                for x in x0...x1 {
                    let fx = Float(x) + 0.5
                    let i = y * n + x
                    let wobble = 0.55 * (noise.fbm(fx / max(w, 1) * 2.5 + Float(k) * 7, fy / max(w, 1) * 2.5, octaves: 3) - 0.5)
                    var v: Float
                    var side: Float
                    if tree.conifer {
                        let half = w * 0.5 * clamp01((fy - top) / max(canopyBottom - top, 1))
                        v = 1 - abs(fx - cx) / max(half, 0.3) + wobble
                        side = (fx - cx) / max(half, 0.5)
                        if fy > canopyBottom { v = -1 }
                    } else {
                        let cy = (top + canopyBottom) * 0.5, rx = w * 0.5, ry = (canopyBottom - top) * 0.5
                        let dx = (fx - cx) / max(rx, 0.5), dy = (fy - cy) / max(ry, 0.5)
                        v = 1 - (dx * dx + dy * dy) + wobble
                        side = dx
                    }
                    let cover = smoothstep(0, 0.25, v)
                    if cover > 0 {
                        let shade = 1 - 0.3 * max(-1, min(1, side)) * lightSign - 0.15 * clamp01((fy - top) / max(h, 1))
                        base.blend(i, tree.color * shade, cover)
                        if cover > 0.5 { label[i] = UInt16(200 + k); material[i] = .foliage; depth[i] = dep }
                    } else if fy > canopyBottom - 1, fy <= foot, abs(fx - cx) < trunkHalf + 0.5 {
                        let t = clamp01(trunkHalf + 0.5 - abs(fx - cx))
                        base.blend(i, trunk, t)
                        if t > 0.5 { label[i] = UInt16(200 + k); material[i] = .bark; depth[i] = dep }
                    }
                }
            }
        }
    }

    // Aerial perspective: distant land fades toward the haze colour (the sky already has its gradient).
    private mutating func applyHaze(_ s: LandscapeScene) {
        for i in 0..<(size * size) where material[i] != .sky && material[i] != .cloud && material[i] != .sun {
            let amount = (1 - expf(-1.6 * depth[i] * s.hazeStrength)) * 0.7
            base.blend(i, s.haze, amount)
        }
    }
}
