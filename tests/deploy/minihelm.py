# SPDX-License-Identifier: Apache-2.0
# A deliberately small renderer for the subset of Go templates and Helm
# functions that deploy/helm's templates use, because helm itself is not
# available here.  It is NOT Helm: it exists so tests can parse, lint and
# dry-run-apply the rendered chart.  Anything outside the subset raises
# Unsupported, which keeps the templates simple.  Supported: text/action
# split with {{- -}} trimming, comments, define/include, if/else/end,
# with/else/end, $x := assignment, pipelines, string and integer literals,
# field paths on . and $, .Files.Get, .Capabilities.APIVersions.Has (against
# the api_versions given, as "helm template --api-versions" does), and the
# functions default, trunc,
# trimSuffix, contains, printf, quote, nindent, indent, toYaml, not.
import os
import re

import yaml


class Unsupported(Exception):
    pass


TOKEN = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)


def _lex(src):
    """List of ("text", s) and ("act", s) with trim markers applied."""
    out, pos = [], 0
    for m in TOKEN.finditer(src):
        text = src[pos:m.start()]
        if m.group(1):
            text = text.rstrip(" \t\r\n")
        out.append(["text", text])
        body = m.group(2).strip()
        out.append(["act", body, bool(m.group(3))])
        pos = m.end()
    out.append(["text", src[pos:]])
    # Apply right-trims to the following text.
    for i, tok in enumerate(out):
        if tok[0] == "act" and tok[2] and i + 1 < len(out):
            out[i + 1][1] = out[i + 1][1].lstrip(" \t\r\n")
    return [(t[0], t[1]) for t in out]


def _parse(tokens, i=0, stop=("end",)):
    """Tree of nodes until one of stop; returns (nodes, index, stopword)."""
    nodes = []
    while i < len(tokens):
        kind, s = tokens[i]
        i += 1
        if kind == "text":
            if s:
                nodes.append(("text", s))
            continue
        if s.startswith("/*"):
            if not s.endswith("*/"):
                raise Unsupported("comment: " + s)
            continue
        word = s.split(None, 1)[0] if s else ""
        rest = s[len(word):].strip()
        if word in stop:
            return nodes, i, word
        if word in ("if", "with"):
            body, i, w = _parse(tokens, i, ("else", "end"))
            other = []
            if w == "else":
                other, i, w = _parse(tokens, i, ("end",))
            nodes.append((word, rest, body, other))
        elif word == "define":
            body, i, _ = _parse(tokens, i, ("end",))
            nodes.append(("define", _string(rest), body))
        elif word in ("range", "template", "block", "else", "end", "break", "continue"):
            raise Unsupported("action: " + s)
        else:
            nodes.append(("action", s))
    if stop != ("__eof__",):
        raise Unsupported("missing {{ end }}")
    return nodes, i, None


def _string(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':
        return bytes(s[1:-1], "utf-8").decode("unicode_escape")
    raise Unsupported("expected a string literal: " + s)


def _split_pipeline(s):
    parts, cur, q = [], "", False
    for ch in s:
        if ch == '"':
            q = not q
        if ch == "|" and not q:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def _words(s):
    return re.findall(r'"(?:[^"\\]|\\.)*"|\S+', s)


def truthy(v):
    """Go template truth: false, 0, nil and empty strings, lists and maps
    are false."""
    if isinstance(v, bool):
        return v
    if v is None:
        return False
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, (str, list, dict)):
        return len(v) > 0
    return True


def gostr(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (dict, list)):
        raise Unsupported("printing a map or list needs toYaml")
    return str(v)


class Chart:
    def __init__(self, path, values=None, release="egressip-ipam-operator",
                 namespace="egressip-ipam-operator", api_versions=()):
        self.path = path
        self.api_versions = set(api_versions)
        meta = yaml.safe_load(open(os.path.join(path, "Chart.yaml")))
        self.values = yaml.safe_load(open(os.path.join(path, "values.yaml"))) or {}
        for k, v in (values or {}).items():
            self.values[k] = v
        self.root = {
            "Values": self.values,
            "Chart": {"Name": meta["name"], "Version": meta["version"],
                      "AppVersion": meta.get("appVersion", "")},
            "Release": {"Name": release, "Namespace": namespace, "Service": "Helm"},
            "Files": None,
        }
        self.defines = {}
        self.templates = {}
        tdir = os.path.join(path, "templates")
        for f in sorted(os.listdir(tdir)):
            nodes, _, _ = _parse(_lex(open(os.path.join(tdir, f)).read()), 0, ("__eof__",))
            self.templates[f] = nodes
            self._collect(nodes)

    def _collect(self, nodes):
        for n in nodes:
            if n[0] == "define":
                self.defines[n[1]] = n[2]

    def render(self):
        """{template file: rendered text}, partials (_*.tpl) left out."""
        return {f: self._run(nodes, self.root, {"$": self.root})
                for f, nodes in self.templates.items() if not f.startswith("_")}

    def _run(self, nodes, dot, vars_):
        out = []
        for n in nodes:
            kind = n[0]
            if kind == "text":
                out.append(n[1])
            elif kind == "define":
                continue
            elif kind == "action":
                m = re.match(r"^(\$\w+)\s*:=\s*(.*)$", n[1], re.S)
                if m:
                    vars_[m.group(1)] = self._pipe(m.group(2), dot, vars_)
                else:
                    out.append(gostr(self._pipe(n[1], dot, vars_)))
            elif kind == "if":
                branch = n[2] if truthy(self._pipe(n[1], dot, vars_)) else n[3]
                out.append(self._run(branch, dot, vars_))
            elif kind == "with":
                v = self._pipe(n[1], dot, vars_)
                out.append(self._run(n[2], v, vars_) if truthy(v) else self._run(n[3], dot, vars_))
        return "".join(out)

    def _pipe(self, s, dot, vars_):
        val, first = None, True
        for cmd in _split_pipeline(s):
            args = _words(cmd)
            val = self._cmd(args, dot, vars_, None if first else (val,))
            first = False
        return val

    def _arg(self, w, dot, vars_):
        if w.startswith('"'):
            return _string(w)
        if re.fullmatch(r"-?\d+", w):
            return int(w)
        if w in ("true", "false"):
            return w == "true"
        if w == ".":
            return dot
        if w.startswith("$"):
            name, _, path = w.partition(".")
            return self._path(vars_[name], path)
        if w.startswith("."):
            return self._path(dot, w[1:])
        raise Unsupported("operand: " + w)

    def _path(self, v, path):
        for part in filter(None, path.split(".")):
            v = v.get(part) if isinstance(v, dict) else None
        return v

    def _cmd(self, args, dot, vars_, piped):
        head = args[0]
        if head == ".Capabilities.APIVersions.Has":
            return self._arg(args[1], dot, vars_) in self.api_versions
        if head == ".Files.Get":
            rel = self._arg(args[1], dot, vars_)
            return open(os.path.join(self.path, rel)).read()
        fn = FUNCS.get(head)
        if fn is None:
            if len(args) != 1 or piped:
                raise Unsupported("call of " + head)
            return self._arg(head, dot, vars_)
        vals = [self._arg(a, dot, vars_) for a in args[1:]] + list(piped or ())
        if head == "include":
            return self._run(self.defines[vals[0]], vals[1], {"$": self.root})
        return fn(*vals)


def _indent(n, s):
    pad = " " * n
    return pad + s.replace("\n", "\n" + pad)


def _toyaml(v):
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=True).rstrip("\n") \
        if v not in (None, {}, []) else ("{}" if v == {} else "[]" if v == [] else "null")


def _default(d, v=None):
    return v if truthy(v) else d


FUNCS = {
    "include": True,
    "default": _default,
    "trunc": lambda n, s: s[:n],
    "trimSuffix": lambda suf, s: s[:-len(suf)] if suf and s.endswith(suf) else s,
    "contains": lambda sub, s: sub in s,
    "printf": lambda fmt, *a: fmt % tuple(gostr(x) for x in a),
    "quote": lambda s: '"%s"' % gostr(s).replace("\\", "\\\\").replace('"', '\\"'),
    "nindent": lambda n, s: "\n" + _indent(n, s),
    "indent": _indent,
    "toYaml": _toyaml,
    "not": lambda v: not truthy(v),
}
