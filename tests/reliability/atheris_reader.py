"""Coverage-guided fuzzing of the op-log reader and the fold (run by test_fuzz_reader.py)."""

import sys

import atheris

with atheris.instrument_imports():
    from htrac.core.config import load_config
    from htrac.core.fold import fold
    from htrac.core.oplog import read_oplog

VOCAB = load_config(None).vocabulary()


def one_input(data: bytes) -> None:
    log = read_oplog(data)
    fold("WI-x", log.ops, VOCAB, lines=log.lines, read_problems=log.problems)


atheris.Setup(sys.argv, one_input)
atheris.Fuzz()
