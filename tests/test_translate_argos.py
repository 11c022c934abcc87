"""The Argos engine end to end with a tiny real package built here: a randomly initialised
CTranslate2 Transformer and a SentencePiece model trained on a few lines, zipped as an
``.argosmodel``, installed with ``toolkit models install`` and run by ``toolkit translate``.
Random weights translate nonsense: the tests check the pipeline and the structure, not quality.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("argostranslate")
ctranslate2 = pytest.importorskip("ctranslate2")
spm = pytest.importorskip("sentencepiece")

from toolkit.cli import main  # noqa: E402

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_0fbac94c356f0e3a.txt"
TRAINING_LINES = [
    "支付寶是中國最大的第三方支付平臺之一。",
    "越來越多的用戶開始依賴在線借貸服務。",
    "Alipay is one of the largest payment platforms in China.",
    "More and more users rely on online lending services.",
    "一、事件背景 1.1 合作歷史 二、原因分析",
    "The background of the event and the analysis of its causes.",
]


def _shape(name: str, depth: int, ffn: int, vocabulary: int) -> tuple[int, ...]:
    if name.endswith(("gamma", "beta")):
        return (depth,)
    if "embeddings" in name or "projection" in name:
        return (vocabulary, depth)
    if "ffn/linear_0" in name:
        return (ffn, depth)
    if "ffn/linear_1" in name:
        return (depth, ffn)
    if "self_attention/linear_0" in name:
        return (3 * depth, depth)
    if "/attention/linear_1" in name:
        return (2 * depth, depth)
    return (depth, depth)


def build_tiny_package(folder: Path) -> Path:
    """Write ``translate-zh_en-tiny.argosmodel`` into ``folder`` and return its path."""
    from ctranslate2.specs import model_spec, transformer_spec

    root = folder / "translate-zh_en-tiny"
    root.mkdir(parents=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(TRAINING_LINES * 4),
        model_writer=model,
        vocab_size=80,
        character_coverage=1.0,
        model_type="unigram",
    )
    (root / "sentencepiece.model").write_bytes(model.getvalue())
    processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
    tokens = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]

    depth, ffn = 16, 32
    spec = transformer_spec.TransformerSpec.from_config(1, 2)
    generator = np.random.default_rng(0)

    def fill(layer, name, value):
        if value is None:
            shape = _shape(name, depth, ffn, len(tokens))
            array = np.ones(shape) if name.endswith("gamma") else generator.normal(0, 0.5, shape)
            setattr(layer, name.rsplit("/", 1)[-1], array.astype(np.float32))

    model_spec.visit_spec(spec, fill)
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)
    spec.validate()
    spec.optimize()
    (root / "model").mkdir()
    spec.save(str(root / "model"))
    metadata = {
        "package_version": "0.1",
        "argos_version": "1.0",
        "from_code": "zh",
        "from_name": "Chinese",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
    }
    (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    archive = folder / "translate-zh_en-tiny.argosmodel"
    with zipfile.ZipFile(archive, "w") as zipf:
        for path in sorted(root.rglob("*")):
            zipf.write(path, path.relative_to(folder).as_posix())
    return archive


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TOOLKIT_MODELS", raising=False)
    return tmp_path / "home"


def test_install_and_translate_seed_with_tiny_argos_package(tmp_path, home):
    archive = build_tiny_package(tmp_path / "build")
    runner = CliRunner()
    installed = runner.invoke(main, ["models", "install", str(archive)])
    assert installed.exit_code == 0, installed.output
    assert (home / "models" / "argos" / "translate-zh_en-tiny" / "model" / "model.bin").is_file()

    listed = runner.invoke(main, ["models", "list"])
    assert "argos" in listed.output and "zh-en" in listed.output

    out = tmp_path / "seed.en.md"
    result = runner.invoke(main, ["translate", str(SEED), "--engine", "argos", "-o", str(out), "--quiet"])
    assert result.exit_code in (0, 1), result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    headings = [line for line in lines if line.startswith("#")]
    assert sum(line.startswith("# ") for line in headings) == 1
    chapters = [line for line in headings if line.startswith("## ")]
    subsections = [line for line in headings if line.startswith("### ")]
    assert [line.split()[1] for line in chapters] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert len(subsections) == 14 and subsections[0].startswith("### 1.1")
    paragraphs = [line for line in lines if line and not line.startswith("#")]
    assert len(paragraphs) == 16  # the lead, 14 subsections, the closing chapter

    as_json = runner.invoke(main, ["translate", str(SEED), "--engine", "argos", "--format", "json", "-q"])
    assert as_json.exit_code in (0, 1), as_json.output
    payload = json.loads(as_json.stdout)
    assert len(payload["sections"]) == 21
    assert payload["engine"] == "argos"
    assert payload["memory_hits"] == payload["sentence_count"]  # the first run filled the memory


def test_argos_engine_without_package_exits_2_and_says_how(home, tmp_path):
    seed = tmp_path / "a.txt"
    seed.write_text("一、背景\n內容。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["translate", str(seed), "--engine", "argos"])
    assert result.exit_code == 2
    assert "toolkit models install" in result.output


def test_candidates_need_the_llm_engine(home, tmp_path):
    seed = tmp_path / "a.txt"
    seed.write_text("一、背景\n內容。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["translate", str(seed), "--engine", "argos", "--candidates", "3"])
    assert result.exit_code == 2
    assert "--candidates works only with the llm engine" in result.output
