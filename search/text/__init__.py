"""Text analysis: cleaning, passages, language detection, per-language analyzers (stemming, Latvian, Swedish compounds), places and the glossary."""
