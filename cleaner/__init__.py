"""cleaner: strip boilerplate out of news articles with rule files and a multi-pass filter."""

from .document import Block, Document, Removal
from .pipeline import Cleaned, Cleaner, ExtractOptions
from .rules import Rule, RuleError, load_rules

__all__ = ["Block", "Cleaned", "Cleaner", "Document", "ExtractOptions", "Removal", "Rule",
           "RuleError", "load_rules"]
__version__ = "0.1.0"
