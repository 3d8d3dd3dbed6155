"""The dataset folder as a Hugging Face dataset: the card's `configs` load with `datasets.load_dataset`."""

from datasets import get_dataset_config_names, load_dataset
from huggingface_hub import DatasetCard


def _configs(dataset):
    return DatasetCard.load(dataset / "README.md").data.to_dict().get("configs") or []


def test_card_metadata(dataset):
    data = DatasetCard.load(dataset / "README.md").data.to_dict()
    assert data["license"]
    assert "sentence-similarity" in data["task_categories"]
    configs = _configs(dataset)
    assert configs, "the card declares no configuration"
    assert [c.get("default", False) for c in configs].count(True) == 1
    assert configs[0].get("default"), "datasets infers the builder of every configuration from the first: the default comes first"


def test_every_split_file_exists_and_is_not_empty(dataset):
    for c in _configs(dataset):
        for f in c["data_files"]:
            path = dataset / f["path"]
            assert path.is_file(), f"{c['config_name']}/{f['split']}: {f['path']} does not exist"
            assert path.stat().st_size > 0, f"{c['config_name']}/{f['split']}: {f['path']} is empty"


def test_default_configuration_loads(dataset):
    default = next(c for c in _configs(dataset) if c.get("default"))
    ds = load_dataset(str(dataset))
    assert set(ds) == {f["split"] for f in default["data_files"]}
    assert all(len(split) > 0 for split in ds.values())


def test_config_names_are_the_cards(dataset):
    assert get_dataset_config_names(str(dataset)) == [c["config_name"] for c in _configs(dataset)]


def pytest_generate_tests(metafunc):
    if "config" in metafunc.fixturenames:
        from helpers import dataset_dir

        metafunc.parametrize("config", _configs(dataset_dir()), ids=lambda c: c["config_name"])


def test_named_configuration_loads(dataset, config):
    ds = load_dataset(str(dataset), config["config_name"])
    for f in config["data_files"]:
        rows = len(ds[f["split"]])
        assert rows > 0, f["path"]
        if f["path"].endswith(".jsonl"):
            with open(dataset / f["path"], encoding="utf-8") as fh:
                assert rows == sum(1 for line in fh if line.strip()), f["path"]
