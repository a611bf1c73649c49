"""Defaults, paths and environment variables live in one place and are honoured everywhere."""

from __future__ import annotations

from qa import config
from qa.pipeline import QA
from support import BUNDLED_CORPUS


def test_the_index_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(config.INDEX_ROOT_ENV, str(tmp_path / "elsewhere"))
    assert config.index_root() == tmp_path / "elsewhere"
    assert QA(corpus=BUNDLED_CORPUS).index_dir.parent == tmp_path / "elsewhere"
    monkeypatch.delenv(config.INDEX_ROOT_ENV)
    assert config.index_root() == config.REPO_ROOT / "indexes"


def test_the_bundled_corpus_is_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv(config.INDEX_ROOT_ENV, str(tmp_path))
    assert QA().corpus == config.BUNDLED_CORPUS == BUNDLED_CORPUS


def test_the_milvus_token_comes_only_from_the_environment(monkeypatch):
    monkeypatch.setenv(config.MILVUS_TOKEN_ENV, "user:secret")
    assert config.milvus_token() == "user:secret"
    monkeypatch.delenv(config.MILVUS_TOKEN_ENV)
    assert config.milvus_token() == ""


def test_the_cli_defaults_are_the_config_defaults():
    from qa.cli import build_parser

    args = build_parser().parse_args(["ask", "Who?"])
    assert (args.top_k, args.passages) == (config.TOP_K, config.PASSAGES)


def test_the_api_defaults_are_the_config_defaults():
    import inspect

    params = inspect.signature(QA.ask).parameters
    assert params["passages"].default == config.PASSAGES and params["top_k"].default == config.TOP_K
