import Basics

/// Which semantic class a patch belongs to (aimagelab/art2real's rule): the class of at least half of
/// its pixels, otherwise class 0 (everything else). Two classes can hold exactly half each; the
/// named one (non-zero id) wins over class 0, and between two named ones the smaller id.
public enum PatchClassRule {
    /// The class of every patch position of `scale` in `map` (already at the rescaled image's size),
    /// row-major over (y, x) positions like `Tensor.patches` and `BankShard.add`.
    public static func classes(of map: LabelMap, scale: PatchScale) -> [UInt8] {
        let p = scale.patch
        let nx = scale.positions(map.width), ny = scale.positions(map.height)
        guard nx > 0, ny > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: nx * ny)
        var counts = [Int](repeating: 0, count: 256)
        map.labels.withUnsafeBufferPointer { labels in
            for py in 0..<ny {
                for px in 0..<nx {
                    let x0 = px * scale.stride, y0 = py * scale.stride
                    for dy in 0..<p {
                        let row = (y0 + dy) * map.width + x0
                        for dx in 0..<p { counts[Int(labels[row + dx])] += 1 }
                    }
                    var best = -1, bestCount = 0
                    for dy in 0..<p {
                        let row = (y0 + dy) * map.width + x0
                        for dx in 0..<p {
                            let id = Int(labels[row + dx]), c = counts[id]
                            if c > 0, better(id, c, than: best, bestCount) { best = id; bestCount = c }
                        }
                    }
                    out[py * nx + px] = 2 * bestCount >= p * p ? UInt8(best) : 0
                    for dy in 0..<p {
                        let row = (y0 + dy) * map.width + x0
                        for dx in 0..<p { counts[Int(labels[row + dx])] = 0 }
                    }
                }
            }
        }
        return out
    }

    /// The classes of the positions of `scale` on an image of `width`×`height` whose mask is `map`:
    /// the mask is rescaled with the image (nearest pixel) as `scale.rescale` asks.
    public static func classes(of map: LabelMap, scale: PatchScale, width: Int, height: Int) -> [UInt8] {
        classes(of: map.resized(width: scale.rescaled(width), height: scale.rescaled(height)), scale: scale)
    }

    @inline(__always)
    private static func better(_ id: Int, _ count: Int, than best: Int, _ bestCount: Int) -> Bool {
        if best < 0 || count > bestCount { return true }
        if count < bestCount || id == best { return false }
        if best == 0 { return true }
        return id != 0 && id < best
    }
}
