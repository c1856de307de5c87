"""System checks for ZHUNRU_SEARCH (misconfiguration is reported at startup, not at the first query)."""

from django.core.checks import Error, Warning, register
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zhunru.search import conf


def fts5_available() -> bool:
    """Whether Python's sqlite3 was built with FTS5 (the SQLite fallback backend needs it)."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


@register()
def check_search_settings(app_configs=None, **kwargs):
    params = conf.search_settings()
    issues = [Error(problem, hint=_("见 README「Configuration」中的 ZHUNRU_SEARCH。"), id="zhunru_search.E004")
              for problem in conf.problems()]
    if conf.unknown_keys():
        issues.append(Warning(_("ZHUNRU_SEARCH 含有未知的键：{value}，不起作用。").format(value='、'.join(conf.unknown_keys())),
                              hint=_("可用的键：{value}。").format(value='、'.join([*conf.DEFAULTS, *conf.OPTIONAL_KEYS])),
                              id="zhunru_search.W003"))
    try:
        backend = import_string(params["BACKEND"])
    except ImportError as exc:
        return [*issues, Error(_("ZHUNRU_SEARCH['BACKEND'] 无法导入：{exc}").format(exc=exc), id="zhunru_search.E001")]
    from zhunru.search.backends import missing_library

    package = missing_library(backend)
    if package:
        issues.append(Warning(
            _("已配置检索后端 {value}，但未安装它需要的 Python 包“{package}”；检索暂由嵌入式索引提供。").format(value=params['BACKEND'], package=package),
            hint=_("安装 zhunru[es]（pip install 'zhunru[es]'），或删除 ZHUNRU_SEARCH['BACKEND'] 设置。"),
            id="zhunru_search.W002"))
    if getattr(backend, "name", "") == "elasticsearch" and not params.get("URL"):
        issues.append(Error(_("使用 Elasticsearch 检索后端时必须设置 ZHUNRU_SEARCH['URL']（ELASTICSEARCH_URL）。"),
                            id="zhunru_search.E002"))
    if getattr(backend, "name", "") == "sqlite_fts" and not fts5_available():
        issues.append(Error(_("此 Python 的 SQLite 未编译 FTS5，无法使用 SQLite 全文检索后备后端；请改用默认的嵌入式后端。"),
                            id="zhunru_search.E003"))
    if params.get("SEGMENTATION"):
        from zhunru.search.analysis import segmentation_available

        if not segmentation_available():
            issues.append(Warning(
                _("已开启分词（ZHUNRU_SEARCH['SEGMENTATION']），但未安装 rjieba：检索按未开启分词运行。"),
                hint=_("安装 zhunru[words]（pip install 'zhunru[words]'），然后运行 manage.py rebuild_search_index。"),
                id="zhunru_search.W004"))
    if int(params.get("MAX_QUERY_LENGTH", 0)) < 10:
        issues.append(Warning(_("ZHUNRU_SEARCH['MAX_QUERY_LENGTH'] 过小，检索词会被拒绝。"), id="zhunru_search.W001"))
    return issues
