"""The label of a field's choice, looked up in a mapping made once per field.

``instance.get_status_display()`` rebuilds the field's whole choices mapping, with every label made
hashable, on each call: a few tens of microseconds that add up to milliseconds where a list page shows
fifty rows whose names include a choice (an access log entry's action, a data request's kind).
"""

from django.utils.encoding import force_str

_labels: dict = {}


def choice_label(instance, field_name: str) -> str:
    """Return what ``instance.get_<field_name>_display()`` returns."""
    field = instance._meta.get_field(field_name)
    labels = _labels.get(field)
    if labels is None:
        labels = _labels[field] = dict(field.flatchoices)
    value = getattr(instance, field.attname)
    return force_str(labels.get(value, value), strings_only=True)
