"""Teacher pseudo-labels (export.teacherScores "judge"): the margin-mse file trains with sentence-transformers'
MarginMSELoss, and FlagEmbedding's pos_scores / neg_scores have the layout its trainer reads."""

import math

import pytest
from datasets import load_dataset
from sentence_transformers.sentence_transformer.losses import MarginMSELoss

from helpers import assert_trained, read_jsonl, teacher_dataset_dir, training_args, weights


@pytest.fixture(scope="module")
def teacher_dataset():
    ds = teacher_dataset_dir()
    if ds is None:
        pytest.skip("no dataset with teacher scores: set CLICKFORGE_TEACHER_DATASET, or check a demo build (its data/ is rebuilt with the loopback reranker)")
    return ds


def test_margin_mse_trains_a_step(teacher_dataset, tiny_model, tmp_path):
    train = load_dataset("json", data_files=str(teacher_dataset / "margin-mse" / "train.jsonl"), split="train")
    assert train.column_names == ["query", "positive", "negative", "label"]
    labels = train["label"]
    assert all(isinstance(x, float) and math.isfinite(x) for x in labels)
    assert len(set(labels)) > 1, "every margin is the same: the teacher scores carry no signal"
    before = weights(tiny_model)
    from sentence_transformers import SentenceTransformerTrainer

    trainer = SentenceTransformerTrainer(model=tiny_model, args=training_args(tmp_path, steps=2, batch_size=8), train_dataset=train, loss=MarginMSELoss(tiny_model))
    trainer.train()
    assert_trained(trainer, before, steps=2)


def test_flagembedding_scores_layout_and_margins_agree(teacher_dataset):
    """FlagEmbedding reads pos_scores[pos.index(p)] and neg_scores[neg.index(n)]: one float per text, same order;
    every margin-mse label is score(positive) - score(negative) of the same row."""
    fe = read_jsonl(teacher_dataset / "flagembedding" / "train.jsonl")
    scored = [r for r in fe if "pos_scores" in r]
    assert scored, "no FlagEmbedding row has teacher scores"
    expected = []
    for r in scored:
        assert set(r) <= {"query", "pos", "neg", "pos_scores", "neg_scores", "prompt"}
        assert len(r["pos_scores"]) == len(r["pos"]) and len(r["neg_scores"]) == len(r["neg"])
        assert all(isinstance(x, (float, int)) for x in r["pos_scores"] + r["neg_scores"])
        expected += [(r["query"], p, n, ps - ns) for p, ps in zip(r["pos"], r["pos_scores"]) for n, ns in zip(r["neg"], r["neg_scores"])]
    mm = read_jsonl(teacher_dataset / "margin-mse" / "train.jsonl")
    assert [(m["query"], m["positive"], m["negative"]) for m in mm] == [e[:3] for e in expected]
    assert [m["label"] for m in mm] == pytest.approx([e[3] for e in expected], abs=1e-9)
