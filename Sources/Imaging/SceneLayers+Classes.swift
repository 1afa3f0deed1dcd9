import Basics

extension SceneLayers {
    /// The demo's semantic classes: what a segmentation network trained on landscapes would label.
    static let classes = SegmentationClasses([0: "other", 1: "sky", 2: "cloud", 3: "mountain", 4: "water", 5: "vegetation",
                                              6: "ground"])

    /// The true class of every pixel, from the layers both the photo and the paintings are rendered
    /// from (the sun's disc is sky; snow is mountain; hills, trees and trunks are vegetation).
    var classMap: LabelMap {
        LabelMap(width: size, height: size, labels: material.map { m -> UInt8 in
            switch m {
            case .sky, .sun: return 1
            case .cloud: return 2
            case .rock, .snow: return 3
            case .water: return 4
            case .grass, .foliage, .bark: return 5
            case .field: return 6
            }
        })
    }
}
