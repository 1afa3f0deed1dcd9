import Foundation
import Pipeline

/// Every stage kind PleinAir ships but `cyclegan_dataset` and `pretrained`, which live with the download code
/// (target Downloads) so that stage processes never load the network stack; `pleinair` adds them.
package enum BuiltinStages {
    /// One instance of each built-in stage kind.
    package static var all: [Stage] {
        [CommandStage(), DemoScenesStage(), CompareImagesStage(), ContactSheetStage(), MemoryBankStage(), ANNIndexStage(), AuthorsBankStage(),
         RetrievalSheetStage(), InceptionStatsStage(), FIDStage(), StyleTransferStage(), TrainStage(), TranslateStage(), ExportModelStage(),
         UserStudyStage()] + testKinds
    }

    /// `fault` (crashes, threads, memory on demand) exists only for the runner's own tests.
    private static var testKinds: [Stage] {
        ProcessInfo.processInfo.environment["PLEINAIR_TEST_KINDS"] == "1" ? [FaultStage()] : []
    }
}
