"""``new-plugin``: a ready-to-build plugin project, rendered from
templates/new_plugin/*.j2. Run by ``preload new plugin``; prints the path of
each file it writes, one a line."""

import os

from . import fingerprint, plugin_name, render

# Names CMake reserves for its own targets.
_RESERVED = {"all", "clean", "help", "install", "package", "test",
             "package_source", "edit_cache", "rebuild_cache", "list_install_components"}

# template -> output file name ({name} replaced)
FILES = (
    ("CMakeLists.txt.j2", "CMakeLists.txt"),
    ("plugin.cc.j2", "{name}.cc"),
    ("README.md.j2", "README.md"),
    ("gitignore.j2", ".gitignore"),
)


def context(name, abis, sdk_version, sdk_prefix):
    if not plugin_name.is_plugin_name(name):
        raise fingerprint.UsageError(
            "plugin name %r: a plugin name must %s (it names the CMake "
            "target, the .so and the source file)" % (name, plugin_name.RULE))
    if name.lower() in _RESERVED:
        raise fingerprint.UsageError(
            "plugin name %r is reserved by CMake for its own targets" % name)
    parsed = [fingerprint.parse_abi(a) for a in abis]
    for abi in parsed:
        if abi["hash"]:
            raise fingerprint.UsageError(
                "host ABI %r: give NAME=VERSION, without a hash" % abi["name"])
    names = [a["name"] for a in parsed]
    if len(set(names)) != len(names):
        raise fingerprint.UsageError("a host ABI is named twice: %s"
                                     % ", ".join(names))
    major_minor = ".".join(sdk_version.split(".")[:2])
    return {"name": name, "abis": parsed, "sdk_version": major_minor,
            "sdk_prefix": sdk_prefix}


def run(args):
    ctx = context(args.name, args.abi, args.sdk_version, args.sdk_prefix)
    outputs = [(template, os.path.join(args.dir, out.format(name=args.name)))
               for template, out in FILES]
    existing = [path for _, path in outputs if os.path.lexists(path)]
    if existing:
        raise fingerprint.UsageError(
            "not overwriting %s; choose another --dir or remove them"
            % ", ".join(existing))
    if os.path.exists(args.dir) and not os.path.isdir(args.dir):
        raise fingerprint.UsageError("%s exists and is not a directory"
                                     % args.dir)
    env = render.environment(os.path.join(args.templates, "new_plugin"))
    try:
        os.makedirs(args.dir, exist_ok=True)
        for template, path in outputs:
            text = env.get_template(template).render(**ctx)
            with open(path, "x", encoding="utf-8") as out:
                out.write(text)
            print(path)
    except OSError as error:
        raise fingerprint.UsageError(str(error))


def add_parser(subparsers):
    p = subparsers.add_parser(
        "new-plugin", help="write a ready-to-build plugin project")
    p.add_argument("--name", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--abi", action="append", default=[],
                   metavar="NAME=VERSION", help="a host ABI it requires")
    p.add_argument("--sdk-version", required=True,
                   help="the SDK's version, for find_package")
    p.add_argument("--sdk-prefix", default="",
                   help="where the SDK is installed, for the README")
    p.add_argument("--templates", required=True, help="the templates folder")
    p.set_defaults(run=run)
