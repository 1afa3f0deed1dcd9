#!/usr/bin/python3
"""Mask pickles in the authors' form (a list of (class_id, H x W 0/1 array) pairs), with Python's pickle.

Run from the repository root with /usr/bin/python3 (Debian's numpy):
    /usr/bin/python3 scripts/reference/mask_pickles.py
Writes Tests/RetrievalTests/Fixtures/mask_pickles/*.pkl, each holding the same two 4x6 masks
(class 3: the left half; class 5: the top row, overlapping it):
  - bool, uint8, int64, float64 and float32 arrays, pickled with the default protocol (4);
  - uint8 with protocol 3 (Python 3.0-3.7's default, the authors' time); with protocol 2, whose
    array bytes go through _codecs.encode, and with protocol 5, whose arrays are rebuilt by
    numpy.core.numeric._frombuffer (globals outside the allowed four: refused); a Fortran-ordered
    int32 array;
  - numpy2: the globals a NumPy 2.x pickle names (numpy._core.multiarray._reconstruct), written by
    naming that module for the array rebuilder whatever NumPy this script runs with;
  - hostile: a list whose second item is os.system, which no mask pickle names;
  - not_binary: a mask holding 2.
"""
import os
import pickle
import sys
import types

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "RetrievalTests", "Fixtures", "mask_pickles")

LEFT = np.zeros((4, 6), dtype=np.uint8)
LEFT[:, :3] = 1
TOP = np.zeros((4, 6), dtype=np.uint8)
TOP[0, :] = 1


def pairs(dtype, order="C"):
    return [(3, np.asarray(LEFT, dtype=dtype, order=order)), (5, np.asarray(TOP, dtype=dtype, order=order))]


def dump(name, value, protocol=None, pickler=pickle.Pickler):
    with open(os.path.join(OUT, name + ".pkl"), "wb") as f:
        pickler(f, protocol=protocol).dump(value)


def numpy2_pickler():
    """A pickler that names NumPy 2.x's module for the array rebuilder."""
    def _reconstruct(*args):  # never called: only its name is pickled
        raise RuntimeError
    _reconstruct.__module__ = "numpy._core.multiarray"
    _reconstruct.__qualname__ = "_reconstruct"
    core = sys.modules.setdefault("numpy._core", types.ModuleType("numpy._core"))
    module = types.ModuleType("numpy._core.multiarray")
    module._reconstruct = _reconstruct
    sys.modules["numpy._core.multiarray"] = module
    core.multiarray = module

    class Numpy2Pickler(pickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, np.ndarray):
                _, args, state = obj.__reduce__()
                return (_reconstruct, args, state)
            return NotImplemented
    return Numpy2Pickler


def main():
    os.makedirs(OUT, exist_ok=True)
    for dtype in ["bool", "uint8", "int64", "float64", "float32"]:
        dump(dtype, pairs(dtype))
    dump("uint8_protocol3", pairs("uint8"), protocol=3)
    dump("uint8_protocol2", pairs("uint8"), protocol=2)
    dump("uint8_protocol5", pairs("uint8"), protocol=5)
    dump("fortran_int32", pairs("int32", order="F"))
    dump("numpy2", pairs("uint8"), pickler=numpy2_pickler())
    dump("hostile", [(3, np.asarray(LEFT)), os.system])
    dump("not_binary", [(3, np.asarray(LEFT) * 2)])
    print(f"wrote {sorted(os.listdir(OUT))}")


if __name__ == "__main__":
    main()
