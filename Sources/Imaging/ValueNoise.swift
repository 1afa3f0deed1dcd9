import Glibc

/// Hashed-lattice value noise: smooth pseudo-random fields for textures, ridges and clouds.
/// Pure functions of (seed, coordinates), so images never depend on drawing order.
struct ValueNoise {
    let seed: UInt64

    @inline(__always)
    func lattice(_ x: Int, _ y: Int) -> Float {
        var h = seed &+ UInt64(bitPattern: Int64(x)) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bitPattern: Int64(y)) &* 0xC2B2_AE3D_27D4_EB4F
        h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        return Float(h >> 40) * (1.0 / 16_777_216.0)
    }

    /// Smooth noise in [0, 1) with unit lattice spacing.
    func sample(_ x: Float, _ y: Float) -> Float {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        let ix = Int(fx), iy = Int(fy)
        var tx = x - fx, ty = y - fy
        tx = tx * tx * (3 - 2 * tx)
        ty = ty * ty * (3 - 2 * ty)
        let a = lattice(ix, iy), b = lattice(ix + 1, iy)
        let c = lattice(ix, iy + 1), d = lattice(ix + 1, iy + 1)
        let top = a + (b - a) * tx, bottom = c + (d - c) * tx
        return top + (bottom - top) * ty
    }

    /// Fractal sum of `octaves` octaves (each twice the frequency, `gain` times the amplitude), in [0, 1).
    func fbm(_ x: Float, _ y: Float, octaves: Int, gain: Float = 0.5) -> Float {
        var sum: Float = 0, amplitude: Float = 1, total: Float = 0, f: Float = 1
        for octave in 0..<octaves {
            sum += amplitude * ValueNoise(seed: seed &+ UInt64(octave) &* 7919).sample(x * f, y * f)
            total += amplitude
            amplitude *= gain
            f *= 2
        }
        return sum / total
    }
}
