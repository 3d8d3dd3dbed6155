"""Every snippet of the dataset card, taken from the generated card and run as users would run it.

A snippet runs from the dataset folder with `model` bound to the tiny model. The only change is the
training budget: SentenceTransformerTrainingArguments is patched to stop after a few steps and to
write to a temporary folder, and the trainer records the batches it is given.
"""

import json
import re

import pytest

from helpers import assert_file_order, assert_trained, card_snippets, read_jsonl, recording_trainer, weights

STEPS = 3


def pytest_generate_tests(metafunc):
    if "snippet" in metafunc.fixturenames:
        metafunc.parametrize("snippet", card_snippets(), ids=str)


def test_card_has_a_snippet_per_exported_format(dataset):
    names = {s.name for s in card_snippets()}
    expected = {
        "sentence-transformers": "sentence-transformers/train.jsonl",
        "sentence-transformers-pairs": "sentence-transformers/train.pairs.jsonl",
        "sentence-transformers-batched": "sentence-transformers/train.batched.jsonl",
        "flagembedding": "flagembedding/train.jsonl",
        "tevatron": "tevatron/train.jsonl",
        "beir": "beir/corpus.jsonl",
    }
    for name, rel in expected.items():
        assert (name in names) == (dataset / rel).is_file(), f"snippet {name} vs {rel}"
    assert "datasets" in names


@pytest.fixture
def budget(monkeypatch, tmp_path):
    """A few steps, nothing written to the dataset folder, every batch recorded."""
    import sentence_transformers

    class FewSteps(sentence_transformers.SentenceTransformerTrainingArguments):
        def __post_init__(self):
            self.output_dir = str(tmp_path / "checkpoints")
            self.max_steps, self.logging_steps, self.save_strategy, self.report_to, self.use_cpu, self.disable_tqdm = STEPS, 1, "no", "none", True, True
            super().__post_init__()

    monkeypatch.setattr(sentence_transformers, "SentenceTransformerTrainingArguments", FewSteps)
    monkeypatch.setattr(sentence_transformers, "SentenceTransformerTrainer", recording_trainer())


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_snippet(snippet, dataset, tiny_model, budget, monkeypatch):
    if snippet.not_run:
        # what can be checked without the tool: the files the command names exist
        for rel in re.findall(r"(?:--train_data|--dataset_path|data_folder=)[ \"]*([\w./-]+)", snippet.code):
            assert (dataset / rel).exists(), f"{snippet.name} names {rel}, which does not exist"
        pytest.skip(snippet.not_run)
    assert snippet.lang == "python", f"{snippet.name}: only Python snippets can run; mark it as not run"
    monkeypatch.chdir(dataset)
    files_before = _files(dataset)
    before = weights(tiny_model)
    scope = {"model": tiny_model}
    exec(compile(snippet.code, f"<card snippet {snippet.name}>", "exec"), scope)
    assert _files(dataset) == files_before, "the snippet wrote into the dataset folder"

    trainer = scope.get("trainer")
    if snippet.name.startswith("sentence-transformers"):
        assert trainer is not None, "a training snippet names its trainer `trainer`"
        assert_trained(trainer, before, STEPS)
    if snippet.name == "sentence-transformers-batched":
        batch_size = json.loads((dataset / "batches" / "train.json").read_text())["batchSize"]
        assert_file_order(trainer.data_collator.batches, read_jsonl(dataset / "sentence-transformers" / "train.batched.jsonl"), batch_size)
    if snippet.name == "datasets":
        from datasets import Dataset, DatasetDict

        loaded = [v for v in scope.values() if isinstance(v, (Dataset, DatasetDict))]
        assert len(loaded) >= 2, "the snippet loads the default and a named configuration"
        for v in loaded:
            assert all(len(s) > 0 for s in (v.values() if isinstance(v, DatasetDict) else [v]))

