"""Build: the text path is compiled with mypyc (README, "Why mypyc"); the sources stay
plain typed Python and run unchanged without it. CLEANER_PURE=1 builds without it."""

import os

from setuptools import setup

# The modules every text document goes through, pass by pass. The rest (I/O, the
# command line, rule loading, HTML extraction) waits on files or calls C already.
# pipeline.py stays interpreted: Cleaner is public, and users subclass it.
COMPILED = ["document", "segment", "blocks", "sections", "repeats", "tidy", "rounds", "ruleset",
            "prefilter"]


def ext_modules() -> list:
    if os.environ.get("CLEANER_PURE") == "1":
        return []
    from mypyc.build import mypycify

    # One shared library inside the package (cleaner/native__mypyc.*.so), so calls
    # between the compiled modules stay native and nothing lands at the top level.
    return mypycify([f"cleaner/{name}.py" for name in COMPILED], group_name="cleaner.native",
                    opt_level="3")


setup(ext_modules=ext_modules())
