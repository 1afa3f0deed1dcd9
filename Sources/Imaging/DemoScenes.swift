import Basics
import Foundation

/// The painter styles the demo generator can imitate.
public enum PaintingStyle: String, CaseIterable, Sendable {
    /// Short dabs of broken colour, light palette (Monet-like).
    case impressionist
    /// Long bold directional strokes, saturated colour (Van Gogh-like).
    case expressive
    /// Flat colour areas with dark outlines, graded skies (ukiyo-e-like).
    case woodblock
}

/// What `DemoScenes.write` generates.
public struct DemoSceneOptions: Sendable, Equatable {
    /// Paintings per style in train, and real photos in photos/train.
    public var trainCount: Int = 120
    /// Paintings per style in test (and photos/test).
    public var testCount: Int = 24
    /// Square side in pixels.
    public var size: Int = 64
    /// Fixes every scene, stroke and noise sample.
    public var seed: UInt64 = 1
    /// Styles to paint.
    public var styles: [PaintingStyle] = PaintingStyle.allCases

    /// Options with every field labelled and defaulted.
    public init(trainCount: Int = 120, testCount: Int = 24, size: Int = 64, seed: UInt64 = 1,
                styles: [PaintingStyle] = PaintingStyle.allCases) {
        self.trainCount = trainCount
        self.testCount = testCount
        self.size = size
        self.seed = seed
        self.styles = styles
    }
}

/// The embedded default data: seeded landscapes rendered as photographs and as paintings.
public enum DemoScenes {
    /// Changes whenever equal options would produce different bytes; stages that cache demo data
    /// put it in their fingerprint. A golden-hash test fails until it is bumped with the change.
    public static let generatorVersion = 2

    /// Writes the demo dataset under `root` (created if missing); deterministic for equal options.
    ///
    /// Layout: `photos/{train,test}/` (scenes no painting is made from, so the domains are
    /// unpaired), `<style>/{train,test}/` paintings and `<style>/test_truth/` the photo each test
    /// painting was rendered from (same file names). Files are `00000.png`, `00001.png`, ...
    /// Beside each of `photos/{train,test}` and `<style>/{train,test}`, a `_masks` folder holds the
    /// scenes' true segmentation masks (`classes.txt` names them; see `MaskFolder`): a painting's mask
    /// is its scene's, since the painter painted the same regions.
    /// Existing files with those names are replaced; other files under `root` are left alone.
    public static func write(_ options: DemoSceneOptions, to root: URL) throws {
        guard (8...2048).contains(options.size), options.trainCount >= 0, options.testCount >= 0 else {
            throw DemoScenesError.invalidOptions("size must be in 8...2048 and counts >= 0, got size \(options.size), "
                + "train \(options.trainCount), test \(options.testCount)")
        }
        var jobs: [(dir: String, index: Int, render: @Sendable () -> Image)] = []
        for (split, count) in [("train", options.trainCount), ("test", options.testCount)] {
            for index in 0..<count {
                let seed = sceneSeed(options.seed, "photos", split, index)
                jobs.append(("photos/\(split)", index, { photo(seed: seed, size: options.size) }))
                jobs.append(("photos/\(split)_masks", index, { mask(seed: seed, size: options.size).image }))
            }
        }
        for style in options.styles {
            for (split, count) in [("train", options.trainCount), ("test", options.testCount)] {
                for index in 0..<count {
                    let seed = sceneSeed(options.seed, style.rawValue, split, index)
                    jobs.append(("\(style.rawValue)/\(split)", index, { painting(seed: seed, size: options.size, style: style) }))
                    jobs.append(("\(style.rawValue)/\(split)_masks", index, { mask(seed: seed, size: options.size).image }))
                    if split == "test" {
                        jobs.append(("\(style.rawValue)/test_truth", index, { photo(seed: seed, size: options.size) }))
                    }
                }
            }
        }
        let fm = FileManager.default
        for dir in Set(jobs.map(\.dir)) {
            do {
                try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
            } catch {
                throw DemoScenesError.io(path: root.appendingPathComponent(dir).path, error.localizedDescription)
            }
        }
        for dir in Set(jobs.map(\.dir)) where dir.hasSuffix("_masks") {
            try SceneLayers.classes.write(to: root.appendingPathComponent(dir))
        }
        // Each image depends only on its own seed, so rendering in parallel keeps output identical.
        let results = ResultBox(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { k in
            let job = jobs[k]
            let url = root.appendingPathComponent(job.dir).appendingPathComponent(String(format: "%05d.png", job.index))
            do {
                try ImageCodec.write(job.render(), to: url)
            } catch {
                results.record(k, error)
            }
        }
        if let error = results.firstError { throw error }
    }

    /// One scene rendered as a photograph.
    public static func photo(seed: UInt64, size: Int) -> Image {
        let layers = SceneLayers(scene: LandscapeScene(seed: seed), size: size)
        return layers.photo(seed: seed).image()
    }

    /// One scene rendered as a painting in `style` (its photograph is `photo(seed:size:)`).
    public static func painting(seed: UInt64, size: Int, style: PaintingStyle) -> Image {
        let layers = SceneLayers(scene: LandscapeScene(seed: seed), size: size)
        return layers.painting(style, seed: seed).image()
    }

    /// The true segmentation mask of one scene (its photo's and every painting of it).
    public static func mask(seed: UInt64, size: Int) -> LabelMap {
        SceneLayers(scene: LandscapeScene(seed: seed), size: size).classMap
    }

    /// The class names of the demo's masks.
    public static var classes: SegmentationClasses { SceneLayers.classes }

    /// The scene seed of one file of the dataset.
    static func sceneSeed(_ seed: UInt64, _ domain: String, _ split: String, _ index: Int) -> UInt64 {
        SeededGenerator.derive(seed, SeededGenerator.code(domain), SeededGenerator.code(split), UInt64(index))
    }
}

/// Why the demo dataset could not be written.
public enum DemoScenesError: Error, Equatable, CustomStringConvertible {
    /// Options out of range.
    case invalidOptions(String)
    /// A directory could not be created.
    case io(path: String, String)

    public var description: String {
        switch self {
        case let .invalidOptions(message): return "demo scenes: \(message)"
        case let .io(path, message): return "\(path): \(message)"
        }
    }
}

/// Collects errors from parallel workers; the first by job order wins, for a stable message.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Int: Error] = [:]
    init(count: Int) {}
    func record(_ index: Int, _ error: Error) { lock.lock(); errors[index] = error; lock.unlock() }
    var firstError: Error? { errors.keys.min().flatMap { errors[$0] } }
}
