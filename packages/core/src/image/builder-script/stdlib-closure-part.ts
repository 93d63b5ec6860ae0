/**
 * The builder script's stdlib choice for the minimal runtime: what is dropped whatever imports
 * it, and the closure of what some import can reach (the venv's bytecode, what Python and
 * Datasette load at start, and what those import in turn). Python text.
 */
export const STDLIB_CLOSURE_PART = `# Stdlib parts a data server never imports: test suites, GUIs, REPL and packaging tools, docs
# data, and the base image's own site-packages (the venv has its own). distutils and unittest
# go too: in Datasette's venv only hupper's reloader ("datasette --reload", never in an image) and
# mergedeep's own test module import them. The scan that once kept them "when the venv imports
# them" read .py files, which the venv no longer has by the time assemble runs, so they always
# went; saying so here keeps the import closure from following them. A plugin that needs one
# (distutils.version, unittest.mock) runs on "--runtime base".
STDLIB_DROP = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "pydoc_data",
               "turtle", "__phello__", "__hello__", "site-packages", "dist-packages",
               "distutils", "unittest"}
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
    """Each module under top once: its source where there is one, else its legacy bytecode
    (the venv after sourceless); __pycache__ copies of a source would only repeat it."""
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".py") or (name.endswith(".pyc") and name[:-1] not in files):
                yield os.path.join(root, name)


def stdlib_needed(venv, stdlib, candidates):
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
`
