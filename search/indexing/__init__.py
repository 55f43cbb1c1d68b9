"""The index on disk: its folder, generations, manifest, lock, schema, the index run and doctor."""
