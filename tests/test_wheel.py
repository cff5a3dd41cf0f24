"""A regular install: the wheel built from this tree, installed into a fresh virtual
environment, runs ``workbook-engine demo`` (the shipped master and samples come with it), and
leaves the test helpers out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("workbook_engine", "setup.py", "pyproject.toml", "README.md", "MANIFEST.in",
           "templates", "samples")


def test_demo_runs_from_a_regular_install(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        else:
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path / "dist"), str(source)],
                           capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("workbook_engine-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "workbook_engine/data/templates/master.xlsx" in names
    assert any(n.startswith("workbook_engine/data/samples/") for n in names)
    assert not any("devkit" in n for n in names), "the test helpers stay out of the wheel"

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                                "--no-index", str(wheel)], capture_output=True, text=True,
                               check=False)
    assert installed.returncode == 0, installed.stderr
    # the dependencies come from this environment's site-packages, where no workbook_engine
    # lies (it is installed there in editable mode, through a finder that this path skips)
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    where = subprocess.run([str(python), "-c",
                            "import workbook_engine; print(workbook_engine.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert where.stdout.startswith(str(env_dir)), where.stdout + where.stderr
    demo = subprocess.run([str(env_dir / "bin" / "workbook-engine"), "demo", "--workdir",
                           str(tmp_path / "out")], capture_output=True, text=True,
                          cwd=tmp_path, env=env, check=False)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert (tmp_path / "out" / "summary.xlsx").is_file()
    assert (tmp_path / "out" / "summary.json").is_file()
