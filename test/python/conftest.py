"""Fixtures: the dataset folder and a tiny BERT built from its corpus (no download, CPU, seeded)."""

import os
import shutil
import tempfile

# before torch or Hugging Face are imported: offline, one thread (two threads on a small
# machine run these tiny models several times slower), caches in a temporary folder
_cache = tempfile.mkdtemp(prefix="clickforge-hf-")
os.environ.update(
    HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HOME=_cache,
    TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="1", WANDB_DISABLED="true",
)

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import dataset_dir  # noqa: E402

torch.set_num_threads(1)
MAX_TOKENS = 64


def pytest_unconfigure(config):
    shutil.rmtree(_cache, ignore_errors=True)


@pytest.fixture(scope="session")
def dataset() -> Path:
    return dataset_dir()


def _build_tiny_model(corpus: Path, out: Path, seed: int) -> Path:
    """A WordPiece tokenizer trained on the corpus texts and a 2-layer, 32-wide BertModel, saved to `out`."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, BertTokenizerFast

    texts = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            texts += [doc.get("title") or "", doc["text"]]
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=4000, special_tokens=special))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    BertTokenizerFast(tokenizer_object=tok, model_max_length=MAX_TOKENS).save_pretrained(out)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, max_position_embeddings=MAX_TOKENS)
    BertModel(config).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_model_dirs(dataset, tmp_path_factory) -> tuple[Path, Path]:
    """Two tiny models (the model and a guide for GISTEmbedLoss), different seeds, one tokenizer."""
    corpus = dataset / "beir" / "corpus.jsonl"
    return (
        _build_tiny_model(corpus, tmp_path_factory.mktemp("tiny-model"), seed=0),
        _build_tiny_model(corpus, tmp_path_factory.mktemp("tiny-guide"), seed=1),
    )


def _load(path: Path):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer

    transformer = Transformer(str(path), max_seq_length=MAX_TOKENS)
    return SentenceTransformer(modules=[transformer, Pooling(transformer.get_embedding_dimension(), "mean")], device="cpu")


@pytest.fixture
def tiny_model(tiny_model_dirs):
    """A fresh copy of the tiny model for each test (training changes it)."""
    torch.manual_seed(0)
    return _load(tiny_model_dirs[0])


@pytest.fixture
def guide_model(tiny_model_dirs):
    return _load(tiny_model_dirs[1])
