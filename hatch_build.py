"""Hatchling build hook: compile ``toolkit/_native.c`` into the ``toolkit._native`` extension.

A wheel gets the compiled module (and a platform tag); an editable install gets it next to the
sources, where the editable path finds it. It is compiled every build, with the compiler and
headers of the interpreter that builds (``sysconfig``) and portable flags only: ``-O2``, no
``-march``, no fused multiply-add (``-ffp-contract=off``) and no ``-ffast-math``, so that it runs
on any CPU of the architecture and its scores equal the pure-Python ones bit for bit.

Without a C compiler or Python's headers the build still succeeds, pure Python (a warning says
so; ``toolkit`` then uses its pure-Python lexicon). ``TOOLKIT_REQUIRE_NATIVE=1`` makes that an
error; ``TOOLKIT_PURE_PYTHON=1`` skips the extension.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("toolkit") / "_native.c"
FLAGS = ["-O2", "-ffp-contract=off", "-fno-strict-aliasing", "-fPIC", "-Wall"]


def _compile(source: Path, target: Path) -> None:
    """Compile ``source`` into the extension module ``target`` (raises on failure)."""
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    include = sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").is_file():
        raise RuntimeError(f"Python.h is not in {include} (install the Python development headers)")
    link = ["-bundle", "-undefined", "dynamic_lookup"] if sys.platform == "darwin" else ["-shared"]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tmp")
    command = [*compiler, *FLAGS, f"-I{include}", str(source), *link, "-o", str(partial)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{done.stderr}")
    os.replace(partial, target)  # atomic: an import never sees half a module


class NativeBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._scratch: str | None = None
        if os.environ.get("TOOLKIT_PURE_PYTHON", "") not in ("", "0"):
            return
        root = Path(self.root)
        name = "_native" + sysconfig.get_config_var("EXT_SUFFIX")
        if version == "editable":
            target = root / "toolkit" / name
        else:
            self._scratch = tempfile.mkdtemp(prefix="toolkit-native-")
            target = Path(self._scratch) / name
        try:
            _compile(root / SOURCE, target)
        except (OSError, RuntimeError) as error:
            if os.environ.get("TOOLKIT_REQUIRE_NATIVE", "") not in ("", "0"):
                raise
            print(f"warning: toolkit._native not built, toolkit is pure Python: {error}", file=sys.stderr)
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":
            build_data["force_include"][str(target)] = f"toolkit/{name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
