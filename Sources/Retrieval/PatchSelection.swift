/// Which patch positions go to the holdout, to the bank, or nowhere (under a cap): a seeded hash of
/// (scale, image, x, y), so each position's fate is fixed by the seed alone — not by the order
/// images arrive in — and a build resumed halfway cuts exactly what an uninterrupted one would.
/// Rates are fractions of positions, so the holdout and a capped bank hold about (not exactly)
/// `rate × positions` patches.
public struct PatchSelection: Codable, Equatable, Sendable {
    /// Fraction of positions held out, per scale.
    public var holdoutRates: [Double]
    /// Fraction of the other positions kept in the bank, per scale (1: every one).
    public var keepRates: [Double]
    public var seed: UInt64

    public enum Fate { case bank, holdout, dropped }

    public init(holdoutRates: [Double], keepRates: [Double], seed: UInt64) {
        precondition(holdoutRates.count == keepRates.count, "one holdout and one keep rate per scale")
        self.holdoutRates = holdoutRates
        self.keepRates = keepRates
        self.seed = seed
    }

    /// Rates for about `holdout` held-out patches and at most about `cap` bank patches per scale,
    /// out of `expected[s]` positions at scale `s`. At most a fifth of the positions are held out.
    public init(expected: [Int], holdout: Int, cap: Int?, seed: UInt64) {
        let hold = expected.map { $0 > 0 ? min(0.2, Double(holdout) / Double($0)) : 0 }
        let keep = zip(expected, hold).map { n, h -> Double in
            guard let cap, n > 0 else { return 1 }
            return min(1, Double(cap) / (Double(n) * (1 - h)))
        }
        self.init(holdoutRates: hold, keepRates: keep, seed: seed)
    }

    /// The fate of the patch at (`x`, `y`) of image `image` at scale `scale`.
    @inline(__always)
    public func fate(scale: Int, image: Int, x: Int, y: Int) -> Fate {
        var z = seed ^ (UInt64(truncatingIfNeeded: scale) &* 0x9E37_79B9_7F4A_7C15)
        z ^= UInt64(truncatingIfNeeded: image) << 32 ^ UInt64(truncatingIfNeeded: y) << 16 ^ UInt64(truncatingIfNeeded: x)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let u = Double(z >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let h = holdoutRates[scale]
        if u < h { return .holdout }
        let keep = keepRates[scale]
        return keep >= 1 || (u - h) / (1 - h) < keep ? .bank : .dropped
    }
}
