// PleinAir's scan of an IndexIVFPQ's inverted lists (see PQTableScanner.cpp). Internal to the shim.
#pragma once

#include <faiss/IndexIVFPQ.h>

namespace pleinair {

/// An IndexIVFPQ whose lists are scanned by `PQTableScanner` where its layout allows (L2, residual
/// codes, 8-bit PQ, FAISS's precomputed tables, no polysemous filter, no id selector) and by FAISS's
/// own scanner elsewhere. Everything else — the coarse search, the tables, the heap, the order of the
/// lists — is FAISS's, so the neighbours and distances are FAISS's bit for bit.
struct FastScanIVFPQ : faiss::IndexIVFPQ {
    /// False: FAISS's own scanner everywhere (tests compare the two).
    bool fast = true;

    explicit FastScanIVFPQ(const faiss::IndexIVFPQ &other) : faiss::IndexIVFPQ(other) {}

    /// Whether this index's layout is one `PQTableScanner` reproduces.
    bool suits() const;

    faiss::InvertedListScanner *get_InvertedListScanner(bool store_pairs = false,
                                                        const faiss::IDSelector *sel = nullptr) const override;
};

/// `index` with every plain IndexIVFPQ in it (the root, or under an IndexPreTransform) replaced by a
/// FastScanIVFPQ that takes over its lists and quantizer; other indexes come back unchanged.
faiss::Index *with_fast_scan(faiss::Index *index);

/// The FastScanIVFPQ in `index` (the root or under an IndexPreTransform), or null.
FastScanIVFPQ *fast_scan_of(faiss::Index *index);

/// Whether this CPU runs the 64-code lower bound (AVX-512 BW and VBMI); without it every code is
/// summed exactly, one after another.
bool lower_bound_vectorised();

} // namespace pleinair
