"""Runs original_pgqrs_workflow.py, the very same workload, with OUR Python package: pgqrs-bench starts this file
with the interpreter of scripts/python_env.sh's venv (--ours-python), where `import pgqrs` is ours. Same
arguments and output as that file."""

import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.argv[0] = os.path.join(here, "original_pgqrs_workflow.py")
runpy.run_path(sys.argv[0], run_name="__main__")
