"""Where the trust root lives (see `trustroot`): a fixed place outside every worktree, named
here apart from the code that reads it, so the hot read path can look at it cheaply."""

TRUST_DIR = "/etc/htrac/trust.d"
SUFFIX = ".yaml"  # a trust file
BASELINE_SUFFIX = ".baseline"  # beside it: digests of the human ops that predate signing
