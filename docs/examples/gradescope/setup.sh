#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image. The zip's contents (this project,
# with solutions/) are in /autograder/source.
set -euo pipefail
apt-get update && apt-get install -y python3 python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install torch==2.13.0 -e /autograder/source
