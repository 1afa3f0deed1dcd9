/// The index `ann_index` builds for a bank scale when its `index` parameter is `auto`
/// (docs/memory-banks.md has the measurements behind it).
///
/// - Inverted lists: the power of two at or above √rows, between 256 and 4096 (FAISS's guide is
///   4–16·√N lists for millions of vectors; fewer, longer lists keep the coarse assignment of tens
///   of millions of patches affordable on two cores), halved while a list would train on fewer than
///   39 patches.
/// - Codes: the vectors themselves (`Flat`) while they take at most `flatBytes` as floats (the demo's
///   banks: exact distances, nothing to re-rank). Above that, 8-bit product-quantisation codes whose
///   approximate distances only shortlist (`RerankedSearch` re-ranks from the bank): for patches of
///   more than 64 values after a PCA rotation to 64 dimensions (`PCAR64`, 16 codes of 4 values: 16
///   bytes for a 16×16 patch instead of 3,072 as floats), which cuts the coarse assignment and FAISS's
///   scalar encoding (Debian builds it without AVX2) by 12× at 768 values; smaller patches get
///   codes of 8 values. `np`: no polysemous training (FAISS's default for IVF-PQ), which only serves
///   Hamming-filtered search, unused here, and took 35 s for a 2,700-patch bank.
public enum PatchIndexRecipe {
    /// Dimensions a large bank's patches are rotated down to before the lists.
    public static let reducedDimension = 64

    public static func factory(rows: Int, dimension: Int, flatBytes: Int = 512 << 20) -> String {
        var lists = 256
        while lists < 4096, lists * lists < rows { lists *= 2 }
        while lists > 1, lists * 39 > rows { lists /= 2 }
        if rows * dimension * 4 <= flatBytes { return "IVF\(lists),Flat" }
        if dimension > reducedDimension { return "PCAR\(reducedDimension),IVF\(lists),PQ\(reducedDimension / 4)np" }
        var m = max(1, dimension / 8)
        while dimension % m != 0 { m -= 1 }  // PQ needs whole sub-vectors
        return "IVF\(lists),PQ\(m)np"
    }
}
