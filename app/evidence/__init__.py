"""The evidence library (minh chứng): content-addressed file store, type checks, codes, thumbnails, demo files."""
