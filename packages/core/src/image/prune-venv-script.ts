/**
 * The builder stage's helper, written to the context as build/prune-venv.py (the name predates
 * `assemble`; the append builder's runtime contexts carry this one file, so it stays one file).
 *
 * `prune VENV` runs with the venv's own Python (stdlib only) after pip. It removes pip,
 * setuptools and wheel unless an installed distribution declares one of them a dependency
 * (real Datasette 0.x requires pip and setuptools at runtime for `datasette install` and
 * pkg_resources), then deletes what serves no purpose at runtime: C/Cython sources, headers,
 * static libraries, Windows binaries, bytecode caches and dependencies' `tests` packages.
 *
 * `assemble VENV ROOTFS` runs in the `assemble` stage of the minimal runtime. Python itself says
 * where its executable, stdlib and extension modules are (sys.executable, sysconfig), so the
 * same code serves Debian's /usr/bin/python3.11 and python:3.x-slim's /usr/local; `ldd` of every
 * ELF file gives the shared libraries and the loader. Both commands print what they did, so the
 * build log explains the size.
 */
export const PRUNE_VENV_SCRIPT = `"""Builder-stage helper written by datapub; never part of the final image.

prune VENV            remove build leftovers from the venv.
assemble VENV ROOTFS  copy into ROOTFS what the venv needs to run on an empty (scratch) image.
"""
import importlib.metadata as metadata
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


# Stdlib parts a data server never imports: test suites, GUIs, REPL and packaging tools, docs
# data, and the base image's own site-packages (the venv has its own). distutils and unittest
# stay only when the venv imports them (old plugins import distutils.version, some libraries
# unittest.mock); nothing else in the stdlib a server uses imports them.
STDLIB_DROP = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "pydoc_data",
               "turtle", "__phello__", "__hello__", "site-packages", "dist-packages"}
STDLIB_IF_IMPORTED = {"distutils", "unittest"}
# pydoc serves help() at a REPL (its topics, pydoc_data, are gone already); curses cannot work
# without _curses. _pydecimal is the fallback decimal loads only when the C _decimal is
# missing: it goes only when _decimal is there.
STDLIB_DROP |= {"pydoc", "curses"}
# Extension modules for terminals, GUIs, NIS and dbm: each links libraries (ncurses, readline,
# Tk, libnsl with Kerberos, Berkeley DB) worth megabytes that nothing in a server loads.
DYNLOAD_DROP = {"_tkinter", "readline", "_curses", "_curses_panel", "_dbm", "_gdbm", "nis",
                "ossaudiodev", "_testcapi", "_testbuffer", "_testinternalcapi", "_testmultiphase",
                "_testimportmultiple", "_testclinic", "_xxtestfuzz", "xxlimited", "xxlimited_35",
                "_ctypes_test", "xxsubtype", "_crypt", "audioop",
                # CJK codecs (a megabyte): Datasette reads SQLite's UTF-8 and answers UTF-8.
                "_codecs_jp", "_codecs_kr", "_codecs_cn", "_codecs_hk", "_codecs_tw", "_codecs_iso2022",
                "_multibytecodec"}
UID = 65532


def code_objects(path):
    """The module's code and every code object nested in it, from source or legacy bytecode."""
    import marshal
    try:
        if path.endswith(".pyc"):
            with open(path, "rb") as f:
                code = marshal.loads(f.read()[16:])
        else:
            with open(path, "rb") as f:
                code = compile(f.read(), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, EOFError, TypeError, OSError):
        return
    stack = [code]
    while stack:
        code = stack.pop()
        yield code
        stack.extend(c for c in code.co_consts if hasattr(c, "co_code"))


def absolute_imports(path):
    """Top-level names of the absolute imports anywhere in a module, function bodies included
    (the lazy imports there run too). The compiler emits LOAD_CONST level, LOAD_CONST fromlist,
    IMPORT_NAME for every import statement, so the level is two constants back."""
    import dis
    names = set()
    for code in code_objects(path):
        consts = []
        for ins in dis.get_instructions(code):
            if ins.opname == "LOAD_CONST":
                consts.append(ins.argval)
            elif ins.opname == "IMPORT_NAME":
                if len(consts) >= 2 and consts[-2] == 0:
                    names.add(ins.argval.split(".")[0])
            else:
                if ins.opname not in ("CACHE", "EXTENDED_ARG"):
                    consts = []
    return names


def module_files(top):
    for root, dirs, files in os.walk(top):
        for name in files:
            if name.endswith((".py", ".pyc")):
                yield os.path.join(root, name)


def stdlib_needed(venv, stdlib, dynload, candidates):
    """The stdlib top-level modules the server can reach: what the venv's code imports, what the
    interpreter and Datasette import when they start (C modules import some from C, where no
    scan sees it), and, to a fixed point, what those import in turn. A module no path reaches
    is never imported by this server, whatever it is asked."""
    probe = "import sys\\ntry:\\n    import datasette.cli, datasette.app\\nexcept Exception:\\n    pass\\nprint(' '.join(sys.modules))"
    try:
        started = subprocess.run([os.path.join(venv, "bin", "python"), "-c", probe], capture_output=True, text=True).stdout
    except OSError:
        started = ""
    wanted = {m.split(".")[0] for m in started.split()} | {"encodings", "site", "sitecustomize", "usercustomize"}
    for path in module_files(venv):
        wanted |= absolute_imports(path)
    needed = set()
    todo = [m for m in wanted if m in candidates]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        package = os.path.join(stdlib, name)
        files = list(module_files(package)) if os.path.isdir(package) else [os.path.join(stdlib, name + ".py")]
        for path in files:
            todo.extend(m for m in absolute_imports(path) if m in candidates and m not in needed)
    return needed


def stdlib_modules(stdlib, dynload):
    """Top-level module names in the stdlib directory and lib-dynload: name.py, package/, name.*.so."""
    names = set()
    for name in os.listdir(stdlib):
        full = os.path.join(stdlib, name)
        stem = name[:-3] if name.endswith(".py") else name if os.path.isfile(os.path.join(full, "__init__.py")) else None
        if stem and stem.isidentifier():
            names.add(stem)
    if os.path.isdir(dynload):
        names |= {n.split(".")[0] for n in os.listdir(dynload) if ".so" in n}
    # sysconfig imports its data module by a name it computes: never drop it.
    return {n for n in names if not n.startswith("_sysconfigdata")}


def assemble(venv, rootfs):
    import ssl
    import sysconfig

    venv = os.path.realpath(venv)
    copied = set()
    totals = [0, 0]

    def resolve_link(link):
        return os.path.normpath(os.path.join(os.path.dirname(link), os.readlink(link)))

    def add(path):
        # Recreate path under rootfs at the same place, symlinks on the way included, so
        # merged-/usr links, SONAME links and the venv's interpreter links all keep working.
        path = os.path.normpath(path)
        if path in copied or not os.path.lexists(path):
            return
        copied.add(path)
        parts = path.strip("/").split("/")
        current = "/"
        for i, part in enumerate(parts):
            current = os.path.join(current, part)
            target = rootfs + current
            if os.path.islink(current):
                if not os.path.lexists(target):
                    os.symlink(os.readlink(current), target)
                add(os.path.join(resolve_link(current), *parts[i + 1:]))
                return
            if os.path.isdir(current):
                if not os.path.isdir(target):
                    os.mkdir(target)
                    shutil.copymode(current, target)
            elif i == len(parts) - 1 and not os.path.lexists(target):
                shutil.copy2(current, target)
                totals[0] += 1
                totals[1] += os.path.getsize(target)

    def is_elf(path):
        try:
            with open(path, "rb") as f:
                return f.read(4) == b"\\x7fELF"
        except OSError:
            return False

    def linked(binary):
        out = subprocess.run(["ldd", binary], capture_output=True, text=True)
        if out.returncode != 0:
            return []
        libs = []
        for line in out.stdout.splitlines():
            line = line.strip()
            if "=>" in line:
                target = line.split("=>", 1)[1].split(" (")[0].strip()
                if target == "not found":
                    print("datapub assemble: warning: %s needs %s, which the builder lacks" % (binary, line.split()[0]))
                elif target.startswith("/"):
                    libs.append(target)
            elif line.startswith("/"):
                libs.append(line.split(" (")[0])
        return libs

    os.makedirs(rootfs)
    binaries = []

    def add_tree(top, drop_names, is_dropped):
        for root, dirs, files in os.walk(top):
            for name in list(dirs):
                full = os.path.join(root, name)
                if root == top and name in drop_names or os.path.islink(full):
                    dirs.remove(name)
                    if os.path.islink(full):
                        add(full)
            for name in files:
                full = os.path.join(root, name)
                if is_dropped(root, name):
                    continue
                add(full)
                if ".so" in name and is_elf(full):
                    binaries.append(full)

    stdlib = sysconfig.get_paths()["stdlib"]
    dynload = sysconfig.get_config_var("DESTSHARED") or os.path.join(stdlib, "lib-dynload")

    def stdlib_dropped(root, name):
        stem = name.split(".")[0]
        if root == os.path.join(stdlib, "__pycache__") or root == stdlib:
            return stem in STDLIB_DROP or stem in unused
        if root == dynload:
            return stem in DYNLOAD_DROP or stem in unused
        return False

    # config-3.X-<arch>: Makefile, objects and static libpython, for building extensions only.
    config_dirs = {n for n in os.listdir(stdlib) if n.startswith("config-")}
    # What is dropped whatever imports it (pydoc, test, ...) leads nowhere: its imports are not followed.
    candidates = stdlib_modules(stdlib, dynload) - STDLIB_DROP
    unused = candidates - stdlib_needed(venv, stdlib, dynload, candidates)
    unused |= STDLIB_IF_IMPORTED - imported_in(venv, sorted(STDLIB_IF_IMPORTED))
    try:
        import _decimal  # noqa: F401
        unused = unused | {"_pydecimal"}
    except ImportError:
        pass
    add_tree(stdlib, STDLIB_DROP | config_dirs | unused, stdlib_dropped)
    if not os.path.realpath(dynload).startswith(os.path.realpath(stdlib) + os.sep):
        add_tree(dynload, set(), stdlib_dropped)

    # The interpreter as the venv reaches it (bin/python3 -> /usr/bin/python3 -> python3.11).
    for root, dirs, files in os.walk(venv):
        for name in dirs + files:
            full = os.path.join(root, name)
            if os.path.islink(full) and not resolve_link(full).startswith(venv + os.sep):
                add(resolve_link(full))
            elif name in files and ".so" in name and is_elf(full):
                binaries.append(full)
    executable = os.path.realpath(sys.executable)
    add(executable)
    binaries.append(executable)
    # The CMD's shell: exec replaces it with Datasette, and it expands only $PORT.
    add("/bin/sh")
    binaries.append(os.path.realpath("/bin/sh"))

    libraries = set()
    for binary in binaries:
        libraries.update(lib for lib in linked(binary) if not os.path.realpath(lib).startswith(venv + os.sep))
    for lib in sorted(libraries):
        add(lib)
    # glibc loads libgcc_s with dlopen to unwind threads on pthread_exit; ldd cannot see that.
    for lib in sorted(libraries):
        if os.path.basename(lib).startswith("libc.so"):
            add(os.path.join(os.path.dirname(lib), "libgcc_s.so.1"))

    # OpenSSL's default CA file (~200 KB) when the builder has one, so plugins that fetch over
    # TLS with the stdlib verify certificates as they would on the base image.
    paths = ssl.get_default_verify_paths()
    if paths.openssl_cafile and os.path.exists(paths.openssl_cafile):
        add(paths.openssl_cafile)

    # Libraries outside the loader's built-in directories (python:3.x-slim's /usr/local/lib)
    # are found through ld.so.cache: rebuild it for this tree.
    for conf in ["/etc/ld.so.conf"] + sorted(
            os.path.join("/etc/ld.so.conf.d", n) for n in (os.listdir("/etc/ld.so.conf.d") if os.path.isdir("/etc/ld.so.conf.d") else [])):
        add(conf)
    ldconfig = shutil.which("ldconfig") or next((p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.path.exists(p)), None)
    if ldconfig:
        subprocess.run([ldconfig, "-X", "-r", rootfs], check=True)

    # The kept stdlib as bytecode only, like the venv.
    sourceless(rootfs + stdlib, ddir=stdlib)

    etc = os.path.join(rootfs, "etc")
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/sbin/nologin\\ndatasette:x:%d:%d:datasette:/tmp:/sbin/nologin\\n" % (UID, UID))
    with open(os.path.join(etc, "group"), "w") as f:
        f.write("root:x:0:\\ndatasette:x:%d:\\n" % UID)
    tmp = os.path.join(rootfs, "tmp")
    os.makedirs(tmp, exist_ok=True)
    os.chmod(tmp, 0o1777)
    print("datapub assemble: %d files, %d bytes besides the venv; python %s; %d stdlib modules no import reaches left out: %s" % (totals[0], totals[1], executable, len(unused), ", ".join(sorted(unused)) or "none"))


if __name__ == "__main__":
    if sys.argv[1] == "prune":
        prune(sys.argv[2])
    elif sys.argv[1] == "assemble":
        assemble(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: prune VENV | assemble VENV ROOTFS")
`
