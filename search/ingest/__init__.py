"""Getting text in: extracting PDFs, web pages and text files in worker processes, metadata, fetching pages."""
