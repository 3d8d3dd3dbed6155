"""Field contracts of the trainers that do not install here (FlagEmbedding, Tevatron, BEIR).

Each contract re-states what the tool's own loader reads, from its source; where the loader
goes through `datasets` or the csv module, the test does the same call.
"""

import csv
import json
import math
import re

import pytest
from datasets import load_dataset

from helpers import group_size, read_jsonl, snippet_named

SPLITS = ["train", "dev"]


def _existing(dataset, pattern, splits=SPLITS):
    paths = [dataset / pattern.format(split=s) for s in splits]
    paths = [p for p in paths if p.is_file()]
    if not paths:
        pytest.skip(f"no {pattern} was exported")
    return paths


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


# ---- FlagEmbedding ----------------------------------------------------------------------------
# FlagOpen/FlagEmbedding, FlagEmbedding/abc/finetune/embedder/AbsDataset.py (AbsEmbedderTrainDataset)
# and AbsArguments.py (AbsEmbedderDataArguments). The contract:
# - --train_data files are read only when they end in .json or .jsonl (others are skipped silently),
#   each with datasets.load_dataset("json", data_files=path, split="train");
# - `query` is a string; with --query_instruction_for_retrieval set, the query becomes
#   query_instruction_format.format(row["prompt"] if the column exists else the instruction, query):
#   a `prompt` column overrides the flag, and a row missing it (None once loaded) would read "None";
# - `pos` and `neg` must be lists (asserted); one positive is random.choice(range(len(pos))), so an
#   empty `pos` raises; train_group_size - 1 negatives are sampled, and when `neg` is shorter the
#   index list is repeated ceil((group - 1) / len(neg)) times, so an empty `neg` divides by zero and
#   a short one repeats negatives in a group;
# - pos_scores / neg_scores are dropped unless --knowledge_distillation, which requires both, indexes
#   them with the sampled pos / neg positions and requires numbers.


def test_flagembedding_rows(dataset):
    for path in _existing(dataset, "flagembedding/{split}.jsonl"):
        assert path.suffix == ".jsonl"
        ds = load_dataset("json", data_files=str(path), split="train")
        cols = set(ds.column_names)
        assert {"query", "pos", "neg"} <= cols, cols
        assert cols <= {"query", "pos", "neg", "prompt", "pos_scores", "neg_scores"}, cols
        assert ("pos_scores" in cols) == ("neg_scores" in cols), "knowledge distillation needs both score columns"
        for i, row in enumerate(ds):
            assert isinstance(row["query"], str) and row["query"].strip(), f"{path.name}:{i} query"
            for key in ("pos", "neg"):
                texts = row[key]
                assert isinstance(texts, list) and texts, f"{path.name}:{i} {key} must be a non-empty list"
                assert all(isinstance(t, str) and t.strip() for t in texts), f"{path.name}:{i} {key}"
            if "prompt" in cols:
                assert isinstance(row["prompt"], str) and row["prompt"], f"{path.name}:{i} prompt: every row or none"
            if "pos_scores" in cols:
                assert len(row["pos_scores"]) == len(row["pos"]) and all(map(_is_number, row["pos_scores"])), f"{path.name}:{i} pos_scores"
                assert len(row["neg_scores"]) == len(row["neg"]) and all(map(_is_number, row["neg_scores"])), f"{path.name}:{i} neg_scores"


def test_flagembedding_prompt_left_to_the_trainer(dataset):
    """No empty `prompt`: it would replace --query_instruction_for_retrieval with nothing."""
    for path in _existing(dataset, "flagembedding/{split}.jsonl"):
        assert all(row.get("prompt", None) != "" for row in read_jsonl(path)), f"{path.name} has an empty prompt"


def test_flagembedding_groups_as_the_card_says(dataset):
    """With the card's --train_group_size, a group is one positive and distinct negatives of its row."""
    group = group_size("flagembedding")
    if group is None:
        pytest.skip("the card's FlagEmbedding snippet sets no --train_group_size")
    for path in _existing(dataset, "flagembedding/{split}.jsonl"):
        for i, row in enumerate(read_jsonl(path)):
            assert len(row["neg"]) >= group - 1, f"{path.name}:{i}: {len(row['neg'])} negatives for a group of {group}"
            assert len(set(row["neg"])) == len(row["neg"]), f"{path.name}:{i} repeats a negative"
            assert not set(row["pos"]) & set(row["neg"]), f"{path.name}:{i} a positive is also a negative"


# ---- Tevatron ---------------------------------------------------------------------------------
# texttron/tevatron, src/tevatron/retriever/dataset.py (TrainDataset) and arguments.py (DataArguments);
# src/tevatron/retriever/collator.py (TrainCollator) tokenizes the strings it is given. The contract:
# - the file is read with load_dataset(--dataset_name, --dataset_config, data_files=--dataset_path,
#   split=--dataset_split), i.e. load_dataset("json", None, data_files=path, split="train");
# - a row with `positive_passages` is the text format: `query` is the query text; the positive is
#   positive_passages[(hash + epoch) % len], so the list must not be empty; each passage is read as
#   title + " " + text when it has a `title` (so `text` must not start with the title again);
# - with fewer than train_group_size - 1 negatives it draws random.choices (with replacement, and an
#   IndexError when the list is empty); otherwise a seeded shuffle of negative_passages.


def test_tevatron_rows(dataset, tmp_path):
    for path in _existing(dataset, "tevatron/{split}.jsonl"):
        ds = load_dataset("json", None, data_files=str(path), split="train", cache_dir=str(tmp_path))
        assert {"query_id", "query", "positive_passages", "negative_passages"} <= set(ds.column_names)
        for i, row in enumerate(ds):
            assert isinstance(row["query_id"], str) and row["query_id"], f"{path.name}:{i} query_id"
            assert isinstance(row["query"], str) and row["query"].strip(), f"{path.name}:{i} query"
            for key in ("positive_passages", "negative_passages"):
                passages = row[key]
                assert isinstance(passages, list) and passages, f"{path.name}:{i} {key} must be a non-empty list"
                for p in passages:
                    assert set(p) == {"docid", "title", "text"}, f"{path.name}:{i} {key} {set(p)}"
                    assert all(isinstance(p[k], str) for k in p), f"{path.name}:{i} {key}"
                    assert p["docid"] and p["text"].strip(), f"{path.name}:{i} {key}"


def test_tevatron_passages_are_corpus_documents_without_the_title_twice(dataset):
    corpus = {d["_id"]: d for d in read_jsonl(dataset / "beir" / "corpus.jsonl")} if (dataset / "beir" / "corpus.jsonl").is_file() else None
    group = group_size("tevatron")
    for path in _existing(dataset, "tevatron/{split}.jsonl"):
        for i, row in enumerate(read_jsonl(path)):
            if group is not None:
                assert len(row["negative_passages"]) >= group - 1, f"{path.name}:{i}: Tevatron would draw negatives with replacement"
            for p in row["positive_passages"] + row["negative_passages"]:
                if p["title"]:
                    assert not p["text"].startswith(p["title"]), f"{path.name}:{i} {p['docid']}: text repeats the title"
                if corpus is not None:
                    doc = corpus[p["docid"]]
                    assert (p["title"], p["text"]) == (doc["title"] or "", doc["text"]), f"{path.name}:{i} {p['docid']} differs from the corpus"


# ---- BEIR -------------------------------------------------------------------------------------
# beir-cellar/beir, beir/datasets/data_loader.py (GenericDataLoader). The contract:
# - load(split) checks that corpus.jsonl and queries.jsonl exist and end in .jsonl and that
#   qrels/<split>.tsv exists and ends in .tsv (a missing split is a ValueError);
# - corpus lines: json.loads, then _id -> {"text": line.get("text"), "title": line.get("title")};
#   query lines: _id -> line.get("text");
# - qrels: csv.reader(delimiter="\t", quoting=csv.QUOTE_MINIMAL), the first row skipped blindly as
#   the header, then row[0] query id, row[1] corpus id, int(row[2]) score; a repeated (query, doc)
#   pair keeps the last score; afterwards queries = {qid: queries[qid] for qid in qrels}, so every
#   qrel query id must be a query (KeyError otherwise).

QREL_HEADER = ["query-id", "corpus-id", "score"]
BAD_ID = set('\t\r\n"')


def _beir_qrels(path):
    """The qrels as GenericDataLoader reads them, with the header it skips."""
    with open(path, encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_MINIMAL)
        header = next(reader)
        rows = list(reader)
    return header, rows


def test_beir_corpus_and_queries(dataset):
    beir = dataset / "beir"
    if not beir.is_dir():
        pytest.skip("no BEIR folder was exported")
    for name, fields in [("corpus.jsonl", ("_id", "title", "text")), ("queries.jsonl", ("_id", "text"))]:
        ids = set()
        with open(beir / name, encoding="utf-8") as f:
            for i, line in enumerate(f):
                row = json.loads(line)
                assert all(isinstance(row.get(k), str) for k in fields), f"{name}:{i} needs string {fields}"
                assert row["_id"] and not BAD_ID & set(row["_id"]), f"{name}:{i} id {row['_id']!r} would not survive the qrels TSV"
                assert row["_id"] not in ids, f"{name}:{i} repeats id {row['_id']}"
                assert row["text"].strip(), f"{name}:{i} empty text"
                ids.add(row["_id"])


def test_beir_qrels(dataset):
    beir = dataset / "beir"
    qrel_files = _existing(dataset, "beir/qrels/{split}.tsv", ["train", "dev", "test"])
    corpus = {json.loads(line)["_id"] for line in open(beir / "corpus.jsonl", encoding="utf-8")}
    queries = {json.loads(line)["_id"] for line in open(beir / "queries.jsonl", encoding="utf-8")}
    for path in qrel_files:
        header, rows = _beir_qrels(path)
        assert header == QREL_HEADER, f"{path.name}: header {header}"
        assert rows, f"{path.name} is written but has no qrel"
        seen = set()
        for i, row in enumerate(rows, start=2):
            assert len(row) == 3, f"{path.name}:{i} has {len(row)} fields"
            qid, did, score = row[0], row[1], int(row[2])
            assert str(score) == row[2] and score >= 0, f"{path.name}:{i} score {row[2]!r}"
            assert qid in queries, f"{path.name}:{i} query {qid} is not in queries.jsonl"
            assert did in corpus, f"{path.name}:{i} document {did} is not in corpus.jsonl"
            assert (qid, did) not in seen, f"{path.name}:{i} repeats ({qid}, {did}); BEIR keeps the last score"
            seen.add((qid, did))


def test_beir_splits_the_card_loads_exist(dataset):
    """The card's BEIR snippet loads a split whose qrels were written."""
    s = snippet_named("beir")
    if s is None:
        pytest.skip("the card has no BEIR snippet")
    split = re.search(r'load\(split="(\w+)"\)', s.code).group(1)
    assert (dataset / "beir" / "qrels" / f"{split}.tsv").is_file()
