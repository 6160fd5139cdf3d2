"""git plumbing: the only package that runs `git`."""
