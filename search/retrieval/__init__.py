"""Finding: the query language, matching and ranking over postings arrays, facets, highlights, answers."""
