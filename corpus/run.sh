#!/bin/sh
# Run every pair of the corpus with schemac and migra; see corpus/README.md.
# Options: --schemac PATH --migra PATH --url 'postgresql:///{db}' --project NAME
#          --limit N --no-migra --report-only
exec python3 "$(dirname "$0")/corpus.py" run "$@"
