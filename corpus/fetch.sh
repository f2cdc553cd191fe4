#!/bin/sh
# Extract every version listed in corpus/projects.toml from the git mirrors
# into corpus/.cache/sql/. Mirrors: <root>/<owner>+<name>/repo (the search
# tool's fetch) or <root>/<owner>+<name> (git clone of the public repository).
# Root: --mirror-root DIR or CORPUS_MIRROR_ROOT, default /work/.mirror.
exec python3 "$(dirname "$0")/corpus.py" fetch "$@"
