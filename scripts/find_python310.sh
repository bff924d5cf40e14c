#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain and fail.
# Rasa 3.6 runs on Python 3.8 to 3.10 only; this project is locked for 3.10.
set -u
candidates=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  for p in "$(pyenv root)"/versions/3.10*/bin/python3.10; do candidates+=("$p"); done
fi
for p in "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  candidates+=("$p")
done
for c in "${candidates[@]}"; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    command -v "$c"
    exit 0
  fi
done
echo "error: Python 3.10 is required (Rasa 3.6.21 runs on Python 3.8-3.10 only; the lock is for 3.10)." >&2
echo "Install it (e.g. 'pyenv install 3.10' or your OS package python3.10) and run make again." >&2
exit 1
