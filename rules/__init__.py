"""Default rule files, installed as the package ``cleaner.default_rules`` (data only)."""
