"""The backup's database format: Django's JSON Lines with datetimes and times to the microsecond.

Django's JSON encoder cuts them to milliseconds (ECMA-262 style). The audit chain hashes timestamps to
the microsecond, so a dump in Django's own JSON would restore into a chain that no longer verifies.
"""

import datetime

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Deserializer  # noqa: F401 (the format's reader)
from django.core.serializers.jsonl import Serializer as JSONLSerializer

FORMAT = "zhunru-jsonl"


class FullPrecisionEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONLSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = FullPrecisionEncoder


def register() -> None:
    if FORMAT not in serializers.get_serializer_formats():
        serializers.register_serializer(FORMAT, __name__)
