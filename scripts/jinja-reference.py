#!/usr/bin/env python3
"""Renders chat templates exactly as Hugging Face transformers does (the reference for the TS renderers).

Same environment as transformers' chat_template_utils._compile_jinja_template: an
ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and loopcontrols, its own
`tojson` (json.dumps, ensure_ascii=False by default, no HTML escaping), `raise_exception`
and `strftime_now`; then `template.render(**context)` as apply_chat_template calls it.
(transformers' AssistantTracker extension only handles {% generation %}, which the
MiniMax templates do not use.)

stdin:  {"template": "<jinja source>", "contexts": [{...}, ...]}
stdout: [{"ok": true, "text": "..."} | {"ok": false, "error": "..."}, ...]  (one per context)
"""
import json
import sys
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


def compile_template(source):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


def main():
    request = json.load(sys.stdin)
    template = compile_template(request["template"])
    results = []
    for context in request["contexts"]:
        try:
            results.append({"ok": True, "text": template.render(**context)})
        except Exception as error:  # every failure is data for the caller
            results.append({"ok": False, "error": f"{type(error).__name__}: {error}"})
    # ASCII transport: a lone surrogate in a result survives as an escape.
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
