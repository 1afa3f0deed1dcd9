import Foundation
import Pipeline

/// Every stage kind PleinAir ships; the only place the two halves meet.
public enum BuiltinStages {
    /// One instance of each built-in stage kind.
    public static var all: [Stage] {
        [CommandStage(), DemoScenesStage(), CycleGANDatasetStage(), CompareImagesStage(), ContactSheetStage(), MemoryBankStage(), ANNIndexStage(),
         RetrievalSheetStage(), InceptionStatsStage(), FIDStage(), StyleTransferStage(), TrainStage(), TranslateStage(),
         UserStudyStage()] + testKinds
    }

    /// `fault` (crashes, threads, memory on demand) exists only for the runner's own tests.
    private static var testKinds: [Stage] {
        ProcessInfo.processInfo.environment["PLEINAIR_TEST_KINDS"] == "1" ? [FaultStage()] : []
    }
}
