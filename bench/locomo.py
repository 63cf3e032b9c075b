"""LoCoMo retrieval benchmark, without the CLI: `python bench/locomo.py --data PATH [--system ...]`.

The same as `remem bench locomo`; see src/remem/bench/locomo.py.
"""

from remem.bench.locomo import main

if __name__ == "__main__":
    main()
