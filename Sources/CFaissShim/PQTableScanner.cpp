// PleinAir's scan of IVF-PQ lists, with FAISS's results bit for bit.
//
// FAISS 1.7.3 scans a list (IndexIVFPQ.cpp, IVFPQScanner with precomputed tables) code by code:
// the distance is ((0 + t[0][c0]) + t[1][c1] + ... + t[M-1][c(M-1)]) + dis0 in float, with
// t = precomputed_table[list] - 2 * <query, PQ centroids> (fvec_madd) and dis0 the coarse distance,
// and a code enters the k-deep max-heap when the heap's top is strictly greater than its distance.
// It does so through a call per code, and at paper size (about 600 M codes a training step) that
// scan was most of the patch loss's time.
//
// This scanner builds the same tables with the same FAISS calls, sums the same terms in the same
// order, and updates the heap with FAISS's own `heap_replace_top`. What it adds is a filter in front:
// each table is also quantised to 8 bits per entry (q = floor((t - min_m) / step), one step for all
// m), so that step * Σ q + Σ min_m is a lower bound of a code's distance. Sixty-four codes at a time
// (AVX-512 VBMI byte permutes) it sums those 8-bit terms and keeps only the codes whose bound, widened
// by a margin that covers every rounding of FAISS's float sum and of the quantisation, does not exceed
// the heap's top at the start of the block. The heap's top only falls, so a code the filter drops
// would have failed FAISS's own test too: the heap sees the same codes in the same order.

#include "PQTableScanner.hpp"

#include <faiss/IndexPreTransform.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/utils/Heap.h>
#include <faiss/utils/utils.h>

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <typeinfo>
#include <vector>

namespace pleinair {

namespace {

using idx_t = faiss::Index::idx_t;
using MaxHeap = faiss::CMax<float, idx_t>;

constexpr size_t kBlock = 64;     // codes per filtered block
constexpr size_t kMaxTerms = 16;  // M up to 16: a block's codes fit in 16 zmm registers

bool cpu_has_vbmi() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi");
}

/// Where byte m of each of a block's 64 codes lies: with the block in registers pairwise (bytes
/// [128p, 128p + 128) in pair p), `index[m]` gives each lane's offset in its pair and `pairs[m][p]`
/// the lanes that read pair p.
struct BlockLayout {
    size_t terms = 0;
    alignas(64) uint8_t index[kMaxTerms][kBlock];
    uint64_t pairs[kMaxTerms][kMaxTerms / 2];

    explicit BlockLayout(size_t M) : terms(M) {
        std::memset(index, 0, sizeof index);
        std::memset(pairs, 0, sizeof pairs);
        for (size_t m = 0; m < M; m++)
            for (size_t c = 0; c < kBlock; c++) {
                size_t at = c * M + m;
                index[m][c] = uint8_t(at % 128);
                pairs[m][at / 128] |= uint64_t(1) << c;
            }
    }
};

/// Adds to the two 16-bit accumulators (codes 0–31, 32–63) the quantised table m's entries for `bytes`
/// (byte m of each code, in code order).
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) inline void
accumulate(const uint8_t *table, __m512i bytes, __m512i &low, __m512i &high) {
    const __m512i lower = _mm512_permutex2var_epi8(_mm512_loadu_si512(table), bytes, _mm512_loadu_si512(table + 64));
    const __m512i upper =
        _mm512_permutex2var_epi8(_mm512_loadu_si512(table + 128), bytes, _mm512_loadu_si512(table + 192));
    const __m512i q = _mm512_mask_blend_epi8(_mm512_movepi8_mask(bytes), lower, upper);
    low = _mm512_add_epi16(low, _mm512_cvtepu8_epi16(_mm512_castsi512_si256(q)));
    high = _mm512_add_epi16(high, _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(q, 1)));
}

__attribute__((target("avx512f,avx512bw,avx512vbmi"))) inline uint64_t
at_most(__m512i low, __m512i high, uint16_t limit) {
    const __m512i bound = _mm512_set1_epi16(short(limit));
    const uint64_t first = _mm512_cmple_epu16_mask(low, bound), second = _mm512_cmple_epu16_mask(high, bound);
    return first | (second << 32);
}

/// The codes among `block`'s 64 whose 8-bit bound Σ q[m][c_m] is at most `limit`, as bits in code order.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) uint64_t
bounded_codes(const uint8_t *block, const BlockLayout &layout, const uint8_t *quantised, uint16_t limit) {
    const size_t M = layout.terms, registers = M; // 64 codes of M bytes: M registers
    __m512i code[kMaxTerms + 1];
    for (size_t r = 0; r < registers; r++) code[r] = _mm512_loadu_si512(block + 64 * r);
    code[registers] = _mm512_setzero_si512();
    const size_t pairs = (registers + 1) / 2;
    __m512i low = _mm512_setzero_si512(), high = _mm512_setzero_si512();
    for (size_t m = 0; m < M; m++) {
        const __m512i at = _mm512_loadu_si512(layout.index[m]);
        __m512i bytes = _mm512_setzero_si512();
        for (size_t p = 0; p < pairs; p++) {
            const uint64_t lanes = layout.pairs[m][p];
            if (lanes == 0) continue;
            bytes = _mm512_or_si512(bytes, _mm512_maskz_permutex2var_epi8(lanes, code[2 * p], at, code[2 * p + 1]));
        }
        accumulate(quantised + 256 * m, bytes, low, high);
    }
    return at_most(low, high, limit);
}

/// `bounded_codes` for 16-byte codes: the 64 × 16 bytes are transposed as 16 × 16 dwords (each
/// register's four codes byte-major first), 80 instructions instead of 240 selective permutes.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) uint64_t
bounded_codes16(const uint8_t *block, const uint8_t *quantised, uint16_t limit) {
    alignas(64) static const struct Patterns {
        uint8_t bytes[64];
        uint32_t first[4][16], second[4][16];
        Patterns() {
            for (int m = 0; m < 16; m++)
                for (int c = 0; c < 4; c++) bytes[4 * m + c] = uint8_t(16 * c + m);
            for (int level = 0; level < 4; level++) {
                const int b = 1 << level;
                for (int j = 0; j < 16; j++) {
                    first[level][j] = uint32_t((j & b) ? 16 + (j - b) : j);
                    second[level][j] = uint32_t((j & b) ? 16 + j : j + b);
                }
            }
        }
    } patterns;
    __m512i row[16];
    const __m512i gather = _mm512_loadu_si512(patterns.bytes);
    for (int r = 0; r < 16; r++) row[r] = _mm512_permutexvar_epi8(gather, _mm512_loadu_si512(block + 64 * r));
    for (int level = 0; level < 4; level++) {
        const int b = 1 << level;
        const __m512i first = _mm512_loadu_si512(patterns.first[level]), second = _mm512_loadu_si512(patterns.second[level]);
        for (int r = 0; r < 16; r++) {
            if (r & b) continue;
            const __m512i x = row[r], y = row[r + b];
            row[r] = _mm512_permutex2var_epi32(x, first, y);
            row[r + b] = _mm512_permutex2var_epi32(x, second, y);
        }
    }
    __m512i low = _mm512_setzero_si512(), high = _mm512_setzero_si512();
    for (int m = 0; m < 16; m++) accumulate(quantised + 256 * m, row[m], low, high);
    return at_most(low, high, limit);
}

/// FAISS's fvec_madd(M·256, precomputed, -2, inner, table), sixteen lanes at a time: the product by
/// -2 is exact, so each entry is the same single rounding of precomputed - 2·inner. Also each m's
/// smallest and largest entry (NaN propagates as a non-finite bound).
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void
list_table(size_t M, const float *precomputed, const float *inner, float *table, float *mins, float *maxs) {
    const __m512 minus_two = _mm512_set1_ps(-2.0f);
    for (size_t m = 0; m < M; m++) {
        __m512 lo = _mm512_set1_ps(INFINITY), hi = _mm512_set1_ps(-INFINITY);
        __mmask16 nan = 0;
        for (size_t c = 0; c < 256; c += 16) {
            const size_t at = m * 256 + c;
            const __m512 t = _mm512_add_ps(_mm512_loadu_ps(precomputed + at),
                                           _mm512_mul_ps(minus_two, _mm512_loadu_ps(inner + at)));
            _mm512_storeu_ps(table + at, t);
            nan |= _mm512_cmp_ps_mask(t, t, _CMP_UNORD_Q);
            lo = _mm512_min_ps(lo, t);
            hi = _mm512_max_ps(hi, t);
        }
        mins[m] = nan ? NAN : _mm512_reduce_min_ps(lo);
        maxs[m] = nan ? NAN : _mm512_reduce_max_ps(hi);
    }
}

/// q = min(255, floor((t - min_m) · inverse)) per entry, as bytes.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void
quantise(size_t M, const float *table, const float *mins, float inverse, uint8_t *out) {
    const __m512 scale = _mm512_set1_ps(inverse);
    for (size_t m = 0; m < M; m++) {
        const __m512 lo = _mm512_set1_ps(mins[m]);
        for (size_t c = 0; c < 256; c += 16) {
            const size_t at = m * 256 + c;
            const __m512 x = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(table + at), lo), scale);
            // x >= 0, so truncation is the floor; the narrowing saturates at 255.
            _mm_storeu_si128(reinterpret_cast<__m128i *>(out + at), _mm512_cvtusepi32_epi8(_mm512_cvttps_epu32(x)));
        }
    }
}

struct PQTableScanner : faiss::InvertedListScanner {
    const faiss::IndexIVFPQ &ivf;
    const size_t M, ksub;
    const bool vectorised;
    std::vector<float> inner;  // -2 is applied by fvec_madd: <query, centroid> per (m, centroid)
    std::vector<float> table;  // the list's distance table, as FAISS's sim_table
    float dis0 = 0;
    // The 8-bit bound of the current list: valid when `bounded`.
    bool bounded = false;
    std::vector<uint8_t> quantised;
    double floor_sum = 0, step = 0, slack = 0;
    BlockLayout layout;

    explicit PQTableScanner(const faiss::IndexIVFPQ &ivf)
        : faiss::InvertedListScanner(false, nullptr), ivf(ivf), M(ivf.pq.M), ksub(ivf.pq.ksub),
          vectorised(lower_bound_vectorised() && ivf.pq.M <= kMaxTerms), inner(M * ksub), table(M * ksub),
          quantised(M * ksub), layout(std::min(M, kMaxTerms)) {
        keep_max = false;
        code_size = ivf.pq.code_size;
    }

    void set_query(const float *query) override { ivf.pq.compute_inner_prod_table(query, inner.data()); }

    void set_list(idx_t list, float coarse_dis) override {
        list_no = list;
        dis0 = coarse_dis;
        const float *precomputed = ivf.precomputed_table.data() + list * M * ksub;
        if (!vectorised) {
            faiss::fvec_madd(M * ksub, precomputed, -2.0f, inner.data(), table.data());
            return;
        }
        float mins[kMaxTerms], maxs[kMaxTerms];
        list_table(M, precomputed, inner.data(), table.data(), mins, maxs);
        prepare_bound(mins, maxs);
    }

    /// The margin that makes the quantised table a true lower bound, and the table itself.
    void prepare_bound(const float *mins, const float *maxs) {
        bounded = false;
        if (!std::isfinite(dis0)) return;
        double range = 0, magnitude = std::fabs(double(dis0)), sum = 0;
        for (size_t m = 0; m < M; m++) {
            if (!std::isfinite(mins[m]) || !std::isfinite(maxs[m])) return; // NaN or ±inf: exact sums only
            sum += mins[m];
            range = std::max(range, double(maxs[m]) - double(mins[m]));
            magnitude += std::max(std::fabs(double(mins[m])), std::fabs(double(maxs[m])));
        }
        if (!(range > 0)) return;
        step = range / 255;
        quantise(M, table.data(), mins, float(1 / step), quantised.data());
        floor_sum = sum;
        // FAISS's float sum of M + 1 terms errs by at most (M + 1) u Σ|terms| (u = 2^-24); each q
        // may exceed (t - min) / step by a few u from the float subtraction and product. The margin
        // takes several times both.
        slack = double(8 * M + 16) * std::ldexp(1.0, -24) * magnitude + 1e-12 * magnitude;
        bounded = true;
    }

    float distance_to_code(const uint8_t *code) const override {
        float dis = 0;
        const float *t = table.data();
        for (size_t m = 0; m < M; m++, t += ksub) dis += t[code[m]];
        return dis + dis0;
    }

    size_t consider(size_t j, const uint8_t *code, const idx_t *ids, float *heap_dis, idx_t *heap_ids, size_t k) const {
        const float dis = distance_to_code(code);
        if (!(heap_dis[0] > dis)) return 0;
        const idx_t id = ids ? ids[j] : faiss::lo_build(list_no, j);
        faiss::heap_replace_top<MaxHeap>(k, heap_dis, heap_ids, dis, id);
        return 1;
    }

    size_t scan_codes(size_t n, const uint8_t *codes, const idx_t *ids, float *heap_dis, idx_t *heap_ids,
                      size_t k) const override {
        size_t updates = 0, j = 0;
        if (bounded) {
            const double ceiling = double(M) * 255;
            for (; j + kBlock <= n; j += kBlock) {
                const uint8_t *block = codes + j * code_size;
                const double limit = (double(heap_dis[0]) - dis0 - floor_sum + slack) / step;
                if (limit < 0) continue; // no code of this list's block can come under the top
                if (limit >= ceiling) {  // the bound rules nothing out (the heap is not yet full)
                    for (size_t b = 0; b < kBlock; b++)
                        updates += consider(j + b, block + b * code_size, ids, heap_dis, heap_ids, k);
                    continue;
                }
                uint64_t pass = M == 16 ? bounded_codes16(block, quantised.data(), uint16_t(limit))
                                        : bounded_codes(block, layout, quantised.data(), uint16_t(limit));
                while (pass != 0) {
                    const size_t b = size_t(__builtin_ctzll(pass));
                    pass &= pass - 1;
                    updates += consider(j + b, block + b * code_size, ids, heap_dis, heap_ids, k);
                }
            }
        }
        for (; j < n; j++) updates += consider(j, codes + j * code_size, ids, heap_dis, heap_ids, k);
        return updates;
    }
};

} // namespace

bool lower_bound_vectorised() {
    static const bool supported = cpu_has_vbmi();
    return supported;
}

bool FastScanIVFPQ::suits() const {
    return metric_type == faiss::METRIC_L2 && by_residual && use_precomputed_table == 1 && pq.nbits == 8 &&
           pq.ksub == 256 && pq.code_size == pq.M && polysemous_ht == 0 &&
           precomputed_table.size() == nlist * pq.M * pq.ksub;
}

faiss::InvertedListScanner *FastScanIVFPQ::get_InvertedListScanner(bool store_pairs,
                                                                  const faiss::IDSelector *sel) const {
    if (!fast || store_pairs || sel != nullptr || !suits())
        return faiss::IndexIVFPQ::get_InvertedListScanner(store_pairs, sel);
    return new PQTableScanner(*this);
}

faiss::Index *with_fast_scan(faiss::Index *index) {
    if (index == nullptr) return index;
    if (typeid(*index) == typeid(faiss::IndexIVFPQ)) {
        auto *plain = static_cast<faiss::IndexIVFPQ *>(index);
        auto *fast = new FastScanIVFPQ(*plain);
        // The copy takes over the lists and the quantizer; the original gives them up and goes.
        plain->own_invlists = false;
        plain->own_fields = false;
        delete plain;
        return fast;
    }
    if (auto *chain = dynamic_cast<faiss::IndexPreTransform *>(index)) chain->index = with_fast_scan(chain->index);
    return index;
}

FastScanIVFPQ *fast_scan_of(faiss::Index *index) {
    if (auto *fast = dynamic_cast<FastScanIVFPQ *>(index)) return fast;
    if (auto *chain = dynamic_cast<faiss::IndexPreTransform *>(index)) return dynamic_cast<FastScanIVFPQ *>(chain->index);
    return nullptr;
}

} // namespace pleinair
