"""Admin widgets shared by the editorial admins."""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class ValidChoicesOnly:
    """Autocomplete widgets that re-render a refused form without crashing.

    Django's autocomplete queries the submitted values as they are, so a
    crafted "abc" or an overflowing id becomes a 500 when the form is shown
    again with its errors; the form field itself has already said what is
    wrong, so the widget simply leaves such values out.
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        valid = []
        for item in value:
            try:
                number = target.to_python(item)
            except ValidationError:
                continue
            if isinstance(number, int) and not -(2**63) <= number < 2**63:
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(ValidChoicesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidChoicesOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdmin:
    """Use the widgets above for ``autocomplete_fields``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
