"""The evidence library page (minh chứng): list with thumbnails, preview, catalogue fields, links, trash."""
