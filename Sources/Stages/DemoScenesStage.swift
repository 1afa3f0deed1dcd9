import Foundation
import Imaging
import Pipeline

/// `demo_scenes`: the embedded default data — seeded landscape scenes rendered as photographs and
/// as paintings in three painter styles, with the photo each test painting came from as ground truth.
package struct DemoScenesStage: Stage {
    package init() {}

    static let trainCount = Param<Int>("train_count", default: 120, rule: .atLeast(1),
                                       doc: "paintings per style in train/, and photos in photos/train")
    static let testCount = Param<Int>("test_count", default: 24, rule: .atLeast(1),
                                      doc: "paintings per style in test/ (with test_truth/), and photos in photos/test")
    static let size = Param<Int>("size", default: 64, rule: .atLeast(16), doc: "side of the square images in pixels")
    static let seed = Param<Int>("seed", default: 1, rule: .atLeast(0), doc: "scenes are a pure function of the seed")
    static let styles = Param<[PaintingStyle]>("styles", default: PaintingStyle.allCases, doc: "painter styles to render")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "demo_scenes", version: DemoScenes.generatorVersion,
            summary: "renders the embedded demo dataset (photos, paintings per style, ground truth)",
            params: [Self.trainCount.spec, Self.testCount.spec, Self.size.spec, Self.seed.spec, Self.styles.spec],
            inputs: [], outputs: ["data"], imageOutputs: ["data"], metrics: { _ in MetricDeclaration.bookkeeping("images") })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let styles = p[Self.styles]
        let options = DemoSceneOptions(trainCount: p[Self.trainCount], testCount: p[Self.testCount],
                                       size: p[Self.size], seed: UInt64(max(0, p[Self.seed])), styles: styles)
        context.log.write("rendering \(options.trainCount)+\(options.testCount) scenes per domain at \(options.size)px, styles \(styles.map(\.rawValue))")
        try DemoScenes.write(options, to: try context.output("data"))
        let images = (options.trainCount + options.testCount) * (1 + 2 * styles.count)
        return StageResult(metrics: [Metric(name: "images", value: Double(images))])
    }
}
