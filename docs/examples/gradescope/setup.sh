#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image. The zip's contents (this project,
# with solutions/) are in /autograder/source.
set -euo pipefail
apt-get update && apt-get install -y python3 python3-venv
python3 -m venv /autograder/venv
# The CPU-only build of torch: the same pin from PyPI would pull a multi-GB CUDA build on Linux.
/autograder/venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/pip install -e /autograder/source
