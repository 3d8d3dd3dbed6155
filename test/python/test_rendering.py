"""How the rows are rendered, seen from Python: fixed columns, no empty cells, one text per document."""

import pytest

from helpers import read_jsonl


def _rows(dataset, rel):
    path = dataset / rel
    if not path.is_file():
        pytest.skip(f"{rel} was not exported")
    rows = read_jsonl(path)
    assert rows, f"{rel} is written but empty (an empty split is not written)"
    return rows


@pytest.mark.parametrize("rel", ["sentence-transformers/train.jsonl", "sentence-transformers/dev.jsonl", "sentence-transformers/train.batched.jsonl"])
def test_n_tuples_have_fixed_columns_and_no_empty_cell(dataset, rel):
    rows = _rows(dataset, rel)
    columns = list(rows[0])
    k = len(columns) - 2
    assert k >= 1 and columns == ["anchor", "positive", *[f"negative_{i}" for i in range(1, k + 1)]], columns
    for i, row in enumerate(rows):
        assert list(row) == columns, f"row {i} has columns {list(row)}"
        empty = [c for c, v in row.items() if not isinstance(v, str) or not v.strip()]
        assert not empty, f"row {i}: null or empty {empty}"


@pytest.mark.parametrize("rel", ["sentence-transformers/train.pairs.jsonl", "sentence-transformers/dev.pairs.jsonl"])
def test_pairs_are_anchor_and_positive(dataset, rel):
    for i, row in enumerate(_rows(dataset, rel)):
        assert list(row) == ["anchor", "positive"], f"row {i}"
        assert all(isinstance(v, str) and v.strip() for v in row.values()), f"row {i}"


def test_positives_and_negatives_are_rendered_alike(dataset):
    """A document reads the same whether it is a positive or a negative (one rendering function)."""
    corpus = {d["_id"]: d for d in _rows(dataset, "beir/corpus.jsonl")}
    rows = _rows(dataset, "clickforge/train.jsonl")

    def rendered(doc_id, with_title):
        d = corpus[doc_id]
        return f"{d['title']}\n\n{d['text']}" if with_title and d["title"] else d["text"]

    titled = [rendered(r["doc_id"], True) == r["positive"] for r in rows if corpus[r["doc_id"]]["title"]]
    assert titled, "no titled positive to tell how documents are rendered"
    with_title = all(titled)
    assert with_title or not any(titled), "positives are rendered two ways"
    for r in rows:
        assert r["positive"] == rendered(r["doc_id"], with_title), r["doc_id"]
        for n in r["negatives"]:
            assert n["text"] == rendered(n["doc_id"], with_title), f"negative {n['doc_id']} of {r['query']!r} is rendered unlike the positives"



def test_text_only_formats_hold_corpus_documents_rendered_one_way(dataset):
    """Every positive and negative of the n-tuple file is a corpus document, all rendered the same way."""
    corpus = _rows(dataset, "beir/corpus.jsonl")
    titled = {f"{d['title']}\n\n{d['text']}" if d["title"] else d["text"] for d in corpus}
    bare = {d["text"] for d in corpus}
    cells = [v for row in _rows(dataset, "sentence-transformers/train.jsonl") for c, v in row.items() if c != "anchor"]
    in_titled = sum(c in titled for c in cells)
    in_bare = sum(c in bare for c in cells)
    assert max(in_titled, in_bare) == len(cells), f"{len(cells)} texts: {in_titled} rendered with title, {in_bare} without"
