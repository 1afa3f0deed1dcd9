// A plain-C face over FAISS 1.7.3 (Debian's static libfaiss.a). Swift's direct C++ interop copies
// FAISS index objects by value and misdispatches virtual calls (PLATFORM.md), so Swift sees only
// these functions. Every function catches every C++ exception and reports it as a nonzero return
// code plus a NUL-terminated message in `error` (at most `error_capacity` bytes, always terminated).
#ifndef PLEINAIR_FAISS_SHIM_H
#define PLEINAIR_FAISS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An owned faiss::Index; free with pa_faiss_free.
typedef struct pa_faiss_index pa_faiss_index;

/// Builds an empty index from an index-factory string ("Flat", "IVF1024,Flat", "HNSW32", ...) with
/// the L2 metric (metric 0) or inner product (metric 1).
int pa_faiss_index_factory(int dimension, const char *description, int metric, pa_faiss_index **out,
                           char *error, size_t error_capacity);
/// Trains the index on n vectors (a no-op for indexes that need none).
int pa_faiss_train(pa_faiss_index *index, int64_t n, const float *vectors, int threads, char *error,
                   size_t error_capacity);
/// Appends n vectors; their ids are the running count.
int pa_faiss_add(pa_faiss_index *index, int64_t n, const float *vectors, int threads, char *error,
                 size_t error_capacity);
/// k nearest neighbours of n queries: distances and labels are n*k row-major; missing ones are -1.
int pa_faiss_search(const pa_faiss_index *index, int64_t n, const float *queries, int64_t k, int threads,
                    float *distances, int64_t *labels, char *error, size_t error_capacity);
/// Sets a search-time parameter by name through faiss::ParameterSpace ("nprobe", "efSearch", ...).
int pa_faiss_set_parameter(pa_faiss_index *index, const char *name, double value, char *error,
                           size_t error_capacity);
/// Writes the index to a file (faiss::write_index).
int pa_faiss_write(const pa_faiss_index *index, const char *path, char *error, size_t error_capacity);
/// Reads an index written by pa_faiss_write; `mmap` maps IVF lists instead of loading them.
int pa_faiss_read(const char *path, int mmap, pa_faiss_index **out, char *error, size_t error_capacity);
/// Turns PleinAir's IVF-PQ list scan (PQTableScanner.cpp: FAISS's neighbours and distances bit for bit,
/// faster) on or off for an index read by pa_faiss_read, where it is on. Returns 1 when the index has
/// that scan and its layout suits it, 0 when it has it but its layout keeps FAISS's own scan, and -1
/// when the index is not an IVF-PQ index (alone or behind a transform).
int pa_faiss_set_fast_scan(pa_faiss_index *index, int on);
/// Whether this CPU filters codes sixty-four at a time in that scan (AVX-512 BW and VBMI): 1, else 0,
/// in which case the scan sums every code exactly, one after another.
int pa_faiss_fast_scan_vectorised(void);
/// Number of stored vectors.
int64_t pa_faiss_count(const pa_faiss_index *index);
/// Vector dimension.
int pa_faiss_dimension(const pa_faiss_index *index);
/// Whether the index is trained (1) or still needs training (0).
int pa_faiss_is_trained(const pa_faiss_index *index);
/// Whether the index is a plain exact L2 index (`Flat`): 1, else 0.
int pa_faiss_is_flat_l2(const pa_faiss_index *index);
/// Inverted lists of the IVF index inside (0 when it is not an IVF index).
int64_t pa_faiss_ivf_lists(const pa_faiss_index *index);
/// Bytes per stored vector in the IVF index inside (4 × dimension for IVF-Flat; 0 when it is not IVF).
int64_t pa_faiss_ivf_code_size(const pa_faiss_index *index);
/// Sets the k-means iterations used to train the IVF index inside (FAISS's default is 25).
int pa_faiss_set_kmeans_iterations(pa_faiss_index *index, int iterations, char *error, size_t error_capacity);
/// IVF lists probed per query (0 when it is not an IVF index).
int64_t pa_faiss_ivf_nprobe(const pa_faiss_index *index);
/// Copies the coarse centroids (lists × dimension floats) of an index that is itself an IVF index.
int pa_faiss_ivf_centroids(const pa_faiss_index *index, float *out, char *error, size_t error_capacity);
/// Number of vectors in inverted list `list` (-1 when it is not an IVF index).
int64_t pa_faiss_ivf_list_size(const pa_faiss_index *index, int64_t list);
/// Copies the ids stored in inverted list `list` (pa_faiss_ivf_list_size of them).
int pa_faiss_ivf_list_ids(const pa_faiss_index *index, int64_t list, int64_t *out, char *error, size_t error_capacity);
/// Releases the index (null is allowed).
void pa_faiss_free(pa_faiss_index *index);

#ifdef __cplusplus
}
#endif

#endif
