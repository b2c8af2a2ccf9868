"""recommender.core.similarity (scikit-learn's TfidfTransformer and NearestNeighbors) gives the
neighbours and scores the hand-written TF-IDF and cosine top-k it replaced gave."""
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from recommender.core import similarity
from recommender.core.text import activity_text, char_ngrams

TEXTS = [
    ("주말 한강 러닝 크루", "초보도 함께 뛰는 5km 러닝", "서울 마포구"),
    ("한강 야간 러닝", "퇴근 후 한강에서 가볍게 달려요", "서울 영등포구"),
    ("클라이밍 입문 원데이", "볼더링 기초를 배워요", "서울 성동구"),
    ("실내 클라이밍 정모", "볼더링 짐에서 함께 운동", "경기 성남시"),
    ("와인 시음회", "내추럴 와인 네 종류를 맛봐요", "서울 용산구"),
    ("수제 맥주 투어", "브루어리 세 곳을 돌며 맥주 시음", "부산 해운대구"),
    ("토익 스터디", "매주 모의고사 풀고 오답 정리", "서울 강남구"),
    ("영어 회화 모임", "원어민과 자유 회화 연습", "서울 종로구"),
    ("토익 900 목표 스터디", "LC RC 파트별 문제 풀이", "대전 서구"),
    ("재테크 독서 모임", "주식과 ETF 책을 읽고 토론", "서울 중구"),
    ("ETF 투자 기초", "분산 투자와 연금 계좌 이야기", "온라인"),
    ("여수 밤바다 여행", "1박 2일 여수 동행 구해요", "전남 여수시"),
    ("제주 올레길 걷기", "올레 7코스 함께 걸어요", "제주 서귀포시"),
    ("베이킹 클래스", "휘낭시에와 마들렌 굽기", "서울 마포구"),
]


def _hand_written(counts: sparse.csr_matrix, k: int):
    """The previous implementation: smoothed idf, log(1 + tf) × idf rows of unit length, each
    row's k best cosines with the others, best first, equal scores by lower index."""
    n = counts.shape[0]
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + n) / (1 + frequency)) + 1.0
    weighted = counts.astype(np.float64).toarray()
    weighted = np.log1p(weighted) * idf
    weighted /= np.maximum(np.linalg.norm(weighted, axis=1, keepdims=True), 1e-300)
    scores = weighted @ weighted.T
    np.fill_diagonal(scores, -np.inf)
    order = np.lexsort((np.tile(np.arange(n), (n, 1)), -scores), axis=1)[:, :k]
    return idf, weighted, order, np.take_along_axis(scores, order, axis=1)


def _counts():
    texts = [activity_text(title=title, intro=intro, address_location=place) for title, intro, place in TEXTS]
    return CountVectorizer(analyzer=char_ngrams).fit_transform(texts).tocsr()


def test_tfidf_and_neighbours_equal_the_hand_written_ones():
    counts = _counts()
    expected_idf, expected_vectors, expected_neighbours, expected_scores = _hand_written(counts, 5)

    idf = similarity.inverse_document_frequency(counts)
    vectors = similarity.tfidf_vectors(counts, idf)
    neighbours, scores = similarity.nearest_neighbours(vectors, 5)

    np.testing.assert_allclose(idf, expected_idf, rtol=1e-12)
    np.testing.assert_allclose(vectors.toarray(), expected_vectors, atol=1e-12)
    np.testing.assert_array_equal(neighbours, expected_neighbours)
    np.testing.assert_allclose(scores, expected_scores, atol=1e-12)
    assert neighbours[0][0] == 1 and neighbours[2][0] == 3  # the two runs, the two climbing listings


def test_equal_scores_come_in_index_order_and_nobody_is_their_own_neighbour():
    counts = sparse.csr_matrix(np.array([[1, 0, 2], [1, 0, 2], [1, 0, 2], [0, 3, 0], [1, 0, 2]]))
    idf = similarity.inverse_document_frequency(counts)
    neighbours, scores = similarity.nearest_neighbours(similarity.tfidf_vectors(counts, idf), 3)
    assert neighbours.tolist()[0] == [1, 2, 4]
    assert neighbours.tolist()[2] == [0, 1, 4]
    assert all(row not in list(found) for row, found in enumerate(neighbours))
    np.testing.assert_allclose(scores[:3], 1.0)


def test_one_new_vector_scored_against_stored_ones():
    counts = _counts()
    idf = similarity.inverse_document_frequency(counts)
    vectors = similarity.tfidf_vectors(counts, idf)
    stored = similarity.vectors_from_bytes([similarity.vector_to_bytes(vectors[i]) for i in range(1, len(TEXTS))],
                                           counts.shape[1])
    scores = similarity.scores_against(stored, similarity.tfidf_vectors(counts[0], idf))
    np.testing.assert_allclose(scores, (vectors[1:] @ vectors[0].T).toarray().ravel(), atol=1e-6)  # stored as float32
    assert int(np.argmax(scores)) == 0  # row 1, the other run


def test_fewer_rows_than_neighbours_asked():
    counts = sparse.csr_matrix(np.array([[1, 1], [1, 0]]))
    neighbours, _scores = similarity.nearest_neighbours(
        similarity.tfidf_vectors(counts, similarity.inverse_document_frequency(counts)), 12)
    assert neighbours.tolist() == [[1], [0]]
    empty, _ = similarity.nearest_neighbours(sparse.csr_matrix((1, 2)), 12)
    assert empty.shape == (1, 0)
