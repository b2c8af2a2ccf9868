"""The analysts' notebooks: committed without outputs, and each runs top to bottom.

Each notebook is executed with nbclient on an ipykernel started from this test run's own
interpreter (never a globally registered "python3" kernel), from notebooks/ (where
`jupyter lab notebooks/` starts). Started from the repository root, each notebook's first cell
is run and must leave the kernel in the same place (working directory, first import path) as
it does from notebooks/: nothing else in a notebook depends on where Jupyter started, so the
rest runs once.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ("01_explore_data.ipynb", "02_preprocess.ipynb", "03_train_evaluate.ipynb", "04_member_model.ipynb")
CELL_TIMEOUT = 180

pytestmark = pytest.mark.notebooks


class ThisInterpreterKernelSpecs(KernelSpecManager):
    """Resolves "python3" to ipykernel on sys.executable, whatever kernels are installed elsewhere."""

    def get_kernel_spec(self, kernel_name):
        if kernel_name != "python3":
            raise NoSuchKernel(kernel_name)
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python 3 ({sys.executable})",
            language="python",
        )


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ThisInterpreterKernelSpecs())
    client = NotebookClient(
        nb, km=km, kernel_name="python3", timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(cwd)}},
        # The kernel has nothing to save: stopped at once. A graceful shutdown sometimes waited
        # ~3.4 s for a kernel that had finished (the next test's first cell took 4 s, not 0.6 s).
        shutdown_kernel="immediate",
    )
    client.execute(cleanup_kc=True)  # shut the kernel down afterwards, even though we passed km
    return nb


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def where_probe() -> nbformat.NotebookNode:
    """A cell that prints where the kernel is: its working directory and first import path."""
    return nbformat.v4.new_code_cell("import os, sys\nprint(os.getcwd())\nprint(sys.path[0])")


def where(cell: nbformat.NotebookNode) -> list[str]:
    printed = "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")
    return printed.splitlines()


def models_snapshot() -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in (ROOT / "models").iterdir() if p.is_file()}


# --- committed form ------------------------------------------------------------------


def test_the_four_notebooks_exist():
    assert [path.name for path in NOTEBOOKS] == list(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_committed_without_outputs(path):
    nb = read(path)
    nbformat.validate(nb)
    dirty = [
        index for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} carry outputs or execution counts; clear them before committing "
        "(Jupyter Lab: Edit > Clear Outputs of All Cells, then save)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_first_cell_finds_the_repository_root(path):
    first = next(cell for cell in read(path).cells if cell.cell_type == "code")
    assert "manage.py" in first.source and "os.chdir(ROOT)" in first.source and "sys.path.insert(0" in first.source
    # Started from the repository root, the first cell leaves the kernel where it leaves it when
    # started from notebooks/ (test_notebook_runs_top_to_bottom checks that one).
    nb = nbformat.v4.new_notebook(cells=[first, where_probe()])
    execute(nb, ROOT)
    assert where(nb.cells[1]) == [str(ROOT), str(ROOT)]


def test_training_notebook_exports_only_when_asked():
    nb = read(NOTEBOOK_DIR / "03_train_evaluate.ipynb")
    parameters = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1 and "EXPORT = False" in parameters[0].source.splitlines()


# --- execution -------------------------------------------------------------------------


def test_kernel_runs_on_this_interpreter():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    execute(nb, ROOT)
    printed = nb.cells[0].outputs[0]["text"].strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_top_to_bottom(path):
    before = models_snapshot()
    nb = read(path)
    # Where the first cell left the kernel, for the rest of the notebook (as from the repository
    # root: test_first_cell_finds_the_repository_root).
    first = next(index for index, cell in enumerate(nb.cells) if cell.cell_type == "code")
    nb.cells.insert(first + 1, where_probe())
    started = time.perf_counter()
    try:
        execute(nb, NOTEBOOK_DIR)
    except CellExecutionError as error:
        pytest.fail(f"{path.name} (started in notebooks/) failed:\n{error}", pytrace=False)
    seconds = time.perf_counter() - started
    errors = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
              if output.output_type == "error"]
    assert not errors
    assert where(nb.cells[first + 1]) == [str(ROOT), str(ROOT)]
    # How long it took is printed, not asserted (it depends on what else the machine runs);
    # CELL_TIMEOUT stops a notebook that hangs.
    print(f"{path.name}: {seconds:.0f} s")
    assert models_snapshot() == before, f"{path.name} wrote into models/"
    # The committed file is untouched by the run.
    assert not any(cell.get("outputs") for cell in read(path).cells)
