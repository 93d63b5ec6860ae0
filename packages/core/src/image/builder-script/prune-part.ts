/**
 * The builder script's `prune VENV` command and the helpers both commands use: what pip leaves
 * that serves no purpose at run time, ELF files cut to their mapped segments (sstrip), and
 * modules compiled to bytecode beside their sources (sourceless). Python text; see
 * prune-venv-script.ts for how the parts make one file.
 */
export const PRUNE_PART = `import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys


def imported_in(top, modules, skip=()):
    """Which of these top-level modules some .py file under top imports, skipping directories
    named in skip (a tool's own package). A static scan: a plugin that imports one keeps it."""
    pattern = re.compile(r"^[ \\t]*(?:import|from)[ \\t]+(%s)\\b" % "|".join(re.escape(m) for m in modules), re.M)
    found = set()
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                    found.update(pattern.findall(f.read()))
    return found


def prune(venv):
    # A tool goes unless code outside it imports it. Real Datasette 0.x declares pip and
    # setuptools as dependencies, but only \`datasette install\` runs pip (as a subprocess), and
    # nothing in an immutable image installs anything at run time.
    tools = {"pip": ("pip",), "setuptools": ("setuptools", "pkg_resources", "_distutils_hack"), "wheel": ("wheel",)}
    suffixes = (".c", ".h", ".hpp", ".pyx", ".pxd", ".pyd", ".pyc", ".pyo", ".a", ".la")

    def norm(name):
        return re.sub(r"[-_.]+", "-", name or "").lower()

    tool_modules = [m for modules in tools.values() for m in modules]
    imported = imported_in(venv, tool_modules, skip=set(tool_modules))
    installed = {norm(d.metadata["Name"]) for d in metadata.distributions()}
    remove = [tool for tool, modules in tools.items() if tool in installed and not imported.intersection(modules)]
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
            # A wheel's SBOM (PEP 770) describes how the wheel was built, for whoever audits the
            # wheel; nothing reads it at run time, and the pinned wheelhouse file records what went in.
            if name == "__pycache__" or (in_packages and name == "tests") or (name == "sboms" and root.endswith(".dist-info")):
                full = os.path.join(root, name)
                removed_bytes += tree_bytes(full)
                removed_files += 1
                shutil.rmtree(full)
                dirs.remove(name)
        for name in files:
            full = os.path.join(root, name)
            if name.endswith(suffixes) or name == "Activate.ps1":
                if not os.path.islink(full):
                    removed_bytes += os.path.getsize(full)
                os.remove(full)
                removed_files += 1
    stripped = 0
    for root, dirs, files in os.walk(venv):
        for name in files:
            full = os.path.join(root, name)
            if ".so" in name and not os.path.islink(full):
                stripped += sstrip(full)
    sources = sourceless(venv)
    print("datapub prune: removed %s; %d paths, %d bytes; %d bytes of ELF symbols and debug data; %d modules as bytecode only" % (", ".join(remove) or "no build tools", removed_files, removed_bytes, stripped, sources))


def sstrip(path):
    """Cut a 64-bit little-endian ELF file after the last byte a program header maps, dropping
    its section headers, symbol tables and debug sections, which only debuggers and linkers
    read: the loader works from program headers and the dynamic segment alone. Wheels ship
    extension modules unstripped, and the builder has no binutils. Returns the bytes saved."""
    import struct
    with open(path, "r+b") as f:
        head = f.read(64)
        if len(head) < 64 or head[:4] != b"\\x7fELF" or head[4] != 2 or head[5] != 1:
            return 0
        phoff, = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        if phnum == 0 or phentsize < 56:
            return 0
        f.seek(phoff)
        table = f.read(phentsize * phnum)
        end = phoff + phentsize * phnum
        for i in range(phnum):
            offset, = struct.unpack_from("<Q", table, i * phentsize + 8)
            filesz, = struct.unpack_from("<Q", table, i * phentsize + 32)
            end = max(end, offset + filesz)
        size = os.fstat(f.fileno()).st_size
        if end >= size:
            return 0
        f.seek(0x28)
        f.write(struct.pack("<Q", 0))
        f.seek(0x3C)
        f.write(struct.pack("<HH", 0, 0))
        f.truncate(end)
        return size - end


def sourceless(top, ddir=None):
    """Compile every module under top to bytecode beside it (the legacy layout Python imports
    without a source) and delete the sources that compiled. The server runs as a user who cannot
    write a cache, so without it every start compiles everything again; and the image carries
    one copy of the code instead of two. Tracebacks show no source lines."""
    import compileall
    compileall.compile_dir(top, ddir=ddir, quiet=1, workers=0, legacy=True)
    count = 0
    for root, dirs, files in os.walk(top):
        if "__pycache__" in dirs:
            shutil.rmtree(os.path.join(root, "__pycache__"))
            dirs.remove("__pycache__")
        for name in files:
            full = os.path.join(root, name)
            if name.endswith(".py") and not os.path.islink(full) and os.path.exists(full + "c"):
                os.remove(full)
                count += 1
    return count
`
