import Downloads
import Pipeline
import Stages

/// Every stage kind `pleinair` knows: the built-in ones and `cyclegan_dataset`.
enum AllStages {
    static var all: [Stage] { BuiltinStages.all + [CycleGANDatasetStage()] }
}
