"""The README's sample output is what the code prints."""
import re
from pathlib import Path

import numpy as np

from sknet import NeuralNet, layers, nonlinearities
from sknet.datasets import load_mnist_sample

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_verbose_block():
    """The code block after "With `verbose=1` it prints", as lines."""
    text = README.read_text()
    start = text.index("With `verbose=1` it prints")
    block = text[text.index("```\n", start) + 4:]
    return block[:block.index("```")].rstrip("\n").split("\n")


def test_readme_epoch_table_is_what_a_classifier_prints(capsys):
    X, y = load_mnist_sample(flat=True)
    net = NeuralNet(
        layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                ("output", layers.DenseLayer)],
        input_shape=(None, 784), hidden_num_units=100, output_num_units=10,
        output_nonlinearity=nonlinearities.softmax, update_learning_rate=0.01,
        update_momentum=0.9, max_epochs=2, verbose=1)
    net.fit(X.astype(np.float32), y)
    printed = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out).rstrip("\n").split("\n")
    shown = readme_verbose_block()
    table_end = shown.index("-------  ------------  ------------  -----------  -----------  -----")
    # Everything up to the epoch rows is identical; the rows have the same columns and format
    # (their numbers depend on the machine's arithmetic and timing).
    assert printed[:table_end + 1] == shown[:table_end + 1]
    row = re.compile(r"^ {6}\d( +\d\.\d{5}){4}  \d+\.\d\ds$")
    assert len(printed) == len(shown)
    assert all(row.match(line) for line in printed[table_end + 1:] + shown[table_end + 1:])


def readme_python_block(after):
    """The first ```python block after the line containing `after`."""
    text = README.read_text()
    start = text.index("```python\n", text.index(after)) + len("```python\n")
    return text[start:text.index("```", start)]


def test_readme_lasagne_way_block_runs_and_its_comments_are_the_values():
    code = readme_python_block("## Layers, the Lasagne way")
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    claims = re.findall(r"^(\S[^#\n]*?)\s+# (\(.*?\)|\d+)(?:,.*)?$", code, re.M)
    assert len(claims) == 2
    for expression, shown in claims:
        assert repr(eval(expression, namespace)) == shown
    assert namespace["probabilities"].shape == (2, 10)
