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
