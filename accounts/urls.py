from django.urls import path

from accounts import admin_views, token_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("security/", views.security, name="security"),
    path("password/", views.password_change, name="password_change"),
    path("security/recovery-codes/", views.regenerate_recovery_codes, name="recovery_codes"),
    # Personal API tokens
    path("tokens/", token_views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
    # The hub administrator's pages
    path("admin/users/", admin_views.user_list, name="admin_user_list"),
    path("admin/users/new/", admin_views.user_create, name="admin_user_create"),
    path("admin/users/<int:user_id>/", admin_views.user_detail, name="admin_user_detail"),
    path("admin/users/<int:user_id>/edit/", admin_views.user_edit, name="admin_user_edit"),
    path(
        "admin/users/<int:user_id>/deactivate/",
        admin_views.user_deactivate,
        name="admin_user_deactivate",
    ),
    path(
        "admin/users/<int:user_id>/reactivate/",
        admin_views.user_reactivate,
        name="admin_user_reactivate",
    ),
    path(
        "admin/users/<int:user_id>/second-factor/reset/",
        admin_views.user_reset_mfa,
        name="admin_user_reset_mfa",
    ),
    path("admin/users/<int:user_id>/unlock/", admin_views.user_unlock, name="admin_user_unlock"),
    path("admin/users/<int:user_id>/roles/new/", admin_views.role_assign, name="admin_role_assign"),
    path(
        "admin/users/<int:user_id>/roles/<int:assignment_id>/end/",
        admin_views.role_end,
        name="admin_role_end",
    ),
    path("admin/area-choices/", admin_views.area_choices, name="admin_area_choices"),
    path("admin/organisations/", admin_views.organisation_list, name="admin_organisation_list"),
    path(
        "admin/organisations/new/",
        admin_views.organisation_create,
        name="admin_organisation_create",
    ),
    path(
        "admin/organisations/<int:organisation_id>/edit/",
        admin_views.organisation_edit,
        name="admin_organisation_edit",
    ),
]
