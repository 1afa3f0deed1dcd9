/// A painting's (or photo's) segmentation as the authors of Art2Real hold it: a list of class masks,
/// each a 0/1 bitmap of the image's size, which may overlap, and may name one class twice. Pixels in
/// no mask are class 0's. A label map (one id per pixel) is the special case of disjoint masks, one
/// per non-zero id; an image with no masks at all is class 0 everywhere (the authors' missing pickle).
///
/// Geometric operations treat every bitmap as a label map does: resizing takes the nearest pixel.
public struct ClassMasks: Equatable, Sendable {
    /// One class mask: 1 where the pixel is in the class, row-major.
    public struct Entry: Equatable, Sendable {
        public let id: Int
        public var pixels: [UInt8]

        public init(id: Int, pixels: [UInt8]) {
            precondition(id >= 0, "class ids are non-negative, got \(id)")
            precondition(pixels.allSatisfy { $0 <= 1 }, "a class mask holds 0 or 1")
            self.id = id
            self.pixels = pixels
        }
    }

    public let width: Int
    public let height: Int
    /// The masks in their order (the authors test them in list order, then class 0's).
    public var entries: [Entry]

    public init(width: Int, height: Int, entries: [Entry]) {
        precondition(width > 0 && height > 0, "masks of \(width)x\(height)")
        precondition(entries.allSatisfy { $0.pixels.count == width * height }, "every class mask must be \(width)x\(height)")
        self.width = width
        self.height = height
        self.entries = entries
    }

    /// No mask: every pixel is class 0.
    public static func background(width: Int, height: Int) -> ClassMasks { ClassMasks(width: width, height: height, entries: []) }

    /// The masks of a label map: one per non-zero id present, by ascending id (id 0 is the pixels in no mask).
    public init(_ map: LabelMap) {
        var present = [Bool](repeating: false, count: 256)
        for id in map.labels { present[Int(id)] = true }
        let entries = (1..<256).filter { present[$0] }.map { id in
            Entry(id: id, pixels: map.labels.map { $0 == UInt8(id) ? 1 : 0 })
        }
        self.init(width: map.width, height: map.height, entries: entries)
    }

    /// Whether some pixel is in two masks.
    public var overlaps: Bool {
        var seen = [UInt8](repeating: 0, count: width * height)
        for entry in entries {
            for (i, v) in entry.pixels.enumerated() where v == 1 {
                if seen[i] == 1 { return true }
                seen[i] = 1
            }
        }
        return false
    }

    /// The one-id-per-pixel map of disjoint masks with ids below 256 (nil when masks overlap or an id does not fit).
    public var labelMap: LabelMap? {
        guard !overlaps, entries.allSatisfy({ $0.id < 256 }) else { return nil }
        var labels = [UInt8](repeating: 0, count: width * height)
        for entry in entries { for (i, v) in entry.pixels.enumerated() where v == 1 { labels[i] = UInt8(entry.id) } }
        return LabelMap(width: width, height: height, labels: labels)
    }

    /// 1 where a pixel is in no mask (class 0's own mask).
    public var uncovered: [UInt8] {
        var out = [UInt8](repeating: 1, count: width * height)
        for entry in entries { for (i, v) in entry.pixels.enumerated() where v == 1 { out[i] = 0 } }
        return out
    }

    /// Nearest-neighbour resize of every mask, with `LabelMap.resized`'s pixel choice.
    public func resized(width w: Int, height h: Int) -> ClassMasks {
        if w == width && h == height { return self }
        let xs = (0..<w).map { min(width - 1, Int((Double($0) + 0.5) * Double(width) / Double(w))) }
        let ys = (0..<h).map { min(height - 1, Int((Double($0) + 0.5) * Double(height) / Double(h))) }
        return ClassMasks(width: w, height: h, entries: entries.map { entry in
            var out = [UInt8](repeating: 0, count: w * h)
            for y in 0..<h { for x in 0..<w { out[y * w + x] = entry.pixels[ys[y] * width + xs[x]] } }
            return Entry(id: entry.id, pixels: out)
        })
    }

    /// The `w`×`h` region whose top-left corner is (`x`, `y`).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> ClassMasks {
        precondition(x >= 0 && y >= 0 && x + w <= width && y + h <= height, "crop \(w)x\(h)+\(x)+\(y) outside \(width)x\(height)")
        return ClassMasks(width: w, height: h, entries: entries.map { entry in
            var out: [UInt8] = []
            out.reserveCapacity(w * h)
            for row in y..<(y + h) { out += entry.pixels[(row * width + x)..<(row * width + x + w)] }
            return Entry(id: entry.id, pixels: out)
        })
    }

    /// The mirror masks (left and right swapped).
    public func flippedHorizontally() -> ClassMasks {
        ClassMasks(width: width, height: height, entries: entries.map { entry in
            var out = entry.pixels
            for y in 0..<height { for x in 0..<width { out[y * width + width - 1 - x] = entry.pixels[y * width + x] } }
            return Entry(id: entry.id, pixels: out)
        })
    }
}
