"""A static check of the code the gateway runs: the unsafe library settings of RELIABILITY.md never
come back. It reads `gateway/`, `transforms/` and `bench/` as Python syntax trees and fails on:

- paramiko's `AutoAddPolicy` / `WarningPolicy` (an unknown host key must be refused);
- an lxml `XMLParser` that resolves entities, loads a DTD, reaches the network or lifts the size
  limits, or a parse call (`fromstring`, `parse`, `XML`, `iterparse`) without an explicit parser;
- `yaml.load` / `yaml.load_all` / `yaml.unsafe_load` / `yaml.full_load` (only `safe_load`, or an
  explicit `SafeLoader`);
- shell commands: `os.system`, `os.popen`, `subprocess.*(..., shell=True)`, `eval`/`exec`;
- an SSH login (`.connect(..., username=...)`) without `allow_agent=False` and
  `look_for_keys=False`, or `Transport.connect(hostkey=None)`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKED = ("gateway", "transforms", "bench")

SAFE_PARSER_SETTINGS = {"resolve_entities": False, "no_network": True}
FORBIDDEN_PARSER_SETTINGS = {"load_dtd": True, "huge_tree": True, "dtd_validation": True}
LXML_PARSE_CALLS = {"fromstring", "parse", "XML", "iterparse", "fromstringlist"}
UNSAFE_YAML = {"load", "load_all", "unsafe_load", "full_load", "unsafe_load_all", "full_load_all"}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _const(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else ...


def findings(source: str, filename: str = "<src>") -> Iterator[str]:
    """Every unsafe construct in `source`, as 'line: what'."""
    tree = ast.parse(source, filename)
    safe_loaders = set(SAFE_YAML_LOADERS)
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        # a loader class of this module built on a safe one (e.g. a stricter SafeLoader)
        if any(_dotted(b).split(".")[-1] in safe_loaders for b in cls.bases):
            safe_loaders.add(cls.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in ("AutoAddPolicy", "WarningPolicy"):
                    yield f"{node.lineno}: paramiko {alias.name} accepts unknown host keys"
        if isinstance(node, ast.Attribute | ast.Name):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name in ("AutoAddPolicy", "WarningPolicy"):
                yield f"{node.lineno}: paramiko {name} accepts unknown host keys"
        if not isinstance(node, ast.Call):
            continue
        func = _dotted(node.func)
        last = func.rsplit(".", 1)[-1]
        if last == "XMLParser" or func.endswith("etree.XMLParser"):
            for key, required in SAFE_PARSER_SETTINGS.items():
                if _const(_kw(node, key)) is not required:
                    yield f"{node.lineno}: XMLParser without {key}={required}"
            for key, bad in FORBIDDEN_PARSER_SETTINGS.items():
                if _const(_kw(node, key)) is bad:
                    yield f"{node.lineno}: XMLParser with {key}={bad}"
        if ("etree." in func or func.startswith("lxml")) and last in LXML_PARSE_CALLS:
            has_parser = _kw(node, "parser") is not None or (
                last in ("fromstring", "parse", "XML") and len(node.args) >= 2
            )
            if not has_parser:
                yield f"{node.lineno}: {func}() without an explicit hardened parser"
        if func.startswith("yaml.") and last in UNSAFE_YAML:
            loader = _kw(node, "Loader")
            if loader is None and len(node.args) >= 2:
                loader = node.args[1]
            if (
                last != "load"
                or loader is None
                or _dotted(loader).split(".")[-1] not in (safe_loaders)
            ):
                yield f"{node.lineno}: {func}() can build arbitrary objects; use yaml.safe_load"
        if last == "connect" and _kw(node, "username") is not None:
            # an SSH login (paramiko SSHClient.connect): only the key or password the profile
            # names, never whatever an agent or ~/.ssh happens to hold
            for key in ("allow_agent", "look_for_keys"):
                if _const(_kw(node, key)) is not False:
                    yield f"{node.lineno}: SSH connect without {key}=False"
        hostkey = _kw(node, "hostkey")
        if last == "connect" and hostkey is not None and _const(hostkey) is None:
            yield f"{node.lineno}: Transport.connect(hostkey=None) skips the host key check"
        if func in ("os.system", "os.popen", "eval", "exec"):
            yield f"{node.lineno}: {func}() runs a string"
        if func.startswith("subprocess.") and _const(_kw(node, "shell")) is True:
            yield f"{node.lineno}: {func}(shell=True) builds a shell command from a string"


def _python_files() -> list[Path]:
    return sorted(
        p for d in CHECKED for p in (REPO / d).rglob("*.py") if "__pycache__" not in p.parts
    )


def test_the_running_code_uses_no_unsafe_setting() -> None:
    problems = [
        f"{p.relative_to(REPO)}:{f}"
        for p in _python_files()
        for f in findings(p.read_text(), str(p))
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        "import paramiko\nc.set_missing_host_key_policy(paramiko.AutoAddPolicy())",
        "from paramiko import WarningPolicy",
        "etree.XMLParser(no_network=True)",
        "etree.XMLParser(resolve_entities=False, no_network=False)",
        "etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)",
        "etree.fromstring(data)",
        "lxml.etree.parse(path)",
        "yaml.load(text)",
        "yaml.load(text, Loader=yaml.Loader)",
        "yaml.full_load(text)",
        "os.system('ls ' + name)",
        "subprocess.run(cmd, shell=True)",
        "eval(expr)",
        "client.connect(host, username=user, pkey=key)",
        "client.connect(host, username=user, pkey=key, allow_agent=False)",
        "client.connect(host, username=u, allow_agent=False, look_for_keys=True)",
        "transport.connect(hostkey=None, username=u, pkey=k)",
    ],
)
def test_each_unsafe_form_is_caught(source: str) -> None:
    assert list(findings(source)), source


@pytest.mark.parametrize(
    "source",
    [
        "c.set_missing_host_key_policy(paramiko.RejectPolicy())",
        "etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)",
        "etree.fromstring(data, hardened_parser())",
        "etree.parse(str(p), parser=hardened_parser())",
        "yaml.safe_load(text)",
        "yaml.load(text, Loader=yaml.SafeLoader)",
        "class Strict(yaml.SafeLoader): pass\nyaml.load(text, Loader=Strict)",
        "subprocess.run(['tar', '-x'], check=True)",
        "client.connect(h, username=u, pkey=k, allow_agent=False, look_for_keys=False)",
        "sock.connect((host, port))",
        "sqlite3.connect(path)",
    ],
)
def test_safe_forms_pass(source: str) -> None:
    assert list(findings(source)) == [], source
