"""The index folder's files: numpy archives written atomically and read back mapped.

A reader never sees half a file (each is written beside its target and renamed over it), and
large members are memory-mapped rather than read: a search touches a few pages of hundreds of
megabytes. ``np.savez`` stores members uncompressed, which is what makes mapping possible.

What is read is verified: a file damaged after it was written (bytes overwritten in the
middle) must be rebuilt, never give wrong answers. The zip holds a CRC-32 of every member,
computed when ``np.savez`` wrote it. Members read whole are checked by ``zipfile`` as they
are read. A mapped member is checked by ``verify``, reading it once: at a million papers the
mapped members are 1.2 GB (the search rows 0.55 GB, the raw counts only updates read 0.7 GB),
about a second to check, so a reader checks only the members it is about to use, when it
first needs them (``segments.Segment``), not all of them on every load.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
import scipy.sparse as sp


class DamagedArchive(zipfile.BadZipFile):
    """A member whose bytes do not match the checksum the zip recorded for them."""


# What a damaged or foreign file raises on reading: the caller rebuilds what it held.
READ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile)
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name and extra field lengths
_CHECK_BLOCK = 1 << 22  # bytes read at a time to check a mapped member


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with open(temporary, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read(path: Path, mapped: tuple[str, ...] = (), *, check_mapped: bool = True
         ) -> dict[str, np.ndarray]:
    """Every member of one file; the ``mapped`` ones memory-mapped. Raises one of
    ``READ_ERRORS`` when the file is missing or damaged. ``check_mapped=False`` leaves the
    mapped members to the caller's ``verify`` (the members read whole are checked anyway)."""
    if check_mapped:
        verify(path, mapped)
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files if name not in mapped}
        names = set(data.files)
    return arrays | {name: _map_member(path, name) for name in mapped if name in names}


def verify(path: Path, names: tuple[str, ...]) -> None:
    """Raise DamagedArchive unless each named member's stored bytes (the array's header and
    data) have the CRC-32 the zip recorded for them."""
    if not names:
        return
    with zipfile.ZipFile(path) as archive, open(path, "rb") as file:
        for name in names:
            member = archive.getinfo(f"{name}.npy")
            file.seek(_data_start(file, member, path))
            left, crc = member.compress_size, 0
            while left > 0:
                block = file.read(min(left, _CHECK_BLOCK))
                if not block:
                    raise DamagedArchive(f"{path}: {member.filename} is cut short")
                crc = zlib.crc32(block, crc)
                left -= len(block)
            if crc != member.CRC:
                raise DamagedArchive(f"{path}: {member.filename} does not match its checksum")


def _data_start(file: BinaryIO, member: zipfile.ZipInfo, path: Path) -> int:
    """Where a member's stored bytes start: after the zip entry's own header."""
    file.seek(member.header_offset)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(file.read(_LOCAL_HEADER.size))
    if signature != b"PK\x03\x04":
        raise DamagedArchive(f"{path}: no zip entry where {member.filename} should start")
    return member.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def _map_member(path: Path, name: str) -> np.ndarray:
    """One array of a ``np.savez`` file, memory-mapped: its bytes lie in the file after the
    zip entry's header and the array's own."""
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo(f"{name}.npy")
    if member.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{path}: {name} is compressed")
    with open(path, "rb") as file:
        start = _data_start(file, member, path)
        file.seek(start)
        version = np.lib.format.read_magic(file)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran_order, dtype = read_header(file)
        offset = file.tell()
    if offset + int(np.prod(shape)) * dtype.itemsize > start + member.file_size:
        raise DamagedArchive(f"{path}: {name} is shorter than its shape")
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
