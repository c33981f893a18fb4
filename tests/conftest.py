import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture
def warehouse(tmp_path):
    """An empty warehouse in a temporary file."""
    from ecom.warehouse import Warehouse

    wh = Warehouse(tmp_path / "wh.duckdb")
    yield wh
    wh.close()


@pytest.fixture(autouse=True)
def _background_scoring_ends_with_its_test():
    """A page or a load may start background review scoring (ecom.reviews.background): it ends before
    the next test, so no test's scoring writes into another's warehouse or takes its cores."""
    yield
    background = sys.modules.get("ecom.reviews.background")
    if background is not None:
        background.wait_all(timeout=300)
