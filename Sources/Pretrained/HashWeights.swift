import NN

/// Deterministic "random" weights from an integer hash of (state-dict key, element index, seed),
/// so the Swift tests and the Python reference build the same network without sharing a file.
enum HashWeights {
    /// FNV-1a (32-bit) of the key's UTF-8 bytes.
    static func fnv1a(_ text: String) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in text.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        return h
    }

    /// The hash of index `i` under `seed` (mirrors `hash_u32` in fid_reference.py).
    @inline(__always)
    static func hash(_ i: UInt64, seed: UInt32) -> UInt64 {
        let mask: UInt64 = 0xFFFF_FFFF
        var x = (i &* 0x9E37_79B1 &+ UInt64(seed)) & mask
        x ^= x >> 16; x = (x &* 0x45D_9F3B) & mask
        x ^= x >> 16; x = (x &* 0x45D_9F3B) & mask
        x ^= x >> 16
        return x
    }

    /// (offset, half-width) of the uniform value range for a parameter, by its role.
    static func range(_ key: String, shape: [Int]) -> (Double, Double) {
        if key.hasSuffix("conv.weight") { return (0, (6.0 / Double(shape.dropFirst().reduce(1, *))).squareRoot()) }
        // VGG's plain convolutions (`features.N.weight`): He-uniform, so activations keep their scale through 16 layers.
        if key.hasPrefix("features."), key.hasSuffix(".weight"), shape.count == 4 {
            return (0, (6.0 / Double(shape.dropFirst().reduce(1, *))).squareRoot())
        }
        if key.hasPrefix("features."), key.hasSuffix(".bias") { return (0, 0.05) }
        if key.hasSuffix("bn.weight") { return (1, 0.2) }
        if key.hasSuffix("bn.running_var") { return (1, 0.5) }
        return (0, 0.2)
    }

    static func fill(_ module: any Module, seed: UInt32) {
        for (key, t) in module.namedParameters() + module.namedBuffers() {
            let (offset, scale) = range(key, shape: t.shape)
            let s = fnv1a(key) &+ seed &* 0x9E37_79B9
            let p = t.pointer
            for i in 0..<t.count {
                let u = Double(hash(UInt64(i), seed: s)) / 4_294_967_296.0
                p[i] = Float(offset + scale * (2.0 * u - 1.0))
            }
        }
    }
}
