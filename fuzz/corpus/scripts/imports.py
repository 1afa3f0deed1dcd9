"""Every import form the scanner reads."""
import os, sys as system
import a.b.c as abc, d
from . import sibling
from ..parent.mod import (one as uno,
                          two,)
from ... import far
from x import *
if True: import inline; import after_semicolon
try:
    import ujson as json
except ImportError:
    import json
s = 'import not_this' + r"from raw import x" + f"{x!r}" + b'''import bytes''' + """import triple"""
# import commented
m = importlib.import_module("plugins.fast")
n = __import__("legacy", globals())
total = 1.5e-3 + .25 + 0x1F + \
    2
def g():
    yield from h()
    raise E from err
