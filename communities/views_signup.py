"""Sign-up in the phone portal: a resident account and its household claim in one form."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from . import signup as signup_service
from .signup import SignupForm


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not signup_service.allow_signup(request):
            form.is_valid()  # keep what was typed on the page
            return render(
                request,
                "communities/signup.html",
                {"form": form, "limited": True},
                status=429,
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = signup_service.signup(
                    name=data["resident_name"],
                    phone=data["phone"],
                    password=data["password1"],
                    email=data.get("email", ""),
                    household=data["household"],
                    note=data.get("note", ""),
                    request=request,
                    # Fields the verification request form may add (relation, evidence).
                    **{k: data[k] for k in ("relation", "certificate") if data.get(k)},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _(
                        "Your account is created. Community staff will check your household; "
                        "you can take part once they approve."
                    ),
                )
                return redirect("home")
    return render(request, "communities/signup.html", {"form": form})
