import Pipeline

/// Every stage kind PleinAir ships; the only place the two halves meet.
public enum BuiltinStages {
    /// One instance of each built-in stage kind.
    public static var all: [Stage] {
        [CommandStage(), DemoScenesStage(), CycleGANDatasetStage(), CompareImagesStage(), ContactSheetStage(), MemoryBankStage(), ANNIndexStage(),
         RetrievalSheetStage(), InceptionStatsStage(), FIDStage(), StyleTransferStage(), TrainStage(), TranslateStage(),
         UserStudyStage()]
    }
}
