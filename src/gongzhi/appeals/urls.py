from django.urls import path

from . import views

staff = [
    path("appeals/", views.appeal_queue, name="appeal_queue"),
    path("appeals/export.xlsx", views.appeal_export, name="appeal_export"),
    path("appeals/new", views.appeal_new, name="appeal_new"),
    path("appeals/hand-over", views.hand_over, name="hand_over"),
    path("appeals/new/residents", views.desk_resident_search, name="desk_resident_search"),
    path("appeals/new/resident", views.desk_resident_pick, name="desk_resident_pick"),
    path("appeals/new/places", views.desk_place_search, name="desk_place_search"),
    path("appeals/new/place", views.desk_place_pick, name="desk_place_pick"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/contact", views.appeal_contact, name="appeal_contact"),
    path("appeals/<int:pk>/<slug:action>", views.appeal_act, name="appeal_act"),
    path("requests/<int:pk>/<slug:decision>", views.request_decide, name="request_decide"),
    path("supervisions/<int:pk>/answer", views.supervision_answer, name="supervision_answer"),
    path("whistles/", views.cohandling_list, name="cohandling"),
    path("whistles/<int:pk>/<slug:action>", views.whistle_act, name="whistle_act"),
    path("figures/", views.figures, name="appeal_figures"),
    path("reply-templates/", views.reply_templates, name="reply_templates"),
    path("reply-templates/<int:pk>/retire", views.reply_template_retire, name="reply_template_retire"),
    path("hotline/", views.hotline_import_view, name="hotline_import"),
    path("hotline/template", views.hotline_template_view, name="hotline_template"),
    path("hotline/<int:pk>/", views.hotline_import_detail, name="hotline_import_detail"),
    path("hotline/<int:pk>/redo", views.hotline_import_redo_view, name="hotline_import_redo"),
    path("hotline/<int:pk>/errors", views.hotline_import_errors, name="hotline_import_errors"),
]
portal = [
    path("appeals/", views.portal_appeals, name="appeals"),
    path("appeals/new", views.portal_appeal_new, name="appeal_new"),
    path("appeals/similar", views.portal_appeal_similar, name="appeal_similar"),
    path("appeals/questions", views.category_questions, name="category_questions"),
    path("appeals/<int:pk>/", views.portal_appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/rate", views.portal_appeal_rate, name="appeal_rate"),
    path("appeals/<int:pk>/reopen", views.portal_appeal_reopen, name="appeal_reopen"),
    path("appeals/<int:pk>/urge", views.portal_appeal_urge, name="appeal_urge"),
    path("appeals/<int:pk>/add", views.portal_appeal_add_info, name="appeal_add_info"),
    path("appeals/<int:pk>/withdraw", views.portal_appeal_withdraw, name="appeal_withdraw"),
    path("appeals/<int:pk>/photos/<int:photo>", views.appeal_photo, name="appeal_photo"),
]
public = [
    path("track/", views.track_lookup, name="track"),
    path("t/<str:token>", views.track_link, name="track_link"),
    path("board/", views.board_index, name="board_index"),
    path("board/<int:community>/", views.board_page, name="board"),
    path("board/<int:community>/<int:pk>/support", views.board_support, name="board_support"),
]
