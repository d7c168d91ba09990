import pytest

from sknet import legacy
from sknet.legacy import renames


@pytest.fixture
def shim():
    """The legacy shim installed for one test, each old name warning afresh."""
    renames._warned.clear()
    legacy.install()
    yield
    legacy.uninstall()
