"""The index folder's files: numpy archives written atomically and read back mapped.

A reader never sees half a file (each is written beside its target and renamed over it), and
large members are memory-mapped rather than read: a search touches a few pages of hundreds of
megabytes. ``np.savez`` stores members uncompressed, which is what makes mapping possible.
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

# What a damaged or foreign file raises on reading: the caller rebuilds what it held.
READ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile)


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with open(temporary, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read(path: Path, mapped: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Every member of one file; the ``mapped`` ones memory-mapped. Raises one of
    ``READ_ERRORS`` when the file is missing or damaged."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files if name not in mapped}
        names = set(data.files)
    return arrays | {name: _map_member(path, name) for name in mapped if name in names}


def _map_member(path: Path, name: str) -> np.ndarray:
    """One array of a ``np.savez`` file, memory-mapped: its bytes lie in the file after the
    zip entry's header and the array's own."""
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo(f"{name}.npy")
    if member.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{path}: {name} is compressed")
    with open(path, "rb") as file:
        file.seek(member.header_offset)
        local_header = file.read(30)  # the zip entry's own header: name and extra field follow
        name_length, extra_length = struct.unpack("<HH", local_header[26:30])
        file.seek(member.header_offset + 30 + name_length + extra_length)
        version = np.lib.format.read_magic(file)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran_order, dtype = read_header(file)
        offset = file.tell()
    if not shape or not shape[0]:
        return np.zeros(shape, dtype=dtype)  # nothing to map
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape,
                     order="F" if fortran_order else "C")


def matrix(name: str, values: sp.csr_matrix) -> dict[str, np.ndarray]:
    return {f"{name}_data": values.data, f"{name}_indices": values.indices,
            f"{name}_indptr": values.indptr, f"{name}_shape": np.array(values.shape)}


def unmatrix(name: str, arrays: dict[str, np.ndarray]) -> sp.csr_matrix:
    shape = tuple(int(n) for n in arrays[f"{name}_shape"])
    return sp.csr_matrix((arrays[f"{name}_data"], arrays[f"{name}_indices"],
                          arrays[f"{name}_indptr"]), shape=shape, copy=False)


def text(value: str) -> np.ndarray:
    return np.frombuffer(value.encode("utf-8"), dtype=np.uint8)


def untext(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def joined(values: np.ndarray) -> np.ndarray:
    """Strings (no newlines: terms and words never hold one) as one member."""
    return text("\n".join(values.tolist()))


def lines(array: np.ndarray) -> np.ndarray:
    value = untext(array)
    return np.array(value.split("\n") if value else [], dtype=object)
