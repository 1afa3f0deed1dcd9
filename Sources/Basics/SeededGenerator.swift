import Glibc

/// The one seedable random source of PleinAir (xoshiro256**, seeded through SplitMix64): weight
/// initialisation, data order and crops, demo scenes, study sheets. A seed reproduces every bit.
/// Its helpers build numbers from raw bits themselves rather than through the standard library's
/// `random(in:using:)`, whose algorithm is not promised to stay, because demo data and initial
/// weights must stay byte-identical across toolchains.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let m = s1 &* 5
        let result = ((m << 7) | (m >> 57)) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A float uniformly in [0, 1) built from the top 24 bits.
    public mutating func unit() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// A float uniformly in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * unit() }

    /// An integer uniformly in 0..<bound (bound > 0); the tiny modulo bias is irrelevant here.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next() % UInt64(bound))
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Float) -> Bool { unit() < p }

    /// A standard normal sample, Box–Muller in Float (what the demo scenes are rendered with).
    public mutating func normal() -> Float {
        let u1 = max(unit(), 1e-7), u2 = unit()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * Float.pi * u2)
    }

    /// A standard normal sample, Box–Muller in Double so the tails are not clipped by Float rounding
    /// (what initial weights are drawn with).
    public mutating func nextNormal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * (1.0 / 9_007_199_254_740_993.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A seed derived from `seed` and a path of labels, so independent streams never overlap.
    public static func derive(_ seed: UInt64, _ labels: UInt64...) -> UInt64 {
        var h = seed ^ 0x6A09_E667_F3BC_C908
        for label in labels {
            h = (h ^ label) &* 0x100_0000_01B3 ^ (h >> 29)
            h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        }
        return h ^ (h >> 32)
    }

    /// A stable 64-bit code for a label string (FNV-1a), for use with `derive`.
    public static func code(_ label: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h
    }
}
