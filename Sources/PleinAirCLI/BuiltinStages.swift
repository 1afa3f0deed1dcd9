import Foundation
import Pipeline
import Stages

/// Every stage kind the executable knows; the only place the two halves meet.
enum BuiltinStages {
    static var all: [Stage] {
        [CommandStage(), DemoScenesStage(), CycleGANDatasetStage(), CompareImagesStage(), ContactSheetStage(), MemoryBankStage(), ANNIndexStage(),
         RetrievalSheetStage(), InceptionStatsStage(), FIDStage(), StyleTransferStage(), TrainStage(), TranslateStage(),
         UserStudyStage()] + testKinds
    }

    /// `fault` (crashes, threads, memory on demand) exists only for the runner's own tests.
    private static var testKinds: [Stage] {
        ProcessInfo.processInfo.environment["PLEINAIR_TEST_KINDS"] == "1" ? [FaultStage()] : []
    }
}
