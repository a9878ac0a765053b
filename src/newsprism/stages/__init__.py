"""Document stages: plain functions over one article (and its parsed Doc)."""
