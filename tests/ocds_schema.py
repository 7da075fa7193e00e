"""The OCDS 1.1.5 schema, offline, for libcoveocds and ocdsmerge in the tests.

Validators fetch the standard from standard.open-contracting.org/GitHub,
which CI cannot reach, and no wheel ships it. The schema files do ship, as
test fixtures, inside two source distributions on PyPI, which CI can reach:

    ocdsextensionregistry 0.7.0   tests/fixtures/release-schema.json
                                  tests/fixtures/versioned-release-validation-schema.json
    ocdskit 1.7.0                 tests/fixtures/release-package-schema.json

all three the OCDS 1.1.5 files, as in the standard's schema/ directory (their
"id" says so and is checked). `standard_zip` downloads both sdists with pip
(pinned by sha256), takes those files out and lays them out as the standard's
repository ZIP, which libcoveocds reads through its `standard_zip` setting
(ocdsextensionregistry's ProfileBuilder accepts a file:// URL). Built once
and cached (OCDS_SCHEMA_CACHE, default instance/ocds-schema/); nothing of the
schema is kept in this repository.

Codelists: the ZIP has no codelist CSVs (no PyPI package ships them). The
closed ones are written from the schema's own `enum`s (same codes), because
libcove reports a closed-codelist violation only against a codelist file (it
drops the schema's enum errors for codelist fields) and libcoveocds 0.17.0
fails without any codelist. Open codelists are therefore not checked.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

SCHEMA_TAG = "1__1__5"
SCHEMA_BASE = f"https://standard.open-contracting.org/schema/{SCHEMA_TAG}/"
# (requirement, sha256 of the sdist on PyPI, {schema file: path inside the sdist})
SOURCES = [
    ("ocdsextensionregistry==0.7.0",
     "aae3b247712509f158e16f44747039cfd0a9ee847590aba4794933d6fa79341a",
     {"release-schema.json": "tests/fixtures/release-schema.json",
      "versioned-release-validation-schema.json":
          "tests/fixtures/versioned-release-validation-schema.json"}),
    ("ocdskit==1.7.0",
     "02a7d6182bbd7672cfd26cdbcae9726fbacdb917203d2bd5a726caa30040ff76",
     {"release-package-schema.json": "tests/fixtures/release-package-schema.json"}),
]
ROOT = f"standard-{SCHEMA_TAG}/"  # as in the standard repository's ZIP


class SchemaUnavailable(RuntimeError):
    """The schema could not be obtained; the message says why and what to do."""


def cache_dir() -> Path:
    default = Path(__file__).resolve().parent.parent / "instance" / "ocds-schema"
    return Path(os.environ.get("OCDS_SCHEMA_CACHE") or default)


def standard_zip(directory: Path | None = None) -> Path:
    """The path of the cached standard ZIP, built if missing."""
    directory = directory or cache_dir()
    target = directory / f"standard-{SCHEMA_TAG}.zip"
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    files = _schema_files()
    fd, partial = tempfile.mkstemp(dir=directory, suffix=".partial")
    with os.fdopen(fd, "wb") as out, zipfile.ZipFile(out, "w") as archive:
        archive.writestr(ROOT, "")  # ProfileBuilder takes the first entry as the root
        for name, content in files.items():
            archive.writestr(f"{ROOT}schema/{name}", content)
        for name, codes in closed_codelists(json.loads(files["release-schema.json"])).items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(["Code"])
            writer.writerows([code] for code in sorted(codes))
            archive.writestr(f"{ROOT}schema/codelists/{name}", text.getvalue())
    os.replace(partial, target)  # atomic: parallel workers may race here
    return target


def _schema_files() -> dict[str, bytes]:
    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("".join(f"{req} --hash=sha256:{sha}\n"
                                        for req, sha, _ in SOURCES))
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                   "--disable-pip-version-check", "-q", "-r", str(requirements), "-d", tmp]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            output = getattr(exc, "stderr", "") or ""
            raise SchemaUnavailable(
                "cannot download the OCDS schema sources from PyPI "
                f"({', '.join(req for req, _, _ in SOURCES)}): {exc}\n{output[-2000:]}\n"
                "PyPI must be reachable once; the result is cached in "
                f"{cache_dir()} (or $OCDS_SCHEMA_CACHE).") from exc
        for requirement, sha, members in SOURCES:
            name, version = requirement.split("==")
            sdist = Path(tmp) / f"{name}-{version}.tar.gz"
            if hashlib.sha256(sdist.read_bytes()).hexdigest() != sha:
                raise SchemaUnavailable(f"{sdist.name}: unexpected sha256")
            with tarfile.open(sdist) as tar:
                for schema_name, member in members.items():
                    content = tar.extractfile(f"{name}-{version}/{member}").read()
                    found = json.loads(content).get("id")
                    if found != SCHEMA_BASE + schema_name:
                        raise SchemaUnavailable(
                            f"{sdist.name}:{member} is {found}, not OCDS {SCHEMA_TAG}")
                    files[schema_name] = content
    return files


def closed_codelists(schema) -> dict[str, set[str]]:
    """{codelist file: codes} of every closed codelist, from the schema's enums."""
    found: dict[str, set[str]] = {}

    def walk(node):
        if isinstance(node, dict):
            if "codelist" in node and node.get("openCodelist") is False:
                enum = node.get("enum") or node.get("items", {}).get("enum") or []
                found.setdefault(node["codelist"], set()).update(
                    code for code in enum if code is not None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def release_schema(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as archive:
        return json.loads(archive.read(f"{ROOT}schema/release-schema.json"))


@contextlib.contextmanager
def _offline():
    """Any HTTP request fails loudly: the validation must not need the network."""
    def refuse(self, request, *args, **kwargs):
        raise AssertionError(f"network access during OCDS validation: {request.url}")

    with mock.patch("requests.adapters.HTTPAdapter.send", refuse):
        yield


def validate(package: dict, zip_path: Path) -> dict:
    """libcoveocds's report (the Data Review Tool's checks) for a release package."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig({
        "context": "api",
        "standard_zip": zip_path.resolve().as_uri(),
        "schema_version_choices": {
            "1.1": ("1.1", "https://standard.open-contracting.org/1.1/en/", SCHEMA_TAG)},
    })
    with _offline():
        return ocds_json_output(json_data=json.loads(json.dumps(package)), schema_version="1.1",
                                lib_cove_ocds_config=config, record_pkg=False)
