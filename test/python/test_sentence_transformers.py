"""The sentence-transformers files, loaded with `datasets` and trained for a few steps with the real trainer and losses."""

import json

import pytest
from datasets import load_dataset
from sentence_transformers.sentence_transformer.losses import (
    CachedMultipleNegativesRankingLoss,
    GISTEmbedLoss,
    MultipleNegativesRankingLoss,
)

from helpers import assert_file_order, assert_trained, in_file_order, read_jsonl, recording_trainer, training_args, weights

FILES = ["train.jsonl", "train.pairs.jsonl", "train.batched.jsonl"]
LOSSES = {
    "MultipleNegativesRankingLoss": lambda model, guide: MultipleNegativesRankingLoss(model),
    "CachedMultipleNegativesRankingLoss": lambda model, guide: CachedMultipleNegativesRankingLoss(model, mini_batch_size=16),
    "GISTEmbedLoss": lambda model, guide: GISTEmbedLoss(model, guide),
}


def _path(dataset, name):
    path = dataset / "sentence-transformers" / name
    if not path.is_file():
        pytest.skip(f"{path.name} was not exported")
    return path


@pytest.mark.parametrize("loss_name", LOSSES)
@pytest.mark.parametrize("file", FILES)
def test_trains(dataset, tiny_model, guide_model, tmp_path, file, loss_name):
    path = _path(dataset, file)
    train = load_dataset("json", data_files=str(path), split="train")
    if loss_name == "GISTEmbedLoss" and len(train.column_names) > 3:
        # GISTEmbedLoss takes (anchor, positive) or (anchor, positive, negative): the card says so
        train = train.select_columns(["anchor", "positive", "negative_1"])
    loss = LOSSES[loss_name](tiny_model, guide_model)
    before = weights(tiny_model)
    if file == "train.batched.jsonl":
        # conflict-free batches: the file's own order and batch size, through a sequential batch sampler
        batch_size = json.loads((dataset / "batches" / "train.json").read_text())["batchSize"]
        trainer = recording_trainer()(model=tiny_model, args=training_args(tmp_path, batch_size=batch_size, batch_sampler=in_file_order), train_dataset=train, loss=loss)
        trainer.train()
        rows = [{c: r[c] for c in train.column_names} for r in read_jsonl(path)]
        assert_file_order(trainer.data_collator.batches, rows, batch_size)
    else:
        trainer = recording_trainer()(model=tiny_model, args=training_args(tmp_path, batch_size=16), train_dataset=train, loss=loss)
        trainer.train()
    assert_trained(trainer, before, steps=3)


def test_default_sampler_would_shuffle_the_batched_file(dataset, tiny_model, tmp_path):
    """Why the batched file needs its own sampler: the trainer's default one does not keep the order."""
    path = _path(dataset, "train.batched.jsonl")
    batch_size = json.loads((dataset / "batches" / "train.json").read_text())["batchSize"]
    train = load_dataset("json", data_files=str(path), split="train")
    trainer = recording_trainer()(model=tiny_model, args=training_args(tmp_path, steps=1, batch_size=batch_size), train_dataset=train, loss=MultipleNegativesRankingLoss(tiny_model))
    trainer.train()
    assert trainer.data_collator.batches[0] != read_jsonl(path)[:batch_size]


def test_batched_file_is_whole_batches_of_train_rows(dataset):
    path = _path(dataset, "train.batched.jsonl")
    plan = json.loads((dataset / "batches" / "train.json").read_text())
    batched = read_jsonl(path)
    assert len(batched) == plan["batches"] * plan["batchSize"]
    train = {json.dumps(r, sort_keys=True) for r in read_jsonl(dataset / "sentence-transformers" / "train.jsonl")}
    assert all(json.dumps(r, sort_keys=True) in train for r in batched)
    for b in range(plan["batches"]):
        rows = batched[b * plan["batchSize"]:(b + 1) * plan["batchSize"]]
        assert len({r["positive"] for r in rows}) == len(rows), f"batch {b} repeats a positive"
