import sys
from pathlib import Path

# the synthetic post-TRT cases live with the twin tests
sys.path.insert(0, str(Path(__file__).parents[1] / "twin"))
