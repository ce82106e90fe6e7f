"""``fingerprint``: the source file that gives a target its fingerprint."""

import json
import re

from . import render

# "static-plugin" is a plugin linked into its host (add_preload_plugin(...
# STATIC)): its note says kind=plugin like any other; only how it is found
# differs.
KINDS = ("plugin", "static-plugin", "host", "sdk")
# Identity values end up in one `key=value` line of the note payload.
_VALUE = re.compile(r"^[^\n\r=\x00]*$")
# Free text, one line of the payload.
_TEXT = re.compile(r"^[^\n\r\x00]*$")
# A plugin's metadata (add_preload_plugin's DESCRIPTION, ...): informational
# fields of the note, written only when given.
METADATA = ("description", "license", "author", "url")
# A minisign Ed25519 public key's line: base64 of 42 bytes, "Ed" first.
_PUBLIC_KEY = re.compile(r"^RW[A-Za-z0-9+/]{54}$")
_ABI_NAME = re.compile(r"^[a-z0-9_.-]+$")
_ABI_VERSION = re.compile(r"^[0-9]+\.[0-9]+(\.[0-9]+)?$")


class UsageError(Exception):
    pass


# A requirement of add_preload_plugin's REQUIRES: the grammar of
# <preload/requirements.h> (docs/cmake.md). CMake checks it first, with its
# own messages; this keeps a manifest written by hand honest too.
_REQUIREMENT = re.compile(
    r"^[A-Za-z][A-Za-z0-9_.-]*"
    r"((>=|==|\^)(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8}))?)?$")
_REQUIREMENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*")


def check_requires(requires, name):
    """The requirements, each valid, none named twice, none the plugin
    itself."""
    seen = set()
    for requirement in requires:
        if not _REQUIREMENT.fullmatch(requirement):
            raise UsageError(
                "REQUIRES %r: expected NAME, NAME>=VERSION, NAME==VERSION or "
                "NAME^VERSION, VERSION as MAJOR.MINOR[.PATCH]" % requirement)
        required = _REQUIREMENT_NAME.match(requirement).group(0)
        if required == name:
            raise UsageError("REQUIRES %r: a plugin cannot require itself"
                             % requirement)
        if required in seen:
            raise UsageError("REQUIRES names %r twice" % required)
        seen.add(required)
    return list(requires)


def descriptor_symbol(name):
    """The plugin's unique descriptor symbol: a C identifier made from its
    name. The loader reads it from the fingerprint, never recomputes it."""
    return "preload_descriptor_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def entry_section(descriptor, linkage):
    """The section a plugin's entries are gathered in. A static plugin's is
    its own (PRELOAD_INTERNAL_ENTRY_SECTION in <preload/plugin.h>): the
    executable it is linked into may hold other static plugins."""
    if linkage != "static":
        return "preload_entries_v1"
    return "preload_entries_v1_" + descriptor[len("preload_descriptor_"):]


_ABI_HASH = re.compile(r"^[0-9a-f]{16}$")


def parse_abi(text):
    """'name=version[:hash]' -> {'name': ..., 'version': ..., 'hash': ...}."""
    name, sep, rest = text.partition("=")
    version, _, content_hash = rest.partition(":")
    if (not sep or not _ABI_NAME.match(name) or not _ABI_VERSION.match(version)
            or (content_hash and not _ABI_HASH.match(content_hash))):
        raise UsageError(
            "host ABI %r: expected NAME=MAJOR.MINOR[.PATCH][:HASH], NAME made "
            "of lower-case letters, digits, '_', '.', '-', HASH 16 hex digits"
            % text)
    return {"name": name, "version": version, "hash": content_hash}


def check_metadata(metadata):
    """{key: text} for the known keys, each one line of text."""
    for key, value in metadata.items():
        if key not in METADATA:
            raise UsageError("unknown metadata %r; known: %s"
                             % (key, ", ".join(METADATA)))
        if not _TEXT.match(value):
            raise UsageError("%s may not contain a line break or NUL" % key)
    return {key: metadata.get(key, "") for key in METADATA}


def check_trusted_keys(kind, keys):
    """A host's TRUSTED_KEYS: minisign public key lines, each once."""
    if keys and kind != "host":
        raise UsageError("only a host records trusted keys")
    for key in keys:
        if not _PUBLIC_KEY.match(key):
            raise UsageError("trusted key %r is not a minisign public key line"
                             % key)
    if len(set(keys)) != len(keys):
        raise UsageError("a trusted key is given twice")
    return list(keys)


def context(kind, name, version, abis, flags_header, metadata=None,
            trusted_keys=(), requires=()):
    if kind not in KINDS:
        raise UsageError("kind must be one of %s" % ", ".join(KINDS))
    for label, value in (("name", name), ("version", version)):
        if not _VALUE.match(value):
            raise UsageError("%s %r may not contain '=', NUL or a newline"
                             % (label, value))
    if not name:
        raise UsageError("the name may not be empty")
    parsed = [parse_abi(a) for a in abis]
    names = [a["name"] for a in parsed]
    if len(set(names)) != len(names):
        raise UsageError("a host ABI is named twice: %s" % ", ".join(names))
    linkage = "static" if kind == "static-plugin" else "shared"
    if kind == "static-plugin":
        kind = "plugin"
    descriptor = descriptor_symbol(name) if kind == "plugin" else ""
    return {
        "kind": kind,
        "linkage": linkage,
        "name": name,
        "version": version,
        "abis": sorted(parsed, key=lambda a: a["name"]),
        "descriptor": descriptor,
        "entry_section": entry_section(descriptor, linkage),
        "flags_header": flags_header,
        "metadata": check_metadata(metadata or {}),
        "trusted_keys": check_trusted_keys(kind, trusted_keys),
        "requires": check_requires(requires, name) if kind == "plugin" else [],
    }


def run(args):
    ctx = context(args.kind, args.name, args.version, args.abi,
                  args.flags_header)
    text = render.environment(args.templates).get_template(
        "fingerprint.cc.j2").render(**ctx)
    render.write_if_changed(args.output, text)


def run_manifest(args):
    """Renders every job of a manifest: one JSON object per line, with the
    arguments `fingerprint` takes and the target's name. CMake writes it so
    that a configure starts Python once, not once per target. Every job is
    tried; the errors are reported together, each naming its target."""
    template = render.environment(args.templates).get_template(
        "fingerprint.cc.j2")
    errors = []
    with open(args.manifest, encoding="utf-8") as manifest:
        jobs = [json.loads(line, strict=False) for line in manifest
                if line.strip()]
    for job in jobs:
        try:
            ctx = context(job["kind"], job["name"], job["version"],
                          job["abis"], job["flags_header"],
                          job.get("metadata"), job.get("trusted_keys", ()),
                          job.get("requires", ()))
        except UsageError as error:
            errors.append("target %s: %s" % (job["target"], error))
            continue
        render.write_if_changed(job["output"], template.render(**ctx))
    if errors:
        raise UsageError("\n".join(errors))


def add_parser(subparsers):
    p = subparsers.add_parser(
        "fingerprint",
        help="write the C++ source that embeds a target's fingerprint")
    p.add_argument("--kind", required=True, choices=KINDS)
    p.add_argument("--name", required=True)
    p.add_argument("--version", default="")
    p.add_argument("--abi", action="append", default=[],
                   metavar="NAME=VERSION[:HASH]",
                   help="a host ABI, with its headers' hash (repeatable)")
    p.add_argument("--flags-header", required=True,
                   help="the per-configuration flags header to #include")
    p.add_argument("--templates", required=True, help="the templates folder")
    p.add_argument("--output", required=True)
    p.set_defaults(run=run)

    p = subparsers.add_parser(
        "fingerprints",
        help="write the fingerprint sources of many targets, listed in a "
             "manifest (one JSON object per line)")
    p.add_argument("--manifest", required=True)
    p.add_argument("--templates", required=True, help="the templates folder")
    p.set_defaults(run=run_manifest)
