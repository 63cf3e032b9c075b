"""The read path: query terms, retrievers' candidates, rank fusion."""
