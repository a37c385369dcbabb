from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class SignInForm(AuthenticationForm):
    """The password sign-in. With PASSWORD_LOGIN off, a refused password says why rather than
    "wrong password" (without telling who is a superuser: every refusal reads the same)."""

    PASSWORDS_OFF = (
        "Passwords are turned off here: sign in with single sign-on. (Administrators can "
        "still sign in with their password.)"
    )

    def get_invalid_login_error(self) -> ValidationError:
        if not settings.PASSWORD_LOGIN:
            return ValidationError(self.PASSWORDS_OFF, code="passwords_off")
        return super().get_invalid_login_error()
