"""Every Chinese text in our templates goes through gettext, so an installation can reword it.

Our templates' text is Simplified Chinese written as the msgid itself: in zh-hans it renders unchanged, and a
catalogue (``LOCALE_PATHS`` or an app's ``locale/``) can replace any of it. The check strips what is marked —
``{% translate %}``/``{% trans %}`` tags, ``{% blocktranslate %}…{% endblocktranslate %}`` blocks, ``_("…")``
literals in filter arguments and tag options — and the comments (``{# #}``, ``{% comment %}``), and fails
naming file:line for any Chinese character left.
"""

import re
from pathlib import Path

from django.apps import apps

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
TEMPLATE_SUFFIXES = (".html", ".txt", ".xml")
MARKED = re.compile(
    r"{#.*?#}"
    r"|{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}"
    r"|{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{%\s*trans(?:late)?\s.*?%}"
    r"|\b_\(\s*(?:\"[^\"]*\"|'[^']*')\s*\)",
    re.DOTALL,
)


def untranslated_lines(source: str) -> list[int]:
    """Line numbers (from 1) where Chinese text is left once marked text and comments are removed."""
    # Blank out every marked span but keep its newlines, so line numbers stay those of the file.
    stripped = MARKED.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source)
    return [n for n, line in enumerate(stripped.splitlines(), start=1) if HAN.search(line)]


def plugin_templates() -> list[Path]:
    """The template files of every installed Zhunru app."""
    files = []
    for app in apps.get_app_configs():
        if app.name.split(".")[0] != "zhunru":
            continue
        folder = Path(app.path) / "templates"
        files += [p for p in folder.rglob("*") if p.is_file() and p.suffix in TEMPLATE_SUFFIXES]
    return sorted(set(files))


def test_checker_finds_untranslated_text():
    source = "\n".join([
        '{% load i18n %}<h1>{% translate "检索" %}</h1>',                                  # 1 marked
        "<p>未注明</p>",                                                                   # 2 text
        '<input placeholder="检索词">',                                                   # 3 attribute
        '{{ value|default:"未注明" }}',                                                    # 4 filter literal
        '{{ value|default:_("未注明") }} {% trans "好" %}',                                # 5 marked
        "{% blocktranslate trimmed with n=total %}",                                     # 6 marked block …
        "共 {{ n }} 项",                                                                  # 7
        "{% endblocktranslate %}{# 注释 #}",                                              # 8 … and comment
        "{% comment %}",                                                                  # 9 comment …
        "中文说明",                                                                        # 10
        "{% endcomment %}<p>{% translate '已办结' %}，共</p>",                              # 11 text after a tag
    ])
    assert untranslated_lines(source) == [2, 3, 4, 11]


def test_plugin_templates_are_found():
    names = {p.name for p in plugin_templates()}
    assert {"base.html", "service_item.html", "timeline.html", "backlog.html"} <= names


def test_every_chinese_text_in_templates_is_translated():
    left = []
    for path in plugin_templates():
        for line in untranslated_lines(path.read_text(encoding="utf-8")):
            left.append(f"{path}:{line}")
    assert not left, "Chinese text not marked for translation:\n" + "\n".join(left)
