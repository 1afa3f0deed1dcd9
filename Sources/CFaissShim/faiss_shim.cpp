// See include/faiss_shim.h. No FAISS exception may cross into Swift: each entry point wraps its
// body in `guarded`, which turns any exception into a return code and a message.
#include "faiss_shim.h"
#include "PQTableScanner.hpp"

#include <faiss/AutoTune.h>
#include <faiss/IVFlib.h>
#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

// omp.h is not on Swift's clang include path (PLATFORM.md); these are libgomp's C entry points.
extern "C" int omp_get_max_threads(void);
extern "C" void omp_set_num_threads(int);

struct pa_faiss_index {
    faiss::Index *index;
};

namespace {

void report(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    size_t n = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

template <typename Body>
int guarded(char *error, size_t capacity, Body body) {
    try {
        body();
        report(error, capacity, "");
        return 0;
    } catch (const faiss::FaissException &e) {
        report(error, capacity, e.msg);
        return 1;
    } catch (const std::exception &e) {
        report(error, capacity, e.what());
        return 2;
    } catch (...) {
        report(error, capacity, "unknown C++ exception");
        return 3;
    }
}

// OpenMP thread counts are per calling thread, and Swift may hop threads between calls, so every
// parallel entry point sets its own.
void use_threads(int threads) {
    if (threads > 0) omp_set_num_threads(threads);
}

} // namespace

extern "C" int pa_faiss_index_factory(int dimension, const char *description, int metric,
                                      pa_faiss_index **out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        faiss::MetricType m = metric == 1 ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2;
        faiss::Index *index = faiss::index_factory(dimension, description, m);
        // FAISS prints a warning to stderr when there are fewer than 39 training points per list;
        // libraries must not print, so the caller checks that count itself (pa_faiss_ivf_lists).
        if (faiss::IndexIVF *ivf = faiss::ivflib::try_extract_index_ivf(index)) {
            ivf->cp.min_points_per_centroid = 1;
        }
        *out = new pa_faiss_index{index};
    });
}

extern "C" int pa_faiss_train(pa_faiss_index *index, int64_t n, const float *vectors, int threads,
                              char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        use_threads(threads);
        if (!index->index->is_trained) index->index->train(n, vectors);
    });
}

extern "C" int pa_faiss_add(pa_faiss_index *index, int64_t n, const float *vectors, int threads,
                            char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        use_threads(threads);
        index->index->add(n, vectors);
    });
}

extern "C" int pa_faiss_search(const pa_faiss_index *index, int64_t n, const float *queries, int64_t k,
                               int threads, float *distances, int64_t *labels, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        use_threads(threads);
        index->index->search(n, queries, k, distances, labels);
    });
}

extern "C" int pa_faiss_set_parameter(pa_faiss_index *index, const char *name, double value, char *error,
                                      size_t capacity) {
    return guarded(error, capacity, [&] {
        faiss::ParameterSpace space;
        space.set_index_parameter(index->index, name, value);
    });
}

extern "C" int pa_faiss_write(const pa_faiss_index *index, const char *path, char *error, size_t capacity) {
    return guarded(error, capacity, [&] { faiss::write_index(index->index, path); });
}

extern "C" int pa_faiss_read(const char *path, int mmap, pa_faiss_index **out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        faiss::Index *index = faiss::read_index(path, mmap ? faiss::IO_FLAG_MMAP : 0);
        *out = new pa_faiss_index{pleinair::with_fast_scan(index)};
    });
}

extern "C" int pa_faiss_set_fast_scan(pa_faiss_index *index, int on) {
    pleinair::FastScanIVFPQ *fast = pleinair::fast_scan_of(index->index);
    if (fast == nullptr) return -1;
    fast->fast = on != 0;
    return fast->suits() ? 1 : 0;
}

extern "C" int pa_faiss_fast_scan_vectorised(void) { return pleinair::lower_bound_vectorised() ? 1 : 0; }

extern "C" int64_t pa_faiss_count(const pa_faiss_index *index) { return index->index->ntotal; }

extern "C" int pa_faiss_dimension(const pa_faiss_index *index) { return index->index->d; }

extern "C" int pa_faiss_is_trained(const pa_faiss_index *index) { return index->index->is_trained ? 1 : 0; }

extern "C" int pa_faiss_is_flat_l2(const pa_faiss_index *index) {
    const faiss::IndexFlat *flat = dynamic_cast<const faiss::IndexFlat *>(index->index);
    return flat && flat->metric_type == faiss::METRIC_L2 ? 1 : 0;
}

extern "C" int64_t pa_faiss_ivf_lists(const pa_faiss_index *index) {
    try {
        const faiss::IndexIVF *ivf = faiss::ivflib::try_extract_index_ivf(index->index);
        return ivf ? (int64_t)ivf->nlist : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int64_t pa_faiss_ivf_code_size(const pa_faiss_index *index) {
    try {
        const faiss::IndexIVF *ivf = faiss::ivflib::try_extract_index_ivf(index->index);
        return ivf ? (int64_t)ivf->code_size : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int pa_faiss_set_kmeans_iterations(pa_faiss_index *index, int iterations, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        faiss::IndexIVF *ivf = faiss::ivflib::try_extract_index_ivf(index->index);
        if (ivf == nullptr) throw std::runtime_error("not an IVF index");
        ivf->cp.niter = iterations;
    });
}

extern "C" int64_t pa_faiss_ivf_nprobe(const pa_faiss_index *index) {
    try {
        const faiss::IndexIVF *ivf = faiss::ivflib::try_extract_index_ivf(index->index);
        return ivf ? (int64_t)ivf->nprobe : 0;
    } catch (...) {
        return 0;
    }
}

// Only an index that is itself IVF: behind a transform (PCA, OPQ) centroids live in another space.
static const faiss::IndexIVF *direct_ivf(const pa_faiss_index *index) {
    const faiss::IndexIVF *ivf = dynamic_cast<const faiss::IndexIVF *>(index->index);
    if (ivf == nullptr) throw std::runtime_error("not an IVF index (or one behind a transform)");
    return ivf;
}

extern "C" int pa_faiss_ivf_centroids(const pa_faiss_index *index, float *out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        const faiss::IndexIVF *ivf = direct_ivf(index);
        ivf->quantizer->reconstruct_n(0, ivf->nlist, out);
    });
}

extern "C" int64_t pa_faiss_ivf_list_size(const pa_faiss_index *index, int64_t list) {
    const faiss::IndexIVF *ivf = dynamic_cast<const faiss::IndexIVF *>(index->index);
    if (ivf == nullptr || list < 0 || (size_t)list >= ivf->nlist) return -1;
    try {
        return (int64_t)ivf->invlists->list_size(list);
    } catch (...) {
        return -1;
    }
}

extern "C" int pa_faiss_ivf_list_ids(const pa_faiss_index *index, int64_t list, int64_t *out, char *error,
                                     size_t capacity) {
    return guarded(error, capacity, [&] {
        const faiss::IndexIVF *ivf = direct_ivf(index);
        if (list < 0 || (size_t)list >= ivf->nlist) throw std::runtime_error("list out of range");
        size_t n = ivf->invlists->list_size(list);
        faiss::InvertedLists::ScopedIds ids(ivf->invlists, list);
        for (size_t i = 0; i < n; i++) out[i] = ids[i];
    });
}

extern "C" void pa_faiss_free(pa_faiss_index *index) {
    if (index == nullptr) return;
    delete index->index;
    delete index;
}
