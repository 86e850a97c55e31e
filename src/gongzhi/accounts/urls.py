from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_done")),
        name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_done.html"),
         name="password_done"),
    path("register/", views.register, name="register"),
    path("password/forgotten/", views.password_forgotten, name="password_forgotten"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke", views.token_revoke, name="token_revoke"),
]

staff = [
    path("bindings/", views.binding_queue, name="binding_queue"),
    path("bindings/<int:pk>/verify", views.binding_verify, name="binding_verify"),
    path("bindings/<int:pk>/reject", views.binding_reject, name="binding_reject"),
    path("accounts/<int:pk>/reset-password", views.account_password_reset, name="account_password_reset"),
    path("data-requests/", views.data_requests, name="data_requests"),
    path("data-requests/<int:pk>/decide", views.data_request_decide, name="data_request_decide"),
    path("roles/", views.grant_list, name="grant_list"),
    path("roles/<int:pk>/revoke", views.grant_revoke, name="grant_revoke"),
]

portal = [
    path("", views.portal_home, name="home"),
    path("households/", views.portal_households, name="households"),
    path("households/bind/", views.portal_bind, name="bind"),
    path("households/<int:pk>/unbind", views.portal_unbind, name="unbind"),
    path("my-data/requests", views.portal_data_request, name="data_request"),
]
