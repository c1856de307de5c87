"""System checks of the core app: what a host site still has to configure, said in plain words."""

from pathlib import Path

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

from zhunru import conf


@checks.register()
def optional_features(app_configs, **kwargs):
    """A feature whose extra is not installed is off; say which extra switches it on."""
    from zhunru.settings import TWO_FACTOR_AVAILABLE

    if TWO_FACTOR_AVAILABLE:
        return []
    return [checks.Warning(
        _("两步验证已关闭：未安装 django-otp。"),
        hint=_("需要两步验证时安装 zhunru[2fa]（pip install \"zhunru[2fa]\"），"
             "并按 zhunru.settings 重新生成 INSTALLED_APPS 与 MIDDLEWARE。"),
        id="zhunru_cms.W001",
    )]


@checks.register()
def broker_default(app_configs, **kwargs):
    """The host set no DRAMATIQ_BROKER: background jobs use the in-process stub broker."""
    if "DRAMATIQ_BROKER" not in conf.APPLIED or getattr(settings, "REDIS_URL", ""):
        return []
    return [checks.Warning(
        _("未配置 DRAMATIQ_BROKER：后台任务（期限提醒、检索索引、信用信息推送）使用进程内消息代理，"
        "只有用 manage.py serve 启动时才会处理，进程重启后未处理的任务丢失。"),
        hint=_("生产环境设置 REDIS_URL（或 DRAMATIQ_BROKER = zhunru.settings.dramatiq_broker(REDIS_URL)），"
             "并另行运行 manage.py rundramatiq。"),
        id="zhunru_cms.W002",
    )]


@checks.register()
def redis_url(app_configs, **kwargs):
    """A REDIS_URL the Redis client refuses: background jobs fall back to the in-process broker."""
    url = getattr(settings, "REDIS_URL", "")
    if not url or conf.redis_url_is_valid(url):
        return []
    return [checks.Error(
        _("REDIS_URL 不是有效的 Redis 地址：{url!r}。后台任务暂用进程内消息代理。").format(url=url),
        hint=_("写成 redis://主机:端口/库号（或 rediss://、unix://），例如 redis://127.0.0.1:6379/0。"),
        id="zhunru_cms.E003",
    )]


@checks.register()
def upload_max_bytes(app_configs, **kwargs):
    value = conf.get("UPLOAD_MAX_BYTES")
    if value == conf.upload_max_bytes():
        return []
    return [checks.Error(
        _("ZHUNRU_UPLOAD_MAX_BYTES 应为正整数（字节数），当前为 {value!r}；暂按默认 {upload_max_bytes} 字节限制。").format(value=value, upload_max_bytes=conf.upload_max_bytes()),
        hint=_("例如 ZHUNRU_UPLOAD_MAX_BYTES = 20 * 1024 * 1024（20 MB）。"),
        id="zhunru_cms.E004",
    )]


@checks.register(checks.Tags.security)
def trusted_proxies(app_configs, **kwargs):
    """Forwarded headers are believed only from configured proxies (zhunru.proxies)."""
    from zhunru import proxies

    messages = []
    if proxies.invalid_entries():
        messages.append(checks.Error(
            _("ZHUNRU_TRUSTED_PROXIES 中有无效的地址：{value}（已忽略）。").format(value='、'.join(proxies.invalid_entries())),
            hint=_("写成 IP 地址或网段，例如 [\"172.28.0.2\", \"10.0.0.0/8\"]。"),
            id="zhunru_cms.E005",
        ))
    if not proxies.trusted_networks() and int(getattr(settings, "ZHUNRU_PROXY_COUNT", 0) or 0) > 0:
        messages.append(checks.Warning(
            _("设置了 ZHUNRU_PROXY_COUNT 但未设置 ZHUNRU_TRUSTED_PROXIES：任何直接访问本应用的客户端都可以"
            "伪造 X-Forwarded-For，绕过登录限制和访问频率限制。"),
            hint=_("把反向代理的地址或网段写入 ZHUNRU_TRUSTED_PROXIES（此时不再需要 ZHUNRU_PROXY_COUNT），"
                 "并只对外发布反向代理的端口。"),
            id="zhunru_cms.W003",
        ))
    return messages


@checks.register(checks.Tags.security)
def private_media_root(app_configs, **kwargs):
    """Private files (evidence, complaint attachments) must not lie where the web server serves MEDIA_ROOT."""
    private = conf.get("PRIVATE_MEDIA_ROOT")
    try:
        private = Path(private).resolve()
    except TypeError:
        return [checks.Error(
            _("ZHUNRU_PRIVATE_MEDIA_ROOT 应为目录路径，当前为 {private!r}。").format(private=private),
            hint=_("设为 MEDIA_ROOT 之外的目录，或删去该设置以使用 VAR_DIR/private。"),
            id="zhunru_cms.E001",
        )]
    media = getattr(settings, "MEDIA_ROOT", "")
    if media and (private == Path(media).resolve() or Path(media).resolve() in private.parents):
        return [checks.Error(
            _("ZHUNRU_PRIVATE_MEDIA_ROOT 位于 MEDIA_ROOT 之内：证据材料和投诉附件将可被公开访问。"),
            hint=_("设为 MEDIA_ROOT 之外的目录。"),
            id="zhunru_cms.E002",
        )]
    return []


@checks.register(checks.Tags.database)
def approvers_in_their_own_office(app_configs, databases=None, **kwargs):
    """Warn about extension approvers who belong only to jurisdictions with no jurisdiction under them.

    The notices have the higher-level office approve extensions (section 十二(三)), and ``Lead.approve_extension``
    accepts only approvers of a jurisdiction above the lead's. Installations from before 0.2 made each
    jurisdiction's approver a member of its own office: such an account now approves nothing. Runs with every
    ``migrate`` and ``check --database default``."""
    if not databases:
        return []
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    from zhunru import roles
    from zhunru.models import Jurisdiction

    try:
        above = set(Jurisdiction.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))
        approvers = (get_user_model().objects.filter(is_active=True, is_superuser=False,
                                                     groups__name=roles.EXTENSION_APPROVER)
                     .distinct().order_by("username").prefetch_related("department_memberships__department__jurisdiction"))
        found = []
        for user in approvers[:500]:
            own = {m.department.jurisdiction for m in user.department_memberships.all()}
            if own and not any(j.pk in above for j in own):
                found.append(_("{username}（{jurisdictions}）").format(
                    username=user.get_username(), jurisdictions="、".join(sorted(j.name for j in own))))
    except DatabaseError:  # before the first migrate
        return []
    if not found:
        return []
    return [checks.Warning(
        _("以下延期审批账号只是没有下级辖区的辖区的成员，不能审批任何延期申请（延期由上级发展改革部门审批）：{accounts}。"
          ).format(accounts="；".join(found[:20]) + ("……" if len(found) > 20 else "")),
        hint=_("用 manage.py add_jurisdiction 建立上级辖区（或在“辖区设置”中选择上级辖区），把这些账号改为上级辖区"
               "发改委部门的成员，并从本辖区的部门中移出。"),
        id="zhunru_cms.W004",
    )]
