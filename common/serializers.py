"""Serializer fields every app's API uses."""

from rest_framework import serializers


class SlugReference(serializers.SlugRelatedField):
    """A reference to another object by its slug (or a person by username).

    Where null is allowed it clears the reference; an empty string is refused, as the schema
    says, rather than read as null (DRF's default, meant for HTML forms). A value with a NUL
    character names nothing, and is refused before PostgreSQL refuses the query.
    """

    default_error_messages = {"blank": "This field may not be blank."}

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)
