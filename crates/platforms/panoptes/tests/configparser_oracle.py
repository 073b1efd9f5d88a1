"""Oracle for the differential test: how Python's configparser reads INI files.

Usage: configparser_oracle.py FILE...   (or `-` to read JSON {"name": text} pairs on stdin)

Prints one JSON object per input: {"name", "error": null | {"class", "lines"},
"sections": {section: {option: raw value}}, "defaults": {...},
"interpolation": {"section/option": exception class name or null}}.

Files are read as yapsy does: `open()` in text mode (UTF-8, universal newlines) and
`ConfigParser().read_file`. Every option of every section is then read with `get`, as
Panoptes' `PanoptesPluginInfo.config` does, so interpolation errors show up.
"""

import configparser
import io
import json
import sys


def oracle(name, stream):
    parser = configparser.ConfigParser()
    result = {"name": name, "error": None, "sections": {}, "defaults": {}, "interpolation": {}}
    try:
        parser.read_file(stream, source=name)
    except configparser.ParsingError as e:
        # MissingSectionHeaderError is a ParsingError subclass with `lineno`.
        if isinstance(e, configparser.MissingSectionHeaderError):
            lines = [e.lineno]
        else:
            lines = [lineno for lineno, _ in e.errors]
        result["error"] = {"class": type(e).__name__, "lines": lines}
        return result
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError) as e:
        result["error"] = {"class": type(e).__name__, "lines": [e.lineno]}
        return result
    for section in parser.sections():
        result["sections"][section] = dict(parser._sections[section])
        for option in parser.options(section):
            key = section + "/" + option
            try:
                parser.get(section, option)
                result["interpolation"][key] = None
            except configparser.Error as e:
                result["interpolation"][key] = type(e).__name__
    result["defaults"] = dict(parser._defaults)
    return result


def main():
    out = []
    if sys.argv[1:] == ["-"]:
        inputs = json.load(sys.stdin)
        for name, text in inputs:
            # newline=None: the same universal newlines as a text-mode file.
            out.append(oracle(name, io.StringIO(text, newline=None)))
    else:
        for path in sys.argv[1:]:
            with open(path, encoding="utf-8") as stream:
                out.append(oracle(path, stream))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
