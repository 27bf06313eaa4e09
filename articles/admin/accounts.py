"""Users in the admin, with "New writer" and "New editor": one small form
makes a staff account in that role, with its byline name, and either a
password or an email with a link to set one."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles import services
from articles.html import clean_text
from articles.notifications import one_line
from articles.roles import EDITOR, WRITER

User = get_user_model()

ROLE_URLS = {"writer": WRITER, "editor": EDITOR}


class NewMemberForm(forms.Form):
    username = UsernameField(
        label=gettext_lazy("Username"),
        max_length=150,
        help_text=gettext_lazy("Used to sign in. Letters, digits and @/./+/-/_ only."),
    )
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    display_name = forms.CharField(
        label=gettext_lazy("Display name"),
        max_length=150,
        help_text=gettext_lazy("As it appears on the byline, e.g. “Wendy Okafor”."),
    )
    send_link = forms.BooleanField(
        label=gettext_lazy("Email a link to set a password"),
        required=False,
        help_text=gettext_lazy("Instead of choosing a password here. Needs the email address."),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken."))
        return username

    def clean_display_name(self) -> str:
        name = one_line(clean_text(self.cleaned_data["display_name"]), 150)
        if not name:
            raise forms.ValidationError(_("Enter a display name."))
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password1", ""), cleaned.get("password2", "")
        if cleaned.get("send_link"):
            if not cleaned.get("email") and "email" not in self.errors:
                self.add_error("email", _("The link is sent to this address: enter one."))
            if first or second:
                self.add_error(None, _("Choose a password or send a link, not both."))
            return cleaned
        if not first:
            self.add_error("password1", _("Choose a password, or tick “Email a link”."))
        elif first != second:
            self.add_error("password2", _("The two passwords differ."))
        else:
            probe = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("display_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    @transaction.atomic
    def save(self, role: str) -> User:
        data = self.cleaned_data
        user = User.objects.create_user(
            data["username"],
            data.get("email", ""),
            None if data.get("send_link") else data["password1"],
            first_name=data["display_name"],
        )
        # The role makes it a staff account (articles.roles.staff_follows_roles).
        user.groups.add(Group.objects.get(name=role))
        services.author_for(user)
        if data.get("send_link"):
            transaction.on_commit(lambda: send_set_password_link(user))
        return user


def send_set_password_link(user) -> None:
    link = settings.SITE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    body = "\n".join(
        [
            _("An account has been made for you on %(site)s, user name “%(username)s”.")
            % {"site": settings.SITE_NAME, "username": user.get_username()},
            "",
            _("Choose your password here (the link works for %(days)d days, once):")
            % {"days": days},
            link,
            "",
            _("Then sign in at %(url)s") % {"url": settings.SITE_URL + reverse("admin:index")},
        ]
    )
    send_mail(
        _("Your %(site)s account") % {"site": one_line(settings.SITE_NAME, 60)},
        body + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


class NewsroomUserAdmin(UserAdmin):
    change_list_template = "admin/auth/user/newsroom_change_list.html"

    def get_urls(self):
        return [
            path(
                "new-<str:kind>/",
                self.admin_site.admin_view(self.new_member_view),
                name="auth_user_new_member",
            ),
            *super().get_urls(),
        ]

    def new_member_view(self, request: HttpRequest, kind: str):
        role = ROLE_URLS.get(kind)
        if role is None:
            from django.http import Http404

            raise Http404
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = NewMemberForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = form.save(role)
            self.log_addition(request, user, [{"added": {}}])
            if form.cleaned_data.get("send_link"):
                note = _("An email with a link to set the password went to %(email)s.") % {
                    "email": user.email
                }
            else:
                note = ""
            self.message_user(
                request,
                " ".join(
                    [
                        _("%(name)s can now sign in as a %(role)s.")
                        % {"name": user.get_full_name(), "role": _(role).lower()},
                        note,
                    ]
                ).strip(),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("New writer") if role == WRITER else _("New editor"),
            "form": form,
            "opts": self.opts,
            "role": role,
        }
        return TemplateResponse(request, "admin/auth/user/new_member.html", context)


admin.site.unregister(User)
admin.site.register(User, NewsroomUserAdmin)
