import Foundation
import Pipeline

/// `scenes`: per artist (`artists`), `images` paintings in `data/ARTIST/test/` and as many truth
/// photos in `data/ARTIST/test_truth/`, with the same stems in every artist (as the demo's scenes
/// have): only the folder tells two artists' `00001.png` apart.
struct ScenesStage: Stage {
    var descriptor: StageDescriptor {
        StageDescriptor(kind: "scenes", version: 1, summary: "paintings and their truth per artist",
                        params: [ParamSpec("artists", .list(.string), default: nil, doc: "the artists"),
                                 ParamSpec("images", .int, default: .int(3), doc: "paintings per artist")],
                        inputs: [], outputs: ["data"], imageOutputs: ["data"])
    }

    func run(_ context: StageContext) throws -> StageResult {
        let data = context.outputs["data"]!
        let artists = context.params["artists"]!.listValue!.compactMap(\.stringValue)
        for (a, artist) in artists.enumerated() {
            for (folder, base) in [("test", 40), ("test_truth", 160)] {
                let url = data.appendingPathComponent(artist).appendingPathComponent(folder)
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
                for i in 0..<context.params["images"]!.intValue! {
                    try TinyPNG.gradient(width: 16, height: 12, colour: (UInt8(base + a * 30), UInt8(20 * i), 90), shift: i * 7)
                        .write(to: url.appendingPathComponent(String(format: "%05d.png", i)))
                }
            }
        }
        return StageResult(metrics: [])
    }
}

/// `xlate`: a translation as `translate` makes one: each image of `images` becomes a PNG of the same
/// stem in `images`, its pixels a function of the source file's bytes, `tag` and `seed`.
struct TranslateLikeStage: Stage {
    var descriptor: StageDescriptor {
        StageDescriptor(kind: "xlate", version: 1, summary: "a translation that keeps stems",
                        params: [ParamSpec("tag", .string, default: .string(""), doc: "the method"),
                                 ParamSpec("seed", .string, default: .string("0"), doc: "the replicate")],
                        inputs: [("images", true)], outputs: ["images"], imageOutputs: ["images"])
    }

    func run(_ context: StageContext) throws -> StageResult {
        let input = context.inputs["images"]!, out = context.outputs["images"]!
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let salt = "\(context.params["tag"]!.stringValue!)/\(context.params["seed"]!.stringValue!)"
        for name in try FileManager.default.contentsOfDirectory(atPath: input.path).sorted() {
            let bytes = try Data(contentsOf: input.appendingPathComponent(name)) + Data(salt.utf8)
            var h: UInt64 = 14695981039346656037
            for byte in bytes { h = (h ^ UInt64(byte)) &* 1099511628211 }
            try TinyPNG.gradient(width: 16, height: 12, colour: (UInt8(h & 0xff), UInt8((h >> 8) & 0xff), UInt8((h >> 16) & 0xff)),
                                 shift: Int((h >> 24) & 0x3f))
                .write(to: out.appendingPathComponent((name as NSString).deletingPathExtension + ".png"))
        }
        return StageResult(metrics: [])
    }
}

/// `score`: a per-image report as `compare_images` writes it (`image,psnr,ssim`), the values
/// made up from the image's position and `offset`.
struct ScoreLikeStage: Stage {
    var descriptor: StageDescriptor {
        StageDescriptor(kind: "score", version: 1, summary: "per-image values",
                        params: [ParamSpec("offset", .number, default: .double(0), doc: "added to every PSNR")],
                        inputs: [("images", true), ("reference", true)], outputs: ["report"],
                        metrics: { _ in [MetricDeclaration("psnr"), MetricDeclaration("ssim")] })
    }

    func run(_ context: StageContext) throws -> StageResult {
        let names = try FileManager.default.contentsOfDirectory(atPath: context.inputs["images"]!.path).sorted()
        let offset = context.params["offset"]!.doubleValue!
        var csv = "image,psnr,ssim\n"
        for (i, name) in names.enumerated() { csv += "\(name),\(20 + offset + Double(i)),\(0.5 + Double(i) / 100)\n" }
        try Data(csv.utf8).write(to: context.outputs["report"]!)
        return StageResult(metrics: [Metric(name: "psnr", value: 20 + offset), Metric(name: "ssim", value: 0.5)])
    }
}

/// Two artists, two seeds, three paintings each: CycleGAN and ours per artist and seed, style
/// transfer per artist, ours scored against the truth; the comparison names them out of stage order.
let compareSpec = """
    experiment: duo
    matrix:
      artist: [woodblock, impressionist]
      seed: ["1", "2"]
    replicates: [seed]
    compare:
      source: scenes.data/${matrix.artist}/test
      methods: {CycleGAN: cyclegan, Ours: ours, Style transfer: style}
      truth: scenes.data/${matrix.artist}/test_truth
    stages:
      scenes:
        kind: scenes
        params: {artists: [woodblock, impressionist], images: 3}
      style:
        kind: xlate
        foreach: artist
        inputs: {images: "scenes.data/${matrix.artist}/test"}
        params: {tag: style}
      ours:
        kind: xlate
        foreach: [artist, seed]
        inputs: {images: "scenes.data/${matrix.artist}/test"}
        params: {tag: ours, seed: "s${matrix.seed}"}
      cyclegan:
        kind: xlate
        foreach: [artist, seed]
        inputs: {images: "scenes.data/${matrix.artist}/test"}
        params: {tag: cyclegan, seed: "s${matrix.seed}"}
      ours_vs_truth:
        kind: score
        foreach: [artist, seed]
        inputs: {images: ours.images, reference: "scenes.data/${matrix.artist}/test_truth"}
        params: {offset: "${matrix.seed}"}

    """

/// The stages the comparison fixture runs.
let compareStages: [any Stage] = [ScenesStage(), TranslateLikeStage(), ScoreLikeStage()]
