#!/usr/bin/env python3
"""Generate a deterministic test tree for lvc's benchmarks.

usage: make-tree.py KIND DEST [--seed N]

KIND is one of:
  small   >= 20,000 text-like files of 1-8 KiB (~90 MiB) in folders 2-4 levels deep,
          50-200 files per folder: the file-system-bound case (one object per file).
  python  ~7,000 files, ~250 MiB, shaped like a Python Lambda with its dependencies:
          handler.py, boto3, botocore/data (many small JSON files), numpy/scipy/pandas
          (many .py files plus a few 5-30 MiB poorly compressible .so files),
          *.dist-info folders, executables (0755) and two symlinks: the deflate-bound case.

The same KIND and seed give byte-identical trees (names, contents, modes, symlink
targets) on every run and machine: everything comes from one seeded random.Random,
consumed in a fixed order, and modes are set explicitly so the umask does not matter.
Modification times are not part of the promise.

At the end the script prints a digest over (path, mode, content) of the whole tree, so
two machines can check they benchmarked the same bytes. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import random
import sys

DEFAULT_SEEDS = {"small": 20_400, "python": 7_069}

# Vocabulary shared by all generators. ASCII only, so a character is a byte.
WORDS = (
    "request response client session config value index buffer handler event context "
    "record bucket object key region payload result items token stream batch cache table "
    "column frame array shape dtype offset count limit name path data source target query "
    "filter schema parser writer reader encoder decoder window series block chunk layer "
    "policy role queue topic metric alarm resource service endpoint signer waiter paginator"
).split()
PROSE = (
    "the a of to and in is for that with as on by this be are from or it an at which "
    "returns value when not if each all can will must should may may only new given "
    "default optional required list string number object instance method function "
    "parameter argument result error exception raised called used specified"
).split()
CAPS = [w.capitalize() for w in WORDS]


def ident(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)}_{rng.choice(WORDS)}"


def camel(rng: random.Random) -> str:
    return rng.choice(CAPS) + rng.choice(CAPS)


def sentence(rng: random.Random, lo: int = 5, hi: int = 14) -> str:
    words = [rng.choice(PROSE) for _ in range(rng.randint(lo, hi))]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


class Content:
    """Makes file contents. Text is drawn mostly from pools of pre-generated lines (fast,
    and realistically compressible: deflate finds repeated words, not whole files), mixed
    with freshly generated lines carrying hex blobs and numbers, so no two files are equal
    and deflate has real work to do. Binaries are mostly random bytes (poorly compressible)."""

    POOL_SIZE = 20_000
    UNIQUE_SHARE = 0.08  # fraction of lines that are fresh, per-file

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pools = {
            "code": [self._code_line() for _ in range(self.POOL_SIZE)],
            "json": [self._json_line() for _ in range(self.POOL_SIZE // 4)],
            "prose": [self._prose_line() for _ in range(self.POOL_SIZE // 4)],
        }

    # -- line generators -------------------------------------------------------------
    def _code_line(self) -> str:
        r = self.rng
        a, b, c, d = (r.choice(WORDS) for _ in range(4))
        n = r.randint(0, 4096)
        templates = (
            f"def {a}_{b}(self, {c}, {d}=None):",
            f"    {a} = self._{b}.get({c!r}, {n})",
            f"    if {a} is not None and len({b}) > {n}:",
            f"        return {a}.{b}({c}, {d}={n})",
            f"    # {sentence(r)}",
            f"class {a.capitalize()}{b.capitalize()}({c.capitalize()}Base):",
            f'    """{sentence(r, 8, 16)}"""',
            f"import {a}.{b} as {c}",
            f"from .{a} import {b.capitalize()}{c.capitalize()}, {c}_{d}",
            f'        raise {a.capitalize()}Error(f"{b} {c}: {{{d}}}")',
            f"    for {a}, {b} in enumerate(self.{c}_{d}):",
            f"        {a}[{n}] = {b} * {r.random():.6f} + {c}",
            "",
            f"    {a}_{b} = [{n}, {r.randint(0, 99999)}, {r.randint(0, 99999)}]",
            f"        {a}.{b}_{c}.append(({d}, {n}))",
            f"    @property",
            f"    def {a}(self) -> {b.capitalize()}:",
        )
        return r.choice(templates)

    def _json_line(self) -> str:
        r = self.rng
        a, b = r.choice(CAPS), r.choice(CAPS)
        templates = (
            f'      "{a}{b}": {{"shape": "{r.choice(CAPS)}{r.choice(CAPS)}"}},',
            f'      "documentation": "<p>{sentence(r, 8, 20)}</p>",',
            f'      "type": "{r.choice(("string", "integer", "structure", "list", "boolean", "timestamp"))}",',
            f'      "max": {r.randint(1, 65536)},',
            f'      "pattern": "^[a-zA-Z0-9-_]{{{r.randint(1, 8)},{r.randint(9, 256)}}}$",',
            f'    "{a}{b}": {{',
            "    },",
        )
        return r.choice(templates)

    def _prose_line(self) -> str:
        r = self.rng
        if r.random() < 0.15:
            return f"## {r.choice(CAPS)} {r.choice(WORDS)}"
        return " ".join(sentence(r) for _ in range(r.randint(1, 3)))

    def _unique_line(self, style: str) -> str:
        """A line no pool holds: random hex (half as compressible as text) or numbers."""
        r = self.rng
        blob = r.randbytes(r.randint(8, 40)).hex()
        if style == "json":
            return f'      "{camel(r)}{r.randint(0, 10**6)}": "{blob}",'
        if style == "prose":
            return f"{sentence(r)} Ref {blob[:16]}, item {r.randint(0, 10**9)}."
        if r.random() < 0.5:
            return f'    _{ident(r).upper()}_{r.randint(0, 999)} = "{blob}"'
        return f"    assert {ident(r)}({r.randint(0, 10**9)}) == 0x{blob[:16]}"

    # -- whole files ----------------------------------------------------------------
    def text(self, size: int, style: str, header: str) -> bytes:
        """Exactly `size` bytes (ending in a newline) of text in the given style."""
        r, pool = self.rng, self.pools[style]
        lines = [header]
        total = len(header) + 1
        while total < size:
            if r.random() < self.UNIQUE_SHARE:
                line = self._unique_line(style)
            else:
                line = pool[int(r.random() * len(pool))]
            lines.append(line)
            total += len(line) + 1
        data = "\n".join(lines)
        return (data[: size - 1] + "\n").encode("ascii")

    def service_json(self, size: int, service: str) -> bytes:
        """A botocore-style service model: valid JSON of roughly `size` bytes."""
        r = self.rng
        head = (
            '{\n  "version": "2.0",\n  "metadata": {\n'
            f'    "apiVersion": "{r.randint(2006, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",\n'
            f'    "endpointPrefix": "{service}",\n    "protocol": "json",\n'
            f'    "serviceId": "{service}",\n    "signatureVersion": "v4"\n  }},\n'
            '  "operations": {\n'
        )
        entries: list[str] = []
        total = len(head)
        while total < size:
            op = camel(r) + r.choice(CAPS)
            errs = ",\n".join(
                f'        {{"shape": "{r.choice(CAPS)}Exception"}}' for _ in range(r.randint(1, 5))
            )
            entry = (
                f'    "{op}{len(entries)}": {{\n'
                f'      "name": "{op}",\n'
                f'      "http": {{"method": "{r.choice(("GET", "POST", "PUT", "DELETE"))}", '
                f'"requestUri": "/{r.choice(WORDS)}/{{{camel(r)}}}"}},\n'
                f'      "input": {{"shape": "{op}Request"}},\n'
                f'      "output": {{"shape": "{op}Response"}},\n'
                f'      "errors": [\n{errs}\n      ],\n'
                f'      "documentation": "<p>{sentence(r, 10, 40)} {r.randbytes(6).hex()}</p>"\n'
                "    }"
            )
            entries.append(entry)
            total += len(entry) + 2
        return (head + ",\n".join(entries) + "\n  }\n}\n").encode("ascii")

    def binary(self, size: int) -> bytes:
        """An ELF-looking blob: ~85% random bytes, some zero padding and symbol strings."""
        r = self.rng
        parts = [b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x03\x00\x3e\x00\x01\x00\x00\x00"]
        total = len(parts[0])
        while total < size:
            n = min(r.randint(4096, 65536), size - total)
            kind = r.random()
            if kind < 0.85:
                chunk = r.randbytes(n)
            elif kind < 0.92:
                chunk = bytes(n)  # section alignment and .bss-like padding
            else:
                names = []
                length = 0
                while length < n:
                    name = f"_ZN{r.randint(1, 30)}{ident(r)}{r.randint(0, 999)}E"
                    names.append(name)
                    length += len(name) + 1
                chunk = b"\0".join(s.encode("ascii") for s in names)[:n]
            parts.append(chunk)
            total += len(chunk)
        return b"".join(parts)


class TreeWriter:
    """Writes files under a root with explicit modes and keeps a manifest for the digest."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.entries: dict[str, str] = {}  # relative path -> manifest line
        self.sha: dict[str, bytes] = {}  # relative path -> raw sha256 (for RECORD files)
        self.size: dict[str, int] = {}
        self.dirs: set[str] = set()
        self.bytes = 0
        self.symlinks = 0

    def _parent(self, rel: str) -> str:
        if rel in self.entries:
            raise SystemExit(f"make-tree: internal error: {rel} written twice")
        parent = os.path.dirname(rel)
        if parent and parent not in self.dirs:
            os.makedirs(os.path.join(self.root, parent), exist_ok=True)
            while parent and parent not in self.dirs:
                self.dirs.add(parent)
                parent = os.path.dirname(parent)
        return os.path.join(self.root, rel)

    def file(self, rel: str, data: bytes, mode: int = 0o644) -> None:
        path = self._parent(rel)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            os.fchmod(fd, mode)  # independent of the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        digest = hashlib.sha256(data).digest()
        self.entries[rel] = f"file {mode:o} {digest.hex()} {rel}\n"
        self.sha[rel] = digest
        self.size[rel] = len(data)
        self.bytes += len(data)

    def symlink(self, rel: str, target: str) -> None:
        os.symlink(target, self._parent(rel))
        self.entries[rel] = f"link 120000 {target} {rel}\n"
        self.symlinks += 1

    def under(self, prefix: str) -> list[str]:
        """Files written so far under prefix/ (symlinks excluded), sorted."""
        return sorted(p for p in self.sha if p.startswith(prefix + "/"))

    def finish(self) -> str:
        """Set directory modes explicitly and return the tree digest."""
        for d in self.dirs | {""}:
            os.chmod(os.path.join(self.root, d), 0o755)
        h = hashlib.sha256()
        for rel in sorted(self.entries):
            h.update(self.entries[rel].encode())
        return h.hexdigest()


def unique_name(rng: random.Random, taken: set[str], ext: str) -> str:
    while True:
        name = f"{ident(rng)}{ext}"
        if name not in taken:
            taken.add(name)
            return name


# ---------------------------------------------------------------------------------
# small: many small files
# ---------------------------------------------------------------------------------
SMALL_LEVELS = (
    ("app", "lib", "services", "vendor", "docs", "tests", "tools", "web"),
    ("core", "util", "api", "models", "views", "handlers", "jobs", "schemas", "plugins", "io"),
    ("v1", "v2", "internal", "common", "legacy", "experimental", "generated", "shared"),
    ("alpha", "beta", "gamma", "delta", "epsilon", "zeta"),
)
SMALL_MIN_FILES = 20_400


def make_small(w: TreeWriter, c: Content) -> None:
    rng = c.rng
    folders: set[str] = set()
    count = 0
    while count < SMALL_MIN_FILES:
        depth = rng.randint(2, 4)
        folder = "/".join(rng.choice(level) for level in SMALL_LEVELS[:depth])
        if folder in folders:
            continue
        folders.add(folder)
        taken: set[str] = set()
        for _ in range(rng.randint(50, 200)):
            kind = rng.random()
            ext, style = (".py", "code") if kind < 0.6 else (".json", "json") if kind < 0.8 else (".md", "prose")
            rel = f"{folder}/{unique_name(rng, taken, ext)}"
            w.file(rel, c.text(rng.randint(1024, 8192), style, f"# {rel}"))
            count += 1


# ---------------------------------------------------------------------------------
# python: a Lambda with dependencies
# ---------------------------------------------------------------------------------
HANDLER = '''\
"""Lambda entry point: resizes a report and stores it in S3."""
import json
import os

import boto3
import numpy as np
import pandas as pd

s3 = boto3.client("s3")
BUCKET = os.environ.get("BUCKET", "reports")


def handler(event, context):
    frame = pd.DataFrame(event.get("rows", []))
    summary = {
        "rows": len(frame),
        "mean": float(np.mean(frame.select_dtypes("number").to_numpy())) if len(frame) else 0.0,
    }
    s3.put_object(Bucket=BUCKET, Key=f"summary/{context.aws_request_id}.json",
                  Body=json.dumps(summary).encode())
    return {"statusCode": 200, "body": json.dumps(summary)}
'''

BOOTSTRAP = b"#!/bin/sh\nset -euo pipefail\nexec python3 -m awslambdaric handler.handler\n"

# (package, version, subpackages, number of text files, size range in bytes)
PY_PACKAGES = (
    ("numpy", "1.26.4", (
        "core", "core/include/numpy", "core/tests", "core/tests/data", "lib", "lib/tests",
        "linalg", "linalg/tests", "fft", "fft/tests", "random", "random/tests", "random/_examples/cython",
        "ma", "ma/tests", "polynomial", "polynomial/tests", "testing", "testing/_private",
        "typing", "typing/tests/data/pass", "typing/tests/data/fail", "typing/tests/data/reveal",
        "f2py", "f2py/tests", "f2py/tests/src", "distutils", "distutils/command",
        "distutils/fcompiler", "array_api", "compat", "doc", "matrixlib", "_typing",
    ), 900, (1_000, 30_000)),
    ("scipy", "1.13.1", tuple(
        f"{p}{t}" for p in (
            "_lib", "cluster", "constants", "datasets", "fft", "fftpack", "integrate", "interpolate",
            "io", "io/matlab", "io/arff", "linalg", "misc", "ndimage", "odr", "optimize",
            "optimize/_highs", "optimize/_trlib", "signal", "signal/windows", "sparse",
            "sparse/linalg", "sparse/csgraph", "spatial", "spatial/transform", "special",
            "stats", "stats/_boost",
        ) for t in ("", "/tests")
    ), 1_950, (1_000, 30_000)),
    ("pandas", "2.2.2", (
        "_config", "_libs", "_libs/tslibs", "_libs/window", "api", "arrays", "compat", "core",
        "core/arrays", "core/computation", "core/dtypes", "core/groupby", "core/indexes",
        "core/internals", "core/ops", "core/reshape", "core/strings", "core/tools", "core/window",
        "io", "io/excel", "io/formats", "io/json", "io/parsers", "io/sas", "plotting",
        "plotting/_matplotlib", "tseries", "util", "tests", "tests/frame", "tests/series",
        "tests/indexes/datetimes", "tests/io/parser", "tests/groupby", "tests/arithmetic",
        "tests/reshape", "tests/tools", "tests/window", "tests/plotting", "tests/arrays",
        "tests/extension",
    ), 1_400, (2_000, 60_000)),
    ("boto3", "1.34.100", ("dynamodb", "ec2", "s3", "resources", "docs"), 60, (500, 30_000)),
    ("botocore", "1.34.100", ("auth", "crt", "docs", "docs/bcdoc", "retries", "vendored",
                              "vendored/requests/packages/urllib3"), 130, (500, 60_000)),
    ("s3transfer", "0.10.1", (), 25, (1_000, 40_000)),
    ("jmespath", "1.0.1", (), 10, (1_000, 30_000)),
    ("dateutil", "2.9.0", ("parser", "tz", "zoneinfo"), 36, (1_000, 50_000)),
    ("urllib3", "2.2.1", ("contrib", "contrib/emscripten", "http2", "util"), 45, (1_000, 40_000)),
    ("pytz", "2024.1", (), 15, (1_000, 30_000)),
)

# Large extension modules: (path, MiB). Poorly compressible; they dominate deflate time.
PY_BIG_BINARIES = (
    ("numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so", 30),
    ("numpy.libs/libgfortran-040039e1.so.5.0.0", 3),
    ("numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", 8),
    ("numpy/linalg/_umath_linalg.cpython-311-x86_64-linux-gnu.so", 5),
    ("scipy.libs/libopenblasp-r0-23e5df77.3.21.dev.so", 24),
    ("scipy/linalg/_flapack.cpython-311-x86_64-linux-gnu.so", 6),
    ("scipy/sparse/_sparsetools.cpython-311-x86_64-linux-gnu.so", 9),
    ("scipy/special/_ufuncs.cpython-311-x86_64-linux-gnu.so", 5),
    ("pandas/_libs/algos.cpython-311-x86_64-linux-gnu.so", 6),
    ("pandas/_libs/groupby.cpython-311-x86_64-linux-gnu.so", 5),
    ("pandas/_libs/hashtable.cpython-311-x86_64-linux-gnu.so", 6),
)
# Small extension modules per package: (count, size range in bytes).
PY_SMALL_BINARIES = {"numpy": (15, (50_000, 500_000)), "scipy": (60, (50_000, 600_000)),
                     "pandas": (30, (50_000, 600_000))}
BOTOCORE_SERVICES = 450
PYTZ_ZONES = 590


def py_package(w: TreeWriter, c: Content, name: str, subpackages: tuple[str, ...],
               n_files: int, size_range: tuple[int, int]) -> None:
    """A package of text files: an __init__.py per folder (a third of them empty, as in real
    wheels, so identical contents occur), the rest spread over the folders at random."""
    rng = c.rng
    folders = [name] + [f"{name}/{s}" for s in subpackages]
    taken = {f: {"__init__.py"} for f in folders}
    for folder in folders:
        rel = f"{folder}/__init__.py"
        w.file(rel, b"" if rng.random() < 0.33 else c.text(rng.randint(100, 3_000), "code", f"# {rel}"))
    for _ in range(n_files - len(folders)):
        folder = rng.choice(folders)
        if "include" in folder:
            ext, style = ".h", "code"
        elif "/data" in folder:
            ext, style = rng.choice(((".pyi", "code"), (".csv", "prose"), (".json", "json")))
        else:
            ext, style = (".pyi", "code") if rng.random() < 0.08 else (".py", "code")
        rel = f"{folder}/{unique_name(rng, taken[folder], ext)}"
        w.file(rel, c.text(rng.randint(*size_range), style, f"# {rel}"))


def small_binaries(w: TreeWriter, c: Content, name: str) -> None:
    rng = c.rng
    count, size_range = PY_SMALL_BINARIES.get(name, (0, (0, 0)))
    folders = sorted({os.path.dirname(p) for p in w.under(name) if "/tests" not in p})
    for _ in range(count):
        folder = rng.choice(folders)
        stem = f"_{ident(rng)}"
        rel = f"{folder}/{stem}.cpython-311-x86_64-linux-gnu.so"
        if rel not in w.entries:
            w.file(rel, c.binary(rng.randint(*size_range)), 0o755)


def botocore_data(w: TreeWriter, c: Content) -> None:
    """botocore/data/<service>/<date>/*.json: the many-small-JSON-files part of the tree."""
    rng = c.rng
    services: set[str] = set()
    while len(services) < BOTOCORE_SERVICES:
        services.add(f"{rng.choice(WORDS)}-{rng.choice(WORDS)}" if rng.random() < 0.5 else rng.choice(WORDS) + str(rng.randint(1, 99)))
    for service in sorted(services):
        date = f"{rng.randint(2010, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        base = f"botocore/data/{service}/{date}"
        # Service models: mostly 5-60 KB, one in twenty large (real: ec2, sagemaker, ...).
        size = rng.randint(150_000, 500_000) if rng.random() < 0.05 else rng.randint(5_000, 60_000)
        w.file(f"{base}/service-2.json", c.service_json(size, service))
        w.file(f"{base}/endpoint-rule-set-1.json", c.text(rng.randint(3_000, 25_000), "json", "{"))
        if rng.random() < 0.8:
            w.file(f"{base}/paginators-1.json", c.text(rng.randint(200, 4_000), "json", "{"))
        if rng.random() < 0.3:
            w.file(f"{base}/waiters-2.json", c.text(rng.randint(500, 8_000), "json", "{"))
        if rng.random() < 0.5:
            w.file(f"{base}/examples-1.json", c.text(rng.randint(100, 12_000), "json", "{"))
    for rel in ("endpoints.json", "partitions.json", "sdk-default-configuration.json"):
        w.file(f"botocore/data/{rel}", c.text(rng.randint(20_000, 600_000), "json", "{"))
    w.file("botocore/cacert.pem", c.text(280_000, "prose", "# Mozilla CA bundle"))


def pytz_zoneinfo(w: TreeWriter, c: Content) -> None:
    """Hundreds of tiny binary files (TZif), as in pytz/zoneinfo."""
    rng = c.rng
    regions = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
               "Indian", "Pacific", "Etc", "US")
    taken: dict[str, set[str]] = {r: set() for r in regions}
    for _ in range(PYTZ_ZONES):
        region = rng.choice(regions)
        zone = unique_name(rng, taken[region], "").title().replace("_", "")
        w.file(f"pytz/zoneinfo/{region}/{zone}", b"TZif2" + bytes(15) + c.binary(rng.randint(100, 3_000))[20:])


def dist_info(w: TreeWriter, c: Content, name: str, version: str, roots: tuple[str, ...]) -> None:
    """A wheel's metadata folder, with a RECORD listing the real hashes of its files."""
    rng = c.rng
    base = f"{name.replace('-', '_')}-{version}.dist-info"
    w.file(f"{base}/METADATA", c.text(rng.randint(1_000, 40_000), "prose",
                                      f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}"))
    w.file(f"{base}/WHEEL", b"Wheel-Version: 1.0\nGenerator: bdist_wheel (0.43.0)\nRoot-Is-Purelib: false\n"
                            b"Tag: cp311-cp311-manylinux_2_17_x86_64\n")
    w.file(f"{base}/INSTALLER", b"pip\n")
    w.file(f"{base}/top_level.txt", "".join(f"{r}\n" for r in roots).encode())
    w.file(f"{base}/LICENSE", c.text(rng.randint(1_000, 30_000), "prose", f"Copyright {name} developers"))
    lines = []
    for root in roots:
        for rel in w.under(root):
            b64 = base64.urlsafe_b64encode(w.sha[rel]).rstrip(b"=").decode()
            lines.append(f"{rel},sha256={b64},{w.size[rel]}\n")
    lines += [f"{base}/{f},," + "\n" for f in ("METADATA", "WHEEL", "INSTALLER", "top_level.txt", "LICENSE", "RECORD")]
    w.file(f"{base}/RECORD", "".join(lines).encode())


def make_python(w: TreeWriter, c: Content) -> None:
    rng = c.rng
    w.file("handler.py", HANDLER.encode())
    w.file("requirements.txt", "".join(f"{p[0]}=={p[1]}\n" for p in PY_PACKAGES).encode())
    w.file("bin/bootstrap", BOOTSTRAP, 0o755)
    w.symlink("bin/run", "../handler.py")

    for name, version, subs, n_files, size_range in PY_PACKAGES:
        py_package(w, c, name, subs, n_files, size_range)
        if name == "botocore":
            botocore_data(w, c)
        if name == "pytz":
            pytz_zoneinfo(w, c)
    w.file("six.py", c.text(34_000, "code", "# six.py"))
    w.file("typing_extensions.py", c.text(110_000, "code", "# typing_extensions.py"))

    for rel, mib in PY_BIG_BINARIES:
        w.file(rel, c.binary(mib * 1024 * 1024 - rng.randint(0, 300_000)), 0o755)
    for name in PY_SMALL_BINARIES:
        small_binaries(w, c, name)
    # Versioned library names with a symlink, as ld.so expects.
    w.symlink("numpy.libs/libgfortran.so.5", "libgfortran-040039e1.so.5.0.0")

    # Console scripts pip installs next to the code.
    w.file("bin/f2py", b"#!/usr/bin/python3\nimport sys\nfrom numpy.f2py.f2py2e import main\nsys.exit(main())\n", 0o755)
    w.file("bin/jp.py", b"#!/usr/bin/python3\nimport sys\nfrom jmespath import cli\nsys.exit(cli.main())\n", 0o755)

    for name, version, *_ in PY_PACKAGES:
        roots = (name, f"{name}.libs") if name in ("numpy", "scipy") else (name,)
        dist_info(w, c, name, version, roots)
    dist_info(w, c, "six", "1.16.0", ())
    dist_info(w, c, "typing_extensions", "4.11.0", ())


MAKERS = {"small": make_small, "python": make_python}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=sorted(MAKERS), metavar="KIND", help="small or python")
    parser.add_argument("dest", metavar="DEST", help="folder to create (must not exist or be empty)")
    parser.add_argument("--seed", type=int, help="override the default seed of KIND")
    args = parser.parse_args(argv)

    if os.path.lexists(args.dest) and (not os.path.isdir(args.dest) or os.listdir(args.dest)):
        parser.error(f"{args.dest} exists and is not an empty folder")
    os.makedirs(args.dest, exist_ok=True)

    seed = DEFAULT_SEEDS[args.kind] if args.seed is None else args.seed
    rng = random.Random(seed)
    writer = TreeWriter(args.dest)
    MAKERS[args.kind](writer, Content(rng))
    digest = writer.finish()
    files = len(writer.sha)
    print(f"{args.kind}: {files:,} files, {writer.symlinks} symlinks, {len(writer.dirs):,} folders, "
          f"{writer.bytes / 2**20:.1f} MiB, seed {seed}, digest {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
