"""Shared helpers: where the dataset is, its files, its card and the card's snippets, and a few training steps."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# the card marks a block the tests do not run on its second line (src/stages/export/snippets.ts, NOT_RUN)
NOT_RUN = "# not run by clickforge's tests: "


@cache
def dataset_dir() -> Path:
    """CLICKFORGE_DATASET, or the demo world's dataset built once into a temporary folder."""
    given = os.environ.get("CLICKFORGE_DATASET")
    if given:
        path = Path(given).resolve()
        if not (path / "README.md").is_file():
            raise RuntimeError(f"CLICKFORGE_DATASET={given} has no README.md: point it at a build's dataset folder")
        return path
    out = Path(tempfile.mkdtemp(prefix="clickforge-demo-"))
    subprocess.run(["npx", "tsx", "src/cli/main.ts", "demo", "--no-evaluate", "--out", str(out)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return out / "build" / "dataset"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def card_text() -> str:
    return (dataset_dir() / "README.md").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Snippet:
    name: str
    lang: str
    code: str
    not_run: str | None

    def __str__(self) -> str:
        return self.name


def card_snippets() -> list[Snippet]:
    """The card's fenced blocks whose first line is `# snippet: <name>`, in card order."""
    found = []
    for lang, body in re.findall(r"^```(\w+)\n(.*?)^```$", card_text(), flags=re.M | re.S):
        lines = body.splitlines()
        m = re.fullmatch(r"# snippet: (\S+)", lines[0]) if lines else None
        if not m:
            continue
        not_run = lines[1][len(NOT_RUN):] if len(lines) > 1 and lines[1].startswith(NOT_RUN) else None
        found.append(Snippet(m.group(1), lang, body, not_run))
    return found


def snippet_named(name: str) -> Snippet | None:
    return next((s for s in card_snippets() if s.name == name), None)


def group_size(snippet_name: str) -> int | None:
    """The --train_group_size of a shell snippet, if it sets one."""
    s = snippet_named(snippet_name)
    m = re.search(r"--train_group_size (\d+)", s.code) if s else None
    return int(m.group(1)) if m else None


def weights(model) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def assert_trained(trainer, before: dict, steps: int) -> None:
    """Every logged step has a finite loss, the trainer ran `steps` steps and the weights moved."""
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert trainer.state.global_step == steps
    assert losses and all(math.isfinite(x) for x in losses), losses
    after = trainer.model.state_dict()
    assert any(not after[k].equal(v) for k, v in before.items()), "no weight changed"


def training_args(output_dir: Path, *, steps: int = 3, batch_size: int = 8, **kwargs):
    """A few logged steps on the CPU, nothing saved or reported."""
    from sentence_transformers import SentenceTransformerTrainingArguments

    return SentenceTransformerTrainingArguments(
        output_dir=str(output_dir), max_steps=steps, per_device_train_batch_size=batch_size, learning_rate=1e-3,
        logging_steps=1, save_strategy="no", report_to="none", use_cpu=True, seed=0, disable_tqdm=True, **kwargs,
    )


def recording_trainer():
    """SentenceTransformerTrainer whose collator keeps every batch of raw rows it is given, in order."""
    from dataclasses import dataclass, field

    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.data_collator import SentenceTransformerDataCollator

    @dataclass
    class RecordingCollator(SentenceTransformerDataCollator):
        batches: list = field(default_factory=list)

        def __call__(self, features):
            self.batches.append([dict(f) for f in features])
            return super().__call__(features)

    class RecordingTrainer(SentenceTransformerTrainer):
        data_collator_class = RecordingCollator

    return RecordingTrainer


def in_file_order(dataset, batch_size, drop_last, **kwargs):
    """A batch sampler that keeps the dataset's order (sentence-transformers' default shuffles)."""
    from sentence_transformers import DefaultBatchSampler
    from torch.utils.data import SequentialSampler

    return DefaultBatchSampler(SequentialSampler(dataset), batch_size=batch_size, drop_last=drop_last, **kwargs)


def assert_file_order(batches: list[list[dict]], rows: list[dict], batch_size: int) -> None:
    """The trainer saw rows[0:b], rows[b:2b], ... exactly, in that order."""
    assert batches, "the trainer saw no batch"
    for i, batch in enumerate(batches):
        assert batch == rows[i * batch_size:(i + 1) * batch_size], f"batch {i} is not rows {i * batch_size}..{(i + 1) * batch_size - 1} of the file"


@cache
def teacher_dataset_dir() -> Path | None:
    """A dataset with teacher scores (margin-mse files): CLICKFORGE_TEACHER_DATASET, the checked dataset
    if it has them, or the checked dataset's inputs (a demo build's data/) rebuilt with
    export.teacherScores "judge" against the loopback reranker (rerank_server.py). None when neither."""
    given = os.environ.get("CLICKFORGE_TEACHER_DATASET")
    if given:
        return Path(given).resolve()
    ds = dataset_dir()
    if (ds / "margin-mse" / "train.jsonl").is_file():
        return ds
    data = ds.parent.parent / "data"
    if not (data / "serps.jsonl").is_file():
        return None
    import rerank_server

    server, url = rerank_server.start()
    try:
        out = Path(tempfile.mkdtemp(prefix="clickforge-teacher-"))
        judge = json.dumps({"kind": "rerank", "baseUrl": url, "model": "word-overlap"})
        subprocess.run(
            ["npx", "tsx", "src/cli/main.ts", "build", "-q", "--serps", str(data / "serps.jsonl"), "--corpus", str(data / "corpus.jsonl"),
             "--out", str(out), "--set", f"judge={judge}", "--set", "export.teacherScores=judge"],
            cwd=REPO, check=True, stdout=subprocess.DEVNULL,
        )
    finally:
        server.shutdown()
    return out / "dataset"
