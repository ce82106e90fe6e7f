"""PreloadSDK's code generator: renders the Jinja2 templates in templates/.

Run as ``python3 -m preload_codegen <command> ...``; see ``--help``.
"""
