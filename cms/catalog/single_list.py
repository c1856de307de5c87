"""单外无单 (no list outside the list): a government service item sits only under list items of the current
edition whose type permits access. A 禁止准入类 item admits no application, and an item of another edition is
no basis any more.

Enforced where links are made, whatever makes them (admin form, imports, the API, the shell): a
``m2m_changed`` guard on ``ServiceItem.list_items`` refuses the link with a Chinese ValidationError naming the
item. An edition change flags and suspends the service items that become inconsistent (the edition diff's
review flags, ``ListEdition.activate``), and a flagged item resumes only under a current permitted item
(``ServiceItem.review``).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def prohibited_message(item) -> str:
    return _("政务服务事项不能列在禁止准入类事项「{code} {name}」下：对禁止准入事项，市场主体不得进入，"
            "行政机关不予审批、核准，不得办理有关手续（一单尽列、单外无单）。请改选许可准入类事项。").format(code=item.code, name=item.name)


def not_current_message(item, current) -> str:
    if current is None:
        return _("尚无现行的负面清单版本，不能将政务服务事项列在「{code} {name}」下"
                "（一单尽列、单外无单）。请先启用负面清单版本。").format(code=item.code, name=item.name)
    return _("清单事项「{code} {name}」属于{name2}，不是现行版本{name3}中的事项"
            "（一单尽列、单外无单）。请改选现行版本中的许可准入类事项。").format(code=item.code, name=item.name, name2=item.edition.name, name3=current.name)


def current_edition():
    from zhunru.catalog.models import ListEdition

    return ListEdition.objects.filter(is_active=True).first()


def check_list_items(items, current=...) -> None:
    """Raise a Chinese ValidationError naming the first item a service item may not sit under."""
    from zhunru.catalog.models import ListItem

    items = list(items or ())
    if not items:
        return
    if current is ...:
        current = current_edition()
    for item in items:
        if item.kind == ListItem.PROHIBITED:
            raise ValidationError(prohibited_message(item))
    for item in items:
        if current is None or item.edition_id != current.pk:
            raise ValidationError(not_current_message(item, current))


def may_accept(service, current=...) -> str:
    """Why ``service`` may not accept applications under its list items ("" when it may). A service item
    without list items is not a market-access approval and is left alone."""
    from zhunru.catalog.models import ListItem

    links = list(service.list_items.select_related("edition"))
    if not links:
        return ""
    if current is ...:
        current = current_edition()
    for item in links:
        if item.kind == ListItem.PROHIBITED and current is not None and item.edition_id == current.pk:
            return prohibited_message(item)
    if not any(i.edition_id == getattr(current, "pk", None) and i.kind == ListItem.PERMITTED for i in links):
        return _("该事项没有列在现行负面清单版本的许可准入类事项下，不能受理（一单尽列、单外无单）。"
                "请先在事项中改选现行版本的许可准入类事项，再恢复受理。")
    return ""


def guard_links(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """``m2m_changed`` on ServiceItem.list_items: refuse a link to a 禁止准入类 or non-current item."""
    if action != "pre_add" or not pk_set:
        return
    from zhunru.catalog.models import ListItem

    if reverse:  # item.service_items.add(service): the item is the instance
        check_list_items([instance])
    else:
        check_list_items(ListItem.objects.filter(pk__in=pk_set).select_related("edition").order_by("pk"))


def became_prohibited_reason(old, new, edition) -> str:
    if old.kind == new.kind:  # a link made before 单外无单 was enforced, found by the edition change
        return _("依据事项「{code} {name}」在{name2}中为禁止准入类，"
                "按“单外无单”停止受理，请复核").format(code=new.code, name=new.name, name2=edition.name)
    return _("依据事项「{code} {name}」在{name2}中调整为禁止准入类「{code2} {name3}」，"
            "按“单外无单”停止受理，请复核").format(code=old.code, name=old.name, name2=edition.name, code2=new.code, name3=new.name)
