"""The benchmark script keeps working (its numbers are never asserted)."""
import subprocess
import sys


def test_benchmark_quick_run_prints_a_table_with_ratios():
    result = subprocess.run([sys.executable, "benchmarks/bench.py", "--quick", "--networks",
                             "mlp", "--device", "cpu"], capture_output=True, text=True,
                            check=True, timeout=300)
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| network"))
    assert "sknet/raw" in header and "sknet/skorch" in header
    row = next(line for line in lines if line.startswith("|     mlp"))
    assert len(row.split("|")) == len(header.split("|"))
    small = next(line for line in lines if line.startswith("| threads"))
    assert "sknet/torch" in small and "onnxruntime/torch" in small
    for call in ("predict 1 row (µs)", "fit 5 epochs, digits (s)"):
        row = next(line for line in lines if call in line)
        assert len(row.split("|")) == len(small.split("|"))
