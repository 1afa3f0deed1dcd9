/// The index `ann_index` builds for a bank scale when its `index` parameter is `auto`.
///
/// - Inverted lists: the power of two at or above √rows, between 256 and 4096 (FAISS's guide is
///   4–16·√N lists for millions of vectors; fewer, longer lists keep the coarse assignment of tens
///   of millions of patches affordable on two cores), halved while a list would train on fewer than
///   39 patches.
/// - Codes: the vectors themselves (`Flat`) while they take at most `flatBytes` as floats (the demo's
///   banks: exact distances, nothing to re-rank); above that, product quantisation with 8-bit codes
///   over 16-value (768-d) or 8-value sub-vectors — 48 bytes for a 16×16 patch instead of 3,072 —
///   whose approximate distances `RerankedSearch` corrects from the bank. `np`: no polysemous
///   training (FAISS's default for IVF-PQ), which only serves Hamming-filtered search, unused here,
///   and took 35 s for a 2,700-patch bank.
public enum PatchIndexRecipe {
    public static func factory(rows: Int, dimension: Int, flatBytes: Int = 512 << 20) -> String {
        var lists = 256
        while lists < 4096, lists * lists < rows { lists *= 2 }
        while lists > 1, lists * 39 > rows { lists /= 2 }
        if rows * dimension * 4 <= flatBytes { return "IVF\(lists),Flat" }
        let sub = dimension >= 512 ? 16 : 8
        var m = max(1, dimension / sub)
        while dimension % m != 0 { m -= 1 }  // PQ needs whole sub-vectors
        return "IVF\(lists),PQ\(m)np"
    }
}
