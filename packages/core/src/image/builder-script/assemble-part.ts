/**
 * The builder script's `assemble VENV ROOTFS` command (the minimal runtime's root file system:
 * interpreter, reachable stdlib, linked libraries, /bin/sh, users) and its entry point. Python text.
 */
export const ASSEMBLE_PART = `UID = 65532


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
    unused = candidates - stdlib_needed(venv, stdlib, candidates)
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
