"""A training run on a page: the live view, weights files, the reaper of closed tabs' runs."""
