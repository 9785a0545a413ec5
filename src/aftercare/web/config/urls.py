"""The site's URLs: staff pages under /clinic/, the patient portal under /p/, the API under
/api/."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from aftercare.web import health, home
from aftercare.web.api.main import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "login",
        auth_views.LoginView.as_view(
            template_name="aftercare/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include(("aftercare.web.accounts.urls", "accounts"))),
    path("clinic/", include(("aftercare.web.staff.urls", "staff"))),
    path("p/", include(("aftercare.web.portal.urls", "portal"))),
    path("api/", api.urls),
]
