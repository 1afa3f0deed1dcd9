import Basics
import Foundation
import Imaging
import Pipeline
import Tensor
import Retrieval

/// `retrieval_sheet`: shows what the patch loss copies from. One row per sampled patch of the input
/// images: the image with the patch boxed, the patch, its k retrieved real patches (nearest first,
/// captioned with their L2 distance) and the photograph the nearest one was cut from, boxed. With a
/// semantic bank and the images' `masks`, each patch is matched in its class's bank as the loss does,
/// and its frames are coloured by that class (the caption names the region's class and the bank's).
package struct RetrievalSheetStage: Stage {
    package init() {}

    static let rows = Param<Int>("rows", default: 8, rule: .atLeast(1), doc: "patches shown per scale, a seeded sample of the images' positions")
    static let k = Param<Int>("k", default: 5, rule: .atLeast(1), doc: "neighbours shown per patch (the loss's k = 5, aimagelab/art2real)")
    static let cell = Param<Int>("cell", default: 64, rule: .atLeast(16), doc: "cell size in pixels")
    static let classTerms = Param<ClassTerms>("class_terms", default: .shares,
                                              doc: "with a semantic bank, the loss's rule: 'authors' shows a patch once per class it joins "
                                                  + "(and not at all when it joins none), 'shares' once in its one class (train's class_terms)")
    static let imageCount = Param<Int>("images", default: 4, rule: .atLeast(1),
                                       doc: "how many input images (the first, in name order) to sample from")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "retrieval_sheet", version: 2,
            summary: "a PNG per scale: sampled patches of the images beside the real patches they retrieve and their sources",
            params: [Self.rows.spec, Self.k.spec, Self.cell.spec, Self.imageCount.spec, Self.classTerms.spec],
            inputs: [("images", true), ("bank", true), ("index", true), ("photos", true), ("masks", false)], outputs: ["sheet"],
            metrics: { _ in [] })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let rows = p[Self.rows], k = p[Self.k], cell = p[Self.cell]
        let bank = try context.input("bank")
        let terms = p[Self.classTerms]
        let loss = try PatchLoss(bankFolder: bank, indexFolder: try context.input("index"), classTerms: terms, k: k, threads: context.threads)
        let set = try MemoryBankSet(folder: bank)
        let photos = try context.input("photos")
        let folder = try ImageFolder(root: try context.input("images"))
        let chosen = Array(folder.relativePaths.prefix(p[Self.imageCount]))
        guard !chosen.isEmpty else { throw StageFailure.message("no images in \(folder.root.path)") }
        let images = try chosen.map { try ImageCodec.read(folder.root.appendingPathComponent($0)).convertedTo8Bit().toRGB() }
        var masks: [LabelMap]?
        if loss.isSemantic {
            guard let maskFolder = context.inputs["masks"] else {
                throw StageFailure.message("the bank is semantic (one per class): input 'masks' must give the images' masks")
            }
            let opened = try MaskFolder(root: maskFolder)
            masks = try zip(chosen, images).map { path, image in
                try opened.mask(for: path, width: image.width, height: image.height)
            }
        }
        let names = Dictionary(uniqueKeysWithValues: set.members.map { ($0.id, $0.name) })
        let out = try context.output("sheet")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for (s, scale) in loss.scales.enumerated() {
            try context.checkCancelled()
            let patchScale = scale.bank.scale
            // (image, patch index, retrieval) for every patch of every chosen image, then an even sample.
            var candidates: [Candidate] = []
            for (i, image) in images.enumerated() {
                let w = patchScale.rescaled(image.width), h = patchScale.rescaled(image.height)
                let source = (w == image.width && h == image.height) ? image : image.resized(width: w, height: h, filter: .bilinear)
                guard patchScale.positions(w) > 0, patchScale.positions(h) > 0 else { continue }
                // The loss cuts the rescaled image and rescales the mask with it; so does the sheet.
                let tensor = Tensor(image: image)
                let columns = patchScale.positions(w)
                if terms == .authors {
                    // One row per (patch, class it joined): each is part of that class's term.
                    for term in try loss.authorsRetrieve(tensor, scale: s, masks: masks.map { [ClassMasks($0[i])] })[0] {
                        let kk = term.neighbors.k
                        for (q, position) in term.positions.enumerated() {
                            candidates.append(Candidate(image: i, patch: position, columns: columns, source: source, region: term.classID,
                                                        served: term.bank, labels: Array(term.neighbors.labels[(q * kk)..<((q + 1) * kk)]),
                                                        distances: Array(term.neighbors.distances[(q * kk)..<((q + 1) * kk)])))
                        }
                    }
                    continue
                }
                let retrieval = try loss.retrieve(tensor, scale: s, masks: masks.map { [$0[i]] })[0]
                let regions = masks.map { PatchClassRule.classes(of: $0[i], scale: patchScale, width: image.width, height: image.height) }
                for q in 0..<retrieval.neighbors.queryCount {
                    let labels = Array(retrieval.neighbors.labels(of: q))
                    candidates.append(Candidate(image: i, patch: q, columns: retrieval.columns, source: source,
                                                region: regions.map { Int($0[q]) } ?? 0, served: retrieval.classes[q], labels: labels,
                                                distances: Array(retrieval.neighbors.distances[(q * retrieval.neighbors.k)...].prefix(labels.count))))
                }
            }
            guard !candidates.isEmpty else {
                context.log.write("\(patchScale.name): images smaller than the patch, no sheet")
                continue
            }
            var cells: [ContactSheet.Cell] = []
            // A seeded draw rather than evenly spaced indices, which fall on the same column of every image.
            var rng = SeededGenerator(seed: UInt64(s))
            let picks = Array(candidates.indices.shuffled(using: &rng).prefix(rows)).sorted()
            for pick in picks {
                let c = candidates[pick]
                let x = (c.patch % c.columns) * patchScale.stride, y = (c.patch / c.columns) * patchScale.stride
                let served = c.served
                let classBank = loss.classBanks.first { $0.id == served }!.scales[s]!
                let colour = Self.colour(served)
                cells.append(.init(boxed(c.source, x: x, y: y, size: patchScale.patch, colour: colour), caption: "\(chosen[c.image])"))
                let region = names[c.region] ?? "class\(c.region)"
                cells.append(.init(framed(crop(c.source, x: x, y: y, size: patchScale.patch), colour: masks == nil ? nil : colour),
                                   caption: masks == nil ? "\(x),\(y)"
                                       : (c.region == served ? region : "\(region)>\(names[served] ?? "")")))
                let labels = c.labels, distances = c.distances
                for j in 0..<k {
                    guard j < labels.count, labels[j] >= 0 else { cells.append(.init(blank(), caption: "-")); continue }
                    let vector = Array(classBank.bank.patches.row(labels[j]))
                    cells.append(.init(Image(planarFloats: vector, width: patchScale.patch, height: patchScale.patch, channels: 3),
                                       caption: String(format: "d%.2f", distances[j])))
                }
                // Banks imported by authors_bank do not know their patches' sources (image −1).
                let sources = set.members.first { $0.id == served }?.bank?.manifest.images ?? []
                if let best = labels.first, best >= 0, case let (image, bx, by) = classBank.bank.location(of: best),
                   sources.indices.contains(image) {
                    let name = sources[image]
                    var photo = try ImageCodec.read(photos.appendingPathComponent(name)).convertedTo8Bit().toRGB()
                    let w = patchScale.rescaled(photo.width), h = patchScale.rescaled(photo.height)
                    if w != photo.width || h != photo.height { photo = photo.resized(width: w, height: h, filter: .bilinear) }
                    cells.append(.init(boxed(photo, x: bx, y: by, size: patchScale.patch, colour: colour), caption: "\(name) \(bx),\(by)"))
                } else {
                    cells.append(.init(blank(), caption: "-"))
                }
            }
            let title = masks == nil ? "\(patchScale.name): image | patch | \(k) nearest real patches | source of the nearest"
                : "\(patchScale.name): image | patch, framed in its class's colour | \(k) nearest in that class's bank | source"
            let sheet = ContactSheet(columns: k + 3, cellSize: cell, padding: 4, fontScale: 1, title: title)
            try ImageCodec.write(sheet.render(cells), to: out.appendingPathComponent("\(patchScale.name).png"))
            context.log.progress(Double(s + 1) / Double(loss.scales.count), patchScale.name)
        }
        return StageResult(metrics: [])
    }

    /// One patch of one image as the loss matched it (under the authors' rule, once per class it joined).
    private struct Candidate {
        let image: Int, patch: Int, columns: Int
        let source: Image
        /// The class the patch is matched for, and the class whose bank served it.
        let region: Int, served: Int
        let labels: [Int], distances: [Float]
    }

    private func crop(_ image: Image, x: Int, y: Int, size: Int) -> Image { image.cropped(x: x, y: y, width: size, height: size) }

    private func blank() -> Image { Image(width: 1, height: 1, channels: 3, fill: 255) }

    /// `image` with a one-pixel frame (red without classes) around the patch at (x, y).
    private func boxed(_ image: Image, x: Int, y: Int, size: Int, colour: [UInt16] = [255, 0, 0]) -> Image {
        var out = image
        for t in 0..<size {
            for (px, py) in [(x + t, y), (x + t, y + size - 1), (x, y + t), (x + size - 1, y + t)]
            where px >= 0 && py >= 0 && px < out.width && py < out.height {
                for c in 0..<3 { out[px, py, c] = colour[c] }
            }
        }
        return out
    }

    /// `image` inside a one-pixel frame of `colour` (unchanged without one).
    private func framed(_ image: Image, colour: [UInt16]?) -> Image {
        guard let colour else { return image }
        var out = Image(width: image.width + 2, height: image.height + 2, channels: 3, fill: 0)
        for y in 0..<out.height {
            for x in 0..<out.width {
                let inside = x > 0 && y > 0 && x <= image.width && y <= image.height
                for c in 0..<3 { out[x, y, c] = inside ? image[x - 1, y - 1, c] : colour[c] }
            }
        }
        return out
    }

    /// Frame colours by class id (grey for class 0; the demo's classes get their own, others cycle).
    private static let palette: [[UInt16]] = [
        [128, 128, 128], [0, 200, 255], [255, 255, 255], [150, 90, 40], [0, 60, 255], [0, 200, 0], [255, 210, 0],
        [255, 0, 255], [255, 0, 0], [255, 128, 0],
    ]
    static func colour(_ id: Int) -> [UInt16] { palette[id % palette.count] }
}
