"""Load and scale benchmarks; ``make bench`` runs ``bench/run.py``. Not run by CI."""
