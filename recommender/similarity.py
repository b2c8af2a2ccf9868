"""Content similarity between activities: TF-IDF over the model's features, cosine,
top-k neighbours. Arrays in, arrays out; no Django import."""
from __future__ import annotations

import zlib

import numpy as np
from scipy import sparse


def inverse_document_frequency(counts: sparse.csr_matrix) -> np.ndarray:
    """Smoothed idf, as scikit-learn's TfidfTransformer computes it."""
    documents = counts.shape[0]
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1 + documents) / (1 + frequency)) + 1.0


def tfidf_vectors(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Rows of log(1 + tf) × idf, each scaled to unit length (so a dot product is the cosine)."""
    weighted = counts.astype(np.float64).tocsr(copy=True)
    weighted.data = np.log1p(weighted.data)
    weighted = weighted @ sparse.diags(idf)
    norms = np.sqrt(weighted.multiply(weighted).sum(axis=1)).A1
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ weighted


def nearest_neighbours(queries: sparse.csr_matrix, vectors: sparse.csr_matrix, k: int,
                       exclude: np.ndarray | None = None, chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the k most similar rows of `vectors` (indices, scores), best first.
    `exclude[i]` is a row of `vectors` that query i must not get (itself), or -1."""
    n_queries, n_vectors = queries.shape[0], vectors.shape[0]
    k = min(k, max(n_vectors - 1, 0))
    indices = np.zeros((n_queries, k), dtype=np.int64)
    scores = np.zeros((n_queries, k), dtype=np.float64)
    if k == 0:
        return indices, scores
    transposed = vectors.T.tocsc()
    for start in range(0, n_queries, chunk):
        block = (queries[start : start + chunk] @ transposed).toarray()
        if exclude is not None:
            rows = np.arange(block.shape[0])
            own = exclude[start : start + chunk]
            block[rows[own >= 0], own[own >= 0]] = -np.inf
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(block, top, axis=1)
        order = np.lexsort((top, -top_scores), axis=1)  # best first, ties by lower index
        indices[start : start + chunk] = np.take_along_axis(top, order, axis=1)
        scores[start : start + chunk] = np.take_along_axis(top_scores, order, axis=1)
    return indices, scores


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
