import Basics
import Foundation
import Imaging

/// Renders planned sheets: every image centre-cropped square, resized and written once as PNG under
/// `images/` with its content hash as name (so no name says what it shows), a page per rater
/// (`rater-01.html`…), an `index.html` for the experimenter, and optionally a printable PNG per sheet.
package struct SheetWriter {
    package var design: SheetDesign
    package var sources: StudySources

    private var decoded: [URL: Image] = [:]
    private var rendered: [TrialImageAtRatio: (name: String, image: Image)] = [:]

    private struct TrialImageAtRatio: Hashable {
        var image: TrialImage
        var ratio: Double
    }

    package init(design: SheetDesign, sources: StudySources) {
        self.design = design
        self.sources = sources
    }

    /// Writes the sheets into `folder` (created) and returns the answer key; with `printFolder`, also a PNG per sheet there.
    package mutating func write(_ sheets: [PlannedSheet], to folder: URL, printFolder: URL? = nil) throws -> AnswerKey {
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("images"), withIntermediateDirectories: true)
        if let printFolder { try fm.createDirectory(at: printFolder, withIntermediateDirectories: true) }
        var keys: [SheetKey] = []
        var links: [String] = []
        for sheet in sheets {
            var trialKeys: [TrialKey] = []
            var pageTrials: [SheetPage.Trial] = []
            var printCells: [ContactSheet.Cell] = []
            for (position, planned) in sheet.trials.enumerated() {
                let ratio = planned.key.ratio
                let top = try planned.top.map { try image($0, ratio: ratio, into: folder) }
                let first = try image(planned.first, ratio: ratio, into: folder)
                let second = try image(planned.second, ratio: ratio, into: folder)
                var key = planned.key
                key.images = [top?.name ?? "", first.name, second.name]
                trialKeys.append(key)
                pageTrials.append(SheetPage.Trial(id: key.trialID, study: key.study.rawValue, top: top.map { "images/\($0.name)" },
                                                  a: "images/\(first.name)", b: "images/\(second.name)",
                                                  width: max(8, Int((Double(design.displaySize) * ratio).rounded()))))
                if printFolder != nil {
                    // Cells at the base size, smaller images centred on white: the print keeps the sizes raters see
                    // (and the contact sheet has nothing to resample).
                    printCells += [ContactSheet.Cell(framed(top?.image), caption: "\(position + 1) \(key.study.label(ratio: ratio))"),
                                   ContactSheet.Cell(framed(first.image), caption: "1"), ContactSheet.Cell(framed(second.image), caption: "2")]
                }
            }
            keys.append(SheetKey(sheetID: sheet.sheetID, rater: sheet.rater, trials: trialKeys))
            let page = SheetPage(sheetID: sheet.sheetID, trials: pageTrials, exposureMilliseconds: design.exposureMilliseconds,
                                 note: Self.displayNote(design))
            let pageName = SheetWriter.pageName(rater: sheet.rater)
            try Data(try page.html().utf8).write(to: folder.appendingPathComponent(pageName), options: .atomic)
            links.append("<li><a href=\"\(pageName)\">\(pageName)</a> (sheet \(sheet.sheetID), \(sheet.trials.count) trials)</li>")
            if let printFolder {
                let layout = ContactSheet(columns: 3, cellSize: design.baseSize, padding: 6, fontScale: 1,
                                          title: "sheet \(sheet.sheetID) (rater \(sheet.rater))")
                try layout.write(printCells, to: printFolder.appendingPathComponent("\(pageName.dropLast(5)).png"))
            }
        }
        let index = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Study sheets</title></head>
            <body style="font-family: system-ui, sans-serif">
            <h1>Study sheets</h1>
            <p>Give each rater one page; they answer with the keyboard and download a CSV of their answers at the end.</p>
            <ul>
            \(links.joined(separator: "\n"))
            </ul>
            </body></html>

            """
        try Data(index.utf8).write(to: folder.appendingPathComponent("index.html"), options: .atomic)
        return AnswerKey(artist: design.artist, exposureMilliseconds: design.exposureMilliseconds, sheets: keys)
    }

    /// The page file of a rater.
    package static func pageName(rater: Int) -> String {
        rater < 10 ? "rater-0\(rater).html" : "rater-\(rater).html"
    }

    private mutating func image(_ source: TrialImage, ratio: Double, into folder: URL) throws -> (name: String, image: Image) {
        let key = TrialImageAtRatio(image: source, ratio: ratio)
        if let done = rendered[key] { return done }
        let side = max(8, Int((Double(design.baseSize) * ratio).rounded()))
        let picture: Image
        switch source {
        case .noise(let seed):
            var rng = SeededGenerator(seed: seed)
            picture = Image(width: side, height: side, channels: 3, samples: (0..<(side * side * 3)).map { _ in UInt16(rng.below(256)) })
        case .painting(let name): picture = try square(load(sources.paintings, name, "paintings"), side: side)
        case .baseline(let name): picture = try square(load(sources.baseline, name, "baseline"), side: side)
        case .method(let name): picture = try square(load(sources.method, name, "method"), side: side)
        case .real(let name): picture = try square(load(sources.real, name, "real"), side: side)
        }
        let data = try ImageCodec.encode(picture, as: .png)
        let name = String(SHA256Digest.hex(data).prefix(20)) + ".png"
        let url = folder.appendingPathComponent("images").appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) { try data.write(to: url, options: .atomic) }
        rendered[key] = (name, picture)
        return (name, picture)
    }

    private mutating func load(_ folder: ImageFolder?, _ name: String, _ input: String) throws -> Image {
        guard let folder else { throw StudyError.missingImages("the study needs the '\(input)' input") }
        let url = folder.root.appendingPathComponent(name)
        if let cached = decoded[url] { return cached }
        let picture = try ImageCodec.read(url).convertedTo8Bit().toRGB()
        decoded[url] = picture
        return picture
    }

    /// `picture` centred on a white square of the base size (blank when nil).
    private func framed(_ picture: Image?) -> Image {
        var frame = Image(width: design.baseSize, height: design.baseSize, channels: 3, fill: 255)
        guard let picture else { return frame }
        let ox = (design.baseSize - picture.width) / 2, oy = (design.baseSize - picture.height) / 2
        frame.samples.withUnsafeMutableBufferPointer { out in
            picture.samples.withUnsafeBufferPointer { source in
                for y in 0..<picture.height {
                    let from = y * picture.width * 3, to = ((oy + y) * design.baseSize + ox) * 3
                    for i in 0..<(picture.width * 3) { out[to + i] = source[from + i] }
                }
            }
        }
        return frame
    }

    /// Centre crop to a square, then resize: both sides of a trial get the same shape, so size gives nothing away.
    private func square(_ picture: Image, side: Int) -> Image {
        let edge = min(picture.width, picture.height)
        let cropped = picture.width == picture.height ? picture : picture.centerCropped(width: edge, height: edge)
        return cropped.resized(width: side, height: side, filter: .bilinear)
    }

    /// What the page says about how its images are shown.
    static func displayNote(_ design: SheetDesign) -> String {
        let scaling = design.displaySize == design.baseSize ? "at their own size"
            : "scaled smoothly by the browser from \(design.baseSize)-pixel files"
        let reduced = design.studies.contains(.realOrFake) ? "; in the real-or-generated trials, at the listed fraction of that" : ""
        return "Images are shown \(design.displaySize) pixels wide, \(scaling)\(reduced); both images of a trial are shown alike."
    }

}
