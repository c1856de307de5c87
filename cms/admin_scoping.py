"""Object-level scoping for every admin view of a snippet, not only its listing.

Wagtail's snippet viewsets apply ``get_queryset(request)`` to the index view only: the edit, delete,
inspect, history, usage, copy and revision views load any object by primary key. A
``ScopedSnippetViewSet`` gives each of those views a ``get_object`` that answers 404 unless the object
is in the viewset's ``get_queryset(request)`` (department scoping lives there), so a user can reach an
object only through the same query that lists it.
"""

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from zhunru.compat import PermissionPolicyViewSetMixin
from zhunru.scoped_forms import ScopedChoicesFormMixin
from zhunru.scoping import record_foreign_attempt, scope_choices

# Views that do not load one existing object.
UNSCOPED_VIEWS = {"index_view_class", "add_view_class", "reorder_view_class", "preview_on_add_view_class"}


class ScopedObjectMixin:
    scope_queryset = None  # set per viewset: a function of the request returning a queryset or None

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        queryset = self.scope_queryset(self.request) if self.scope_queryset else None
        if queryset is not None and obj is not None and not queryset.filter(pk=obj.pk).exists():
            record_foreign_attempt(self.request, type(obj), obj.pk)
            raise Http404(_("对象不存在或您无权访问。"))
        return obj


class EditableObjectMixin:
    """Edit and delete views of a model whose QuerySet has ``visible_to`` and ``editable_by`` (national rows
    everyone reads, a jurisdiction's own rows): an object the user may not see answers 404 (the attempt
    audited), one they may see but not change 403 with ``refusal``, before any form is shown or saved."""

    refusal = gettext_lazy("您无权修改该对象。")

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        model, user = type(obj), self.request.user
        if not model.objects.visible_to(user).filter(pk=obj.pk).exists():
            record_foreign_attempt(self.request, model, obj.pk)
            raise Http404(_("对象不存在或您无权访问。"))
        if not model.objects.editable_by(user).filter(pk=obj.pk).exists():
            raise PermissionDenied(self.refusal)
        return obj


class ScopedFiltersMixin:
    """A listing's filter facets (``list_filter`` on a foreign key) offer only what the user may see: never
    another jurisdiction's name, departments or records."""

    @cached_property
    def filters(self):
        if not self.filterset_class:
            return None
        filterset = self.filterset_class(**self.get_filterset_kwargs())
        for flt in filterset.filters.values():
            queryset = getattr(flt, "queryset", None)  # django-filters' ModelChoiceFilter keeps it here
            if isinstance(queryset, models.QuerySet):
                flt.queryset = scope_choices(queryset, self.request.user)
        return filterset if filterset.form.fields else None


class InspectDisplayMixin:
    """How inspect views show values: an empty one as "—" (not Wagtail's "None"), a date and time in Beijing
    time (Wagtail formats it without converting), structured data (JSON fields) as readable JSON."""

    def get_field_display_value(self, field_name, field):
        import datetime
        import json

        from django.utils.html import format_html

        from zhunru.clock import format_datetime

        custom = callable(getattr(self, f"get_{field_name}_display_value", None)) or hasattr(
            self.object, f"get_{field_name}_display")
        raw = getattr(self.object, field_name, None) if field is not None and not custom else None
        if isinstance(raw, bool):
            return _("是") if raw else _("否")
        if isinstance(raw, datetime.datetime):
            return format_datetime(raw)
        if isinstance(raw, (dict, list)):
            return format_html('<pre style="white-space:pre-wrap">{}</pre>',
                               json.dumps(raw, ensure_ascii=False, indent=2, default=str))
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value


class ScopedChooseMixin:
    """Chooser listings (and the chosen-object lookups) of a snippet, through the same scope.

    The listing is scoped in ``filter_object_list``, not ``get_object_list``: a chooser viewset's own
    ``get_object_list`` is injected into its views by Wagtail and would replace a mixin's.
    """

    scope_queryset = None

    def _scope(self):
        return self.scope_queryset(self.request) if self.scope_queryset else None

    def filter_object_list(self, objects):
        objects = super().filter_object_list(objects)
        scope = self._scope()
        return objects if scope is None else objects.filter(pk__in=scope.values("pk"))

    def get_object(self, pk):
        obj = super().get_object(pk)
        scope = self._scope()
        if scope is not None and not scope.filter(pk=obj.pk).exists():
            record_foreign_attempt(self.request, type(obj), obj.pk)
            raise Http404(_("对象不存在或您无权访问。"))
        return obj

    def get_objects(self, pks):
        objects = super().get_objects(pks)
        scope = self._scope()
        return objects if scope is None else objects.filter(pk__in=scope.values("pk"))


class YesNoColumn(Column):
    """A boolean field in a listing, as 是 / 否 (Wagtail would print True / False)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else (_("是") if value else _("否"))


def _readable_column(model, item):
    if not isinstance(item, str):
        return item
    try:
        field = model._meta.get_field(item)
    except FieldDoesNotExist:
        return item
    if isinstance(field, models.BooleanField):
        return YesNoColumn(item, label=capfirst(field.verbose_name), sort_key=item)
    return item


class ScopedSnippetViewSet(PermissionPolicyViewSetMixin, SnippetViewSet):
    def get_chooser_queryset(self, request):
        """What the chooser offers (other models' forms pick from it): by default what the user may see."""
        return self.get_queryset(request)

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update=for_update)
        if issubclass(form_class, ScopedChoicesFormMixin):
            return form_class
        return type(f"Scoped{form_class.__name__}", (ScopedChoicesFormMixin, form_class), {"__module__": __name__})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(getattr(self, "list_display", None), (list, tuple)):
            self.list_display = [_readable_column(self.model, item) for item in self.list_display]
        chooser = self.chooser_viewset_class
        scope = {"scope_queryset": staticmethod(self.get_chooser_queryset), "__module__": __name__}
        self.chooser_viewset_class = type(
            f"Scoped{chooser.__name__}",
            (chooser,),
            {
                name: type(f"Scoped{getattr(chooser, name).__name__}", (ScopedChooseMixin, getattr(chooser, name)), scope)
                for name in ("choose_view_class", "choose_results_view_class", "chosen_view_class",
                             "chosen_multiple_view_class")
            }
            | {"__module__": __name__},
        )
        for name in ("index_view_class", "index_results_view_class"):
            view_class = getattr(self, name, None)
            if isinstance(view_class, type) and not issubclass(view_class, ScopedFiltersMixin):
                setattr(self, name, type(f"Scoped{view_class.__name__}", (ScopedFiltersMixin, view_class),
                                         {"__module__": __name__}))
        for name in dir(type(self)):
            if not name.endswith("_view_class") or name in UNSCOPED_VIEWS:
                continue
            view_class = getattr(self, name)
            if not isinstance(view_class, type) or not hasattr(view_class, "get_object"):
                continue
            if issubclass(view_class, ScopedObjectMixin):
                continue
            bases = (ScopedObjectMixin, view_class)
            if hasattr(view_class, "get_field_display_value"):
                bases = (ScopedObjectMixin, InspectDisplayMixin, view_class)
            scoped = type(
                f"Scoped{view_class.__name__}",
                bases,
                {"scope_queryset": staticmethod(self.get_queryset), "__module__": __name__},
            )
            setattr(self, name, scoped)
