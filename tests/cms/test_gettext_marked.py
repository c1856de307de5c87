"""Every Chinese string literal in cms/, search/ and workers/ is marked for gettext, or is data listed here.

The project's user-facing strings are Simplified Chinese and go through gettext (``_()`` / ``gettext_lazy``),
so an installation can reword them in its own catalogue. This test parses every module (migrations excluded)
with ``ast`` and lists file:line of each Chinese literal that is neither an argument of a gettext function
nor in a position where it is data by construction (see ``data_position``), nor in ``ALLOWED``.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("cms", "search", "workers")
HAN = re.compile(r"[\u4e00-\u9fff]")

# The gettext family, under the names our modules import them as.
GETTEXT = {
    "_", "gettext", "gettext_lazy", "_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
    "npgettext", "npgettext_lazy", "gettext_noop", "format_lazy",
}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
STR_METHODS = {
    "startswith", "endswith", "split", "rsplit", "replace", "strip", "lstrip", "rstrip", "find", "rfind",
    "index", "rindex", "count", "removeprefix", "removesuffix", "partition", "rpartition",
}
LOOKUP_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q"}

# Chinese literals that stay literals, with the reason. A key is a module ("cms/demo.py"), a folder ending in
# "/" or a module and a dotted name inside it ("cms/clock.py::DATE_FORMAT", "mod.py::Class.method").
ALLOWED = {
    # Demo content and seed data: what the demo loads is data (page bodies, names, records), not interface.
    "cms/demo.py": "demo content",
    "cms/demo_accounts.py": "demo accounts' names and departments (data loaded by load_demo)",
    "cms/cases/demo.py": "demo content",
    "cms/catalog/demo.py": "demo content",
    "cms/credit/demo.py": "demo content",
    "cms/leads/demo.py": "demo content",
    "cms/portal/demo.py": "demo content",
    "search/demo.py": "demo content",
    "cms/fixtures/": "fixture data",
    # Text analysis and matching: the words are what is matched, not what is shown.
    "search/analysis.py": "Chinese segmentation: stop words, particles and suffixes matched against text",
    "search/synonyms.py": "synonym groups matched against queries and documents",
    "cms/catalog/screening.py::SEED_RULES": "screening phrases and regexes matched against policy text, seeded into "
                                            "the screening rule table (the explanation is stored with each rule)",
    # External formats and stored values.
    "cms/credit/layouts.py": "field names of the national 双公示 / credit exchange layouts (an external format)",
    "cms/clock.py::DATETIME_FORMAT": "Django date-format pattern (a lazy string breaks dateformat's regex)",
    "cms/clock.py::DATE_FORMAT": "Django date-format pattern",
    "cms/cases/conf.py::DEFAULTS": "document-number patterns: settings defaults stored into register numbers",
    "cms/cases/workflow.py::WORKFLOW_NAME": "name of the Wagtail workflow row, looked up by name",
    "cms/cases/workflow.py::LEGAL_TASK_NAME": "name of the Wagtail task row, looked up by name",
    "cms/cases/workflow.py::APPROVAL_TASK_NAME": "name of the Wagtail task row, looked up by name",
    "cms/catalog/importers.py::COLUMNS": "column headers of the national list format, matched against the file",
    "cms/catalog/importers.py::OPTIONAL_COLUMNS": "column headers of the national list format, matched against the file",
    "cms/roles.py": "names of the role groups (Wagtail Group rows, created and looked up by name)",
}

# Modules left unmarked for a while (being edited in another change), each with the reason. Empty now.
NOT_YET_MARKED: dict[str, str] = {
}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _receiver(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return ast.unparse(func.value)
    return ""


def _has_han(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(HAN.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_has_han(v) for v in node.values if isinstance(v, ast.Constant))
    return False


class _Checker:
    def __init__(self, tree: ast.Module):
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def qualname(self, node: ast.AST) -> str:
        names = []
        p = self.parents.get(node)
        child = node
        while p is not None:
            if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(p.name)
            elif isinstance(p, ast.Module):
                if isinstance(child, ast.Assign):
                    names.append(".".join(ast.unparse(t) for t in child.targets))
                elif isinstance(child, ast.AnnAssign):
                    names.append(ast.unparse(child.target))
            child, p = p, self.parents.get(p)
        return ".".join(reversed(names))

    def marked(self, node: ast.AST) -> bool:
        """The literal is an argument of a gettext call (the nearest call around it)."""
        child, p = node, self.parents.get(node)
        while p is not None and not isinstance(p, ast.Call):
            if isinstance(p, ast.stmt):
                return False
            child, p = p, self.parents.get(p)
        return p is not None and child is not p.func and _name(p.func) in GETTEXT

    def in_choices_class(self, node: ast.AST) -> bool:
        p = self.parents.get(node)
        while p is not None and not isinstance(p, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            p = self.parents.get(p)
        return isinstance(p, ast.ClassDef) and any(ast.unparse(b).endswith("Choices") for b in p.bases)

    def data_position(self, node: ast.AST) -> str | None:
        """Why a literal in this position is data (compared, looked up, matched, logged, stored), or None."""
        p = self.parents.get(node)
        if isinstance(p, ast.Expr):
            return "docstring"
        if isinstance(p, ast.Compare):
            return "compared"
        if isinstance(p, (ast.Tuple, ast.List, ast.Set)):
            container, cp = p, self.parents.get(p)
            if isinstance(cp, ast.Compare) and container is not cp.left:
                return "compared"
            if container.elts and container.elts[0] is node and isinstance(container, ast.Tuple):
                # ("value", "label") in a choices list, or NAME = "value", "label" in a Choices class
                up = self.parents.get(cp) if isinstance(cp, (ast.List, ast.Tuple)) else cp
                if isinstance(up, ast.keyword) and up.arg == "choices":
                    return "choice value"
                if isinstance(up, (ast.Assign, ast.AnnAssign)) and "CHOICES" in ast.unparse(
                        up.targets[0] if isinstance(up, ast.Assign) else up.target).upper():
                    return "choice value"
                if isinstance(cp, ast.Assign) and self.in_choices_class(cp):
                    return "choice value"
        if isinstance(p, ast.Assign) and self.in_choices_class(p):
            return "choice value"
        if isinstance(p, ast.Subscript) and p.slice is node:
            return "subscript"
        if isinstance(p, ast.Dict) and node in p.keys:
            return "dict key"
        if isinstance(p, (ast.MatchValue, ast.arg)) or (isinstance(p, ast.AnnAssign) and p.annotation is node):
            return "pattern"
        kw = p if isinstance(p, ast.keyword) else None
        call = self.parents.get(p) if kw else p
        if kw and (kw.arg in ("default", "db_default") or (kw.arg and "__" in kw.arg)):
            return "stored default or lookup"
        if isinstance(call, ast.Call) and call.func is not node:
            name, receiver = _name(call.func), _receiver(call.func)
            if name in LOG_METHODS and "log" in receiver.lower():
                return "log message (for operators)"
            if receiver in ("re", "regex"):
                return "regex"
            if name in STR_METHODS and receiver:
                return "string matching"
            if name in LOOKUP_METHODS:
                return "lookup"
            if name in ("get", "pop", "setdefault") and call.args and call.args[0] is node:
                return "key"
            if name in ("getattr", "hasattr", "setattr", "isinstance"):
                return "attribute"
        return None

    def unmarked(self, tree: ast.Module) -> list[tuple[int, str, str]]:
        found = []
        in_fstring = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Constant, ast.JoinedStr)) or not _has_han(node):
                continue
            if id(node) in in_fstring:
                continue  # judged with its f-string
            if self.marked(node) or self.data_position(node):
                continue
            found.append((node.lineno, self.qualname(node), ast.unparse(node)[:60]))
        return found


def _allowed(rel: str, qualname: str, allowed: dict) -> bool:
    for key in allowed:
        module, _, scope = key.partition("::")
        if module.endswith("/") and rel.startswith(module) and not scope:
            return True
        if module == rel and (not scope or qualname == scope or qualname.startswith(scope + ".")):
            return True
    return False


def unmarked_literals(source: str, rel: str, allowed: dict) -> list[str]:
    """file:line and text of each unmarked Chinese literal in ``source`` that is not data."""
    tree = ast.parse(source)
    return [f"{rel}:{line} {text}" for line, qualname, text in _Checker(tree).unmarked(tree)
            if not _allowed(rel, qualname, allowed)]


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel:
                yield rel, path


def test_every_chinese_literal_is_marked_for_gettext_or_allowed_as_data():
    problems = []
    for rel, path in _modules():
        problems += unmarked_literals(path.read_text(encoding="utf-8"), rel, {**ALLOWED, **NOT_YET_MARKED})
    assert not problems, "Chinese literals not marked for gettext (wrap in _() / gettext_lazy, or list as " \
                         "data in ALLOWED with the reason):\n" + "\n".join(problems)


def test_the_allow_list_names_existing_modules():
    for key in {**ALLOWED, **NOT_YET_MARKED}:
        module = key.partition("::")[0]
        assert (ROOT / module).exists(), key


CHECKED = '''
from django.utils.translation import gettext as _, gettext_lazy
import logging
logger = logging.getLogger(__name__)

class Status(models.TextChoices):
    OPEN = "open", gettext_lazy("待办")
    LEGACY = "旧值", gettext_lazy("旧值")

TITLE = gettext_lazy("线索")
SEED = ["本地注册"]

def view(request, lead):
    """文档字符串。"""
    logger.warning("推送失败 %s", lead.pk)
    if lead.title == "测试":
        row = {"名称": lead.title}
        return row["名称"], Lead.objects.filter(title="测试"), lead.title.startswith("关于")
    messages.success(request, _("线索“{title}”已保存。").format(title=lead.title))
    messages.error(request, f"线索“{lead.title}”保存失败。")
    raise ValidationError("不能为空。")
'''


def test_the_checker_finds_a_new_unmarked_literal_and_passes_marked_and_data_ones():
    found = unmarked_literals(CHECKED, "cms/example.py", {"cms/example.py::SEED": "matched words"})
    assert [line.split(" ", 1)[0] for line in found] == ["cms/example.py:20", "cms/example.py:21"]
    assert "线索“{lead.title}”保存失败。" in found[0] and "不能为空。" in found[1]
    # without its allow-list entry the seed list is reported too
    assert "cms/example.py:11 ['本地注册']" not in found
    assert any(line.startswith("cms/example.py:11 ") for line in unmarked_literals(CHECKED, "cms/example.py", {}))
