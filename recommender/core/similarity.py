"""Content similarity between activities: TF-IDF over the model's features, cosine, top-k
neighbours, with scikit-learn's TfidfTransformer and NearestNeighbors. Arrays in, arrays
out; no Django import.

The weighting is log(1 + tf) × smoothed idf, each row scaled to unit length. scikit-learn's
`sublinear_tf` is 1 + log(tf) instead, which ranks neighbours differently, so the counts are
put through log1p here and the transformer applies idf and the norm.
"""
from __future__ import annotations

import zlib

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer


def _log_tf(counts) -> sparse.csr_matrix:
    weighted = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    weighted.data = np.log1p(weighted.data)
    return weighted


def _transformer(idf: np.ndarray) -> TfidfTransformer:
    transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False)
    transformer.idf_ = np.asarray(idf, dtype=np.float64)
    transformer.n_features_in_ = len(transformer.idf_)
    return transformer


def inverse_document_frequency(counts) -> np.ndarray:
    """Smoothed idf of a count matrix: log((1 + n) / (1 + df)) + 1 (TfidfTransformer's)."""
    return TfidfTransformer(smooth_idf=True).fit(counts).idf_


def tfidf_vectors(counts, idf: np.ndarray) -> sparse.csr_matrix:
    """Rows of log(1 + tf) × idf, each scaled to unit length (so a dot product is the cosine)."""
    return sparse.csr_matrix(_transformer(idf).transform(_log_tf(counts)))


def nearest_neighbours(vectors: sparse.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row of `vectors` (unit length), the k most similar other rows (indices, cosine
    scores), best first; equal scores in index order."""
    from sklearn.neighbors import NearestNeighbors  # only building the index needs it, not a web request

    n = vectors.shape[0]
    k = min(k, max(n - 1, 0))
    if k == 0:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float64)
    # A few more than asked, so that equal scores at the cut are decided by index, not by the
    # order a partial sort left them in.
    wanted = min(k + 4, n - 1)
    index = NearestNeighbors(n_neighbors=wanted, metric="cosine", algorithm="brute").fit(vectors)
    distances, indices = index.kneighbors()  # no query: each row's neighbours other than itself
    scores = 1.0 - distances
    order = np.lexsort((indices, -np.round(scores, 12)), axis=1)[:, :k]
    return np.take_along_axis(indices, order, axis=1).astype(np.int64), np.take_along_axis(scores, order, axis=1)


def scores_against(matrix: sparse.csr_matrix, vector: sparse.csr_matrix) -> np.ndarray:
    """The cosine of `vector` (one unit-length row) with every row of `matrix` (unit length)."""
    return np.asarray((matrix @ vector.T).todense()).ravel()


def vector_to_bytes(row: sparse.csr_matrix) -> bytes:
    row = row.tocsr()
    return zlib.compress(row.indices.astype("<i4").tobytes() + row.data.astype("<f4").tobytes())


def vectors_from_bytes(blobs: list[bytes], n_features: int) -> sparse.csr_matrix:
    indptr, indices, data = [0], [], []
    for blob in blobs:
        raw = zlib.decompress(bytes(blob))
        size = len(raw) // 8
        indices.append(np.frombuffer(raw, dtype="<i4", count=size))
        data.append(np.frombuffer(raw, dtype="<f4", count=size, offset=4 * size).astype(np.float64))
        indptr.append(indptr[-1] + size)
    if not blobs:
        return sparse.csr_matrix((0, n_features))
    return sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), np.array(indptr)), shape=(len(blobs), n_features))
