import Basics
import Glibc

/// Surface kinds; the photo renderer picks texture by material, painters pick brushwork by it.
enum Material: UInt8 {
    case sky, cloud, sun, rock, snow, grass, water, field, foliage, bark
}

/// The random description of one landscape (geometry and palette), independent of pixel size.
struct LandscapeScene {
    struct Ridge {
        var base: Float        // height above the horizon, fraction of the image
        var amplitude: Float
        var frequency: Float
        var octaves: Int
        var color: RGB
        var noiseSeed: UInt64
    }
    struct Cloud { var x: Float, y: Float, rx: Float, ry: Float }
    struct Tree {
        var x: Float, baseY: Float, height: Float, width: Float
        var conifer: Bool
        var color: RGB
    }

    var seed: UInt64
    var zenith: RGB, horizonSky: RGB, haze: RGB
    var hazeStrength: Float
    var sun: (x: Float, y: Float, radius: Float, color: RGB)?
    var lightFromLeft: Bool
    var clouds: [Cloud]
    var cloudColor: RGB
    var horizon: Float                 // y of the horizon, fraction from the top
    var mountain: Ridge?
    var snowLine: Float                // snow above this fraction of the mountain's height; > 1 means none
    var hills: [Ridge]
    var waterBottom: Float?            // water from the horizon down to here (fraction); nil: no water
    var waterColor: RGB
    var fieldColors: [RGB]
    var trees: [Tree]

    /// Draws a scene from `seed`.
    init(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        self.seed = seed
        let mood = rng.below(10)   // 0-5 clear day, 6-7 golden hour, 8-9 overcast
        switch mood {
        case 0...5:
            zenith = RGB(rng.uniform(0.12, 0.3), rng.uniform(0.35, 0.5), rng.uniform(0.7, 0.9))
            horizonSky = RGB(rng.uniform(0.68, 0.8), rng.uniform(0.8, 0.88), rng.uniform(0.9, 0.97))
            haze = RGB(0.75, 0.82, 0.9)
            cloudColor = RGB(0.97, 0.97, 0.98)
        case 6...7:
            zenith = RGB(rng.uniform(0.25, 0.4), rng.uniform(0.3, 0.42), rng.uniform(0.55, 0.7))
            horizonSky = RGB(rng.uniform(0.95, 1), rng.uniform(0.65, 0.78), rng.uniform(0.4, 0.55))
            haze = RGB(0.92, 0.75, 0.6)
            cloudColor = RGB(1, 0.85, 0.75)
        default:
            let grey = rng.uniform(0.55, 0.7)
            zenith = RGB(grey - 0.05, grey - 0.02, grey + 0.04)
            horizonSky = RGB(grey + 0.18, grey + 0.19, grey + 0.2)
            haze = RGB(grey + 0.12, grey + 0.13, grey + 0.15)
            cloudColor = RGB(grey + 0.1, grey + 0.1, grey + 0.12)
        }
        hazeStrength = rng.uniform(0.3, 1.0)
        lightFromLeft = rng.chance(0.5)
        horizon = rng.uniform(0.42, 0.62)
        if mood < 8, rng.chance(0.6) {
            let sx = lightFromLeft ? rng.uniform(0.1, 0.4) : rng.uniform(0.6, 0.9)
            let sy = mood >= 6 ? horizon * rng.uniform(0.5, 0.8) : horizon * rng.uniform(0.15, 0.5)
            let color = mood >= 6 ? RGB(1, 0.78, 0.45) : RGB(1, 0.98, 0.88)
            sun = (sx, sy, rng.uniform(0.035, 0.06), color)
        } else {
            sun = nil
        }
        var clouds: [Cloud] = []
        for _ in 0..<rng.below(mood >= 8 ? 7 : 5) {
            clouds.append(Cloud(x: rng.uniform(-0.1, 1.1), y: rng.uniform(0.05, 0.7) * horizon,
                                rx: rng.uniform(0.08, 0.22), ry: rng.uniform(0.03, 0.07)))
        }
        self.clouds = clouds

        let autumn = rng.chance(0.2), dry = !autumn && rng.chance(0.25)
        func greenish() -> RGB {
            if autumn { return RGB(rng.uniform(0.45, 0.65), rng.uniform(0.3, 0.45), rng.uniform(0.1, 0.2)) }
            if dry { return RGB(rng.uniform(0.55, 0.7), rng.uniform(0.5, 0.6), rng.uniform(0.25, 0.35)) }
            return RGB(rng.uniform(0.2, 0.35), rng.uniform(0.4, 0.55), rng.uniform(0.12, 0.25))
        }

        if rng.chance(0.7) {
            let rock = RGB(rng.uniform(0.28, 0.42), rng.uniform(0.3, 0.42), rng.uniform(0.36, 0.5))
            mountain = Ridge(base: rng.uniform(0.08, 0.16), amplitude: rng.uniform(0.12, 0.3),
                             frequency: rng.uniform(2, 4), octaves: 5, color: rock, noiseSeed: rng.next())
            snowLine = rng.chance(0.45) ? rng.uniform(0.55, 0.8) : 2
        } else {
            mountain = nil
            snowLine = 2
        }
        hills = (0..<(1 + rng.below(2))).map { layer in
            Ridge(base: rng.uniform(0.02, 0.07) - Float(layer) * 0.02, amplitude: rng.uniform(0.04, 0.1),
                  frequency: rng.uniform(1, 2.5), octaves: 3, color: greenish() * (1 - 0.12 * Float(1 - layer)),
                  noiseSeed: rng.next())
        }
        waterBottom = rng.chance(0.55) ? horizon + rng.uniform(0.12, 0.45) * (1 - horizon) : nil
        waterColor = RGB(rng.uniform(0.1, 0.2), rng.uniform(0.25, 0.35), rng.uniform(0.35, 0.5))
        fieldColors = (0..<4).map { _ in
            rng.chance(0.3) ? RGB(rng.uniform(0.7, 0.8), rng.uniform(0.6, 0.7), rng.uniform(0.3, 0.4)) : greenish()
        }
        let groundTop = waterBottom ?? horizon
        var trees: [Tree] = []
        let groups = rng.below(4)
        for _ in 0..<groups {
            let cx = rng.uniform(0, 1)
            let conifer = rng.chance(0.4)
            let color = greenish() * rng.uniform(0.55, 0.8)
            for _ in 0..<(1 + rng.below(4)) {
                let baseY = rng.uniform(groundTop + 0.02, 1.05)
                let near = (baseY - horizon) / (1 - horizon)
                let h = (0.08 + 0.35 * near) * rng.uniform(0.7, 1.3)
                trees.append(Tree(x: cx + rng.uniform(-0.08, 0.08), baseY: baseY, height: h,
                                  width: h * (conifer ? rng.uniform(0.3, 0.45) : rng.uniform(0.5, 0.8)),
                                  conifer: conifer, color: color * rng.uniform(0.85, 1.15)))
            }
        }
        self.trees = trees.sorted { $0.baseY < $1.baseY }
    }
}
