import Pipeline
import Stages

/// Every stage kind the executable knows; the only place the two halves meet.
enum BuiltinStages {
    static var all: [Stage] {
        [CommandStage(), DemoScenesStage(), CycleGANDatasetStage(), CompareImagesStage(), ContactSheetStage(), MemoryBankStage(), ANNIndexStage(),
         RetrievalSheetStage(), InceptionStatsStage(), FIDStage(), StyleTransferStage(), TrainStage(), TranslateStage(),
         UserStudyStage()]
    }
}
