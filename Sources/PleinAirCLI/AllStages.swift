import Downloads
import Pipeline
import Stages

/// Every stage kind `pleinair` knows: the built-in ones and the downloading ones (`cyclegan_dataset`, `pretrained`).
enum AllStages {
    static var all: [Stage] { BuiltinStages.all + [CycleGANDatasetStage(), PretrainedStage()] }
}
