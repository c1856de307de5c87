"""Wagtail's own interface strings that our zh_Hans catalogue (cms/locale) translates.

Wagtail 8's zh_Hans catalogue leaves these untranslated. They are marked here, never imported or called, only
so that ``manage.py makemessages`` keeps their entries in cms/locale/zh_Hans/LC_MESSAGES/django.po (an entry
no source marks would become obsolete and drop out of the compiled catalogue).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_STRINGS = (
    gettext_noop("Sort by '%(label)s' in ascending order."),
    gettext_noop("Sort by '%(label)s' in descending order."),
    gettext_noop("New: %(model_name)s"),
    gettext_noop("Go to the first error"),
    ngettext_lazy(
        "This %(model_name)s is referenced %(usage_count)s time.",
        "This %(model_name)s is referenced %(usage_count)s times.",
        "usage_count",
    ),
    gettext_noop("One or more references to this %(model_name)s prevent it from being deleted."),
    gettext_noop("item"),
    gettext_noop("items"),
    gettext_noop("(Private %(object)s)"),
)
