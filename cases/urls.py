from django.urls import URLPattern, URLResolver, path

from cases.views import cases, notifications, referrals, sponsors

app_name = "cases"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", cases.case_list, name="case_list"),
    path("<int:case_id>/", cases.case_detail, name="case_detail"),
    path("<int:case_id>/do/<slug:action>/", cases.case_action, name="case_action"),
    path("<int:case_id>/note/", cases.case_note, name="case_note"),
    path("<int:case_id>/attachments/", cases.case_attachment_add, name="case_attachment_add"),
    path(
        "<int:case_id>/attachments/<int:attachment_id>/",
        cases.case_attachment,
        name="case_attachment",
    ),
    path("<int:case_id>/assessment/", cases.case_assessment, name="case_assessment"),
    path("<int:case_id>/plan/new/", cases.case_plan_item_new, name="case_plan_item_new"),
    path("<int:case_id>/plan/<int:item_id>/", cases.case_plan_item, name="case_plan_item"),
    path("<int:case_id>/consent/", cases.case_consent, name="case_consent"),
    path("<int:case_id>/follow-up/", cases.case_follow_up, name="case_follow_up"),
    path("<int:case_id>/close/", cases.case_close, name="case_close"),
    path("<int:case_id>/transfer/", cases.case_transfer, name="case_transfer"),
    path("<int:case_id>/reassign/", cases.case_reassign, name="case_reassign"),
    path("<int:case_id>/sponsor/", sponsors.case_sponsor, name="case_sponsor"),
    path("<int:case_id>/sponsor/remove/", sponsors.case_sponsor_remove, name="case_sponsor_remove"),
    path("referrals/", referrals.referral_inbox, name="referral_inbox"),
    path("referrals/new/", referrals.referral_new, name="referral_new"),
    path("referrals/<int:referral_id>/", referrals.referral_detail, name="referral_detail"),
    path(
        "referrals/<int:referral_id>/accept/",
        referrals.referral_accept_view,
        name="referral_accept",
    ),
    path(
        "referrals/<int:referral_id>/decline/",
        referrals.referral_decline_view,
        name="referral_decline",
    ),
    path(
        "referrals/<int:referral_id>/withdraw/",
        referrals.referral_withdraw_view,
        name="referral_withdraw",
    ),
    path("refer/<int:identification_id>/", referrals.refer, name="refer"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notification_read, name="notification_read"),
]
