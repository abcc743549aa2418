"""Sediment's configuration for the fixture world, from the description's "config"."""

import json


def substitute(value, variables):
    """`value` with every {name} of `variables` replaced; a string that is a whole {name}
    takes the variable's JSON value (a number or a boolean stays one)."""
    if isinstance(value, str):
        for name, replacement in variables.items():
            if value == "{%s}" % name and not isinstance(replacement, str):
                return replacement
            value = value.replace("{%s}" % name, str(replacement))
        return value
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def render(config, variables):
    """The TOML text of `config` ({"storage": {...}, "daemon": ..., "hubs": [...],
    "rewrites": [...]}, every table optional but hubs) after substitution; a key whose
    value is null (a variable set to null) is left out, and so is a table left empty."""
    config = substitute(config, variables)
    for table in ("storage", "daemon", "http", "limits", "security"):
        if table in config:
            config[table] = {k: v for k, v in config[table].items() if v is not None}
            if not config[table]:
                del config[table]
    for array in ("hubs", "rewrites"):
        config[array] = [{k: v for k, v in e.items() if v is not None} for e in config.get(array, [])]
    lines = ["# Sediment configuration of a fixture world; every server is on 127.0.0.1."]
    for table in ("storage", "daemon", "http", "limits", "security"):
        if table in config:
            lines += ["", "[%s]" % table] + ["%s = %s" % (k, toml_value(v)) for k, v in config[table].items()]
    for array, key in (("hubs", "hub"), ("rewrites", "rewrite")):
        for entry in config.get(array, []):
            lines += ["", "[[%s]]" % key] + ["%s = %s" % (k, toml_value(v)) for k, v in entry.items()]
    return "\n".join(lines) + "\n"
