import Foundation
import Imaging
import Pipeline

/// `demo_scenes`: the embedded default data — seeded landscape scenes rendered as photographs and
/// as paintings in three painter styles, with the photo each test painting came from as ground truth.
public struct DemoScenesStage: Stage {
    public init() {}

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "demo_scenes", version: DemoScenes.generatorVersion,
            summary: "renders the embedded demo dataset (photos, paintings per style, ground truth)",
            params: [
                ParamSpec("train_count", .int, default: .int(120), doc: "paintings per style in train/, and photos in photos/train"),
                ParamSpec("test_count", .int, default: .int(24), doc: "paintings per style in test/ (with test_truth/), and photos in photos/test"),
                ParamSpec("size", .int, default: .int(64), doc: "side of the square images in pixels"),
                ParamSpec("seed", .int, default: .int(1), doc: "scenes are a pure function of the seed"),
                ParamSpec("styles", .list(.oneOf(PaintingStyle.allCases.map(\.rawValue))),
                          default: .list(PaintingStyle.allCases.map { .string($0.rawValue) }), doc: "painter styles to render"),
            ],
            inputs: [], outputs: ["data"])
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let styles = (p["styles"]?.listValue ?? []).compactMap { $0.stringValue.flatMap(PaintingStyle.init(rawValue:)) }
        let options = DemoSceneOptions(trainCount: p["train_count"]!.intValue!, testCount: p["test_count"]!.intValue!,
                                       size: p["size"]!.intValue!, seed: UInt64(max(0, p["seed"]!.intValue!)), styles: styles)
        guard options.trainCount > 0, options.testCount > 0, options.size >= 16 else {
            throw StageFailure.message("train_count and test_count must be positive and size at least 16")
        }
        context.log.write("rendering \(options.trainCount)+\(options.testCount) scenes per domain at \(options.size)px, styles \(styles.map(\.rawValue))")
        try DemoScenes.write(options, to: context.outputs["data"]!)
        let images = (options.trainCount + options.testCount) * (1 + 2 * styles.count)
        return StageResult(metrics: [Metric(name: "images", value: Double(images))])
    }
}
