"""Object-level scoping for every admin view of a snippet, not only its listing.

Wagtail's snippet viewsets apply ``get_queryset(request)`` to the index view only: the edit, delete,
inspect, history, usage, copy and revision views load any object by primary key. A
``ScopedSnippetViewSet`` gives each of those views a ``get_object`` that answers 404 unless the object
is in the viewset's ``get_queryset(request)`` (department scoping lives there), so a user can reach an
object only through the same query that lists it.
"""

from django import forms
from django.http import Http404
from wagtail.snippets.views.snippets import SnippetViewSet

from zhunru.compat import PermissionPolicyViewSetMixin

# Views that do not load one existing object.
UNSCOPED_VIEWS = {"index_view_class", "add_view_class", "reorder_view_class", "preview_on_add_view_class"}


class ScopedObjectMixin:
    scope_queryset = None  # set per viewset: a function of the request returning a queryset or None

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        queryset = self.scope_queryset(self.request) if self.scope_queryset else None
        if queryset is not None and obj is not None and not queryset.filter(pk=obj.pk).exists():
            raise Http404("对象不存在或您无权访问。")
        return obj


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
            raise Http404("对象不存在或您无权访问。")
        return obj

    def get_objects(self, pks):
        objects = super().get_objects(pks)
        scope = self._scope()
        return objects if scope is None else objects.filter(pk__in=scope.values("pk"))


class ScopedChoicesFormMixin:
    """Choice fields over models with ``visible_to(user)`` (leads, cases, ledger entries, complaints) offer
    only what the user may see, plus what the object already links to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is None or user.is_superuser:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or not hasattr(field.queryset, "visible_to"):
                continue
            current = self.initial.get(name)
            current = [current] if current is not None and not isinstance(current, (list, tuple)) else current or []
            current = [getattr(c, "pk", c) for c in current]
            field.queryset = field.queryset.filter(
                pk__in=field.queryset.visible_to(user).values("pk")
            ) | field.queryset.filter(pk__in=current)


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
        for name in dir(type(self)):
            if not name.endswith("_view_class") or name in UNSCOPED_VIEWS:
                continue
            view_class = getattr(self, name)
            if not isinstance(view_class, type) or not hasattr(view_class, "get_object"):
                continue
            if issubclass(view_class, ScopedObjectMixin):
                continue
            scoped = type(
                f"Scoped{view_class.__name__}",
                (ScopedObjectMixin, view_class),
                {"scope_queryset": staticmethod(self.get_queryset), "__module__": __name__},
            )
            setattr(self, name, scoped)
