/**
 * Runs in the builder stage with the venv's own Python (stdlib only), after pip. It removes
 * pip, setuptools and wheel unless an installed distribution declares one of them a dependency
 * (real Datasette 0.x requires pip and setuptools at runtime for `datasette install` and
 * pkg_resources), then deletes what serves no purpose at runtime: C/Cython sources, headers,
 * static libraries, Windows binaries, bytecode caches and dependencies' `tests` packages.
 * It prints what it removed so the build log explains the size.
 */
export const PRUNE_VENV_SCRIPT = `"""Prune build leftovers from a venv. Written by datapub; runs in the builder stage only."""
import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys

venv = sys.argv[1]
TOOLS = ("pip", "setuptools", "wheel")
FILE_SUFFIXES = (".c", ".h", ".hpp", ".pyx", ".pxd", ".pyd", ".pyc", ".pyo", ".a", ".la")
DIR_NAMES = ("__pycache__", "tests")


def norm(name):
    return re.sub(r"[-_.]+", "-", name or "").lower()


needed = set()
for dist in metadata.distributions():
    if norm(dist.metadata["Name"]) in TOOLS:
        continue
    for requirement in dist.requires or []:
        name, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"\\s*([A-Za-z0-9._-]+)", name)
        if match:
            needed.add(norm(match.group(1)))
unneeded = [tool for tool in TOOLS if tool not in needed]
installed = {norm(d.metadata["Name"]) for d in metadata.distributions()}
remove = [tool for tool in unneeded if tool in installed]
if remove:
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", *remove], check=True)

removed_files = 0
removed_bytes = 0


def tree_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total


for root, dirs, files in os.walk(venv):
    in_packages = "site-packages" in root.split(os.sep)
    for name in list(dirs):
        if name == "__pycache__" or (in_packages and name == "tests"):
            full = os.path.join(root, name)
            removed_bytes += tree_bytes(full)
            removed_files += 1
            shutil.rmtree(full)
            dirs.remove(name)
    for name in files:
        full = os.path.join(root, name)
        if name.endswith(FILE_SUFFIXES) or name == "Activate.ps1":
            if not os.path.islink(full):
                removed_bytes += os.path.getsize(full)
            os.remove(full)
            removed_files += 1
print("datapub prune: removed %s; %d paths, %d bytes" % (", ".join(remove) or "no build tools", removed_files, removed_bytes))
`
