from django.urls import path

from .views import portal
from .views import staff as s

staff = [
    path("deliberation/", s.topic_board, name="topic_board"),
    path("deliberation/figures/", s.figures, name="deliberation_figures"),
    path("deliberation/councils/", s.council_list, name="council_list"),
    path("deliberation/councils/<int:pk>/", s.council_detail, name="council_detail"),
    path("deliberation/members/<int:pk>/unseat", s.member_unseat, name="member_unseat"),
    path("deliberation/topics/new", s.topic_new, name="topic_new"),
    path("deliberation/topics/<int:pk>/", s.topic_detail, name="topic_detail"),
    path("deliberation/topics/<int:pk>/<slug:action>", s.topic_act, name="topic_act"),
    path("deliberation/objections/<int:pk>/<slug:decision>", s.objection_act, name="objection_act"),
    path("deliberation/meetings/<int:pk>/", s.meeting, name="meeting"),
    path("deliberation/meetings/<int:pk>/<slug:action>", s.meeting_act, name="meeting_act"),
    path("deliberation/votes/<int:pk>/", s.vote_page, name="vote"),
    path("deliberation/votes/<int:pk>/ballots/<int:ballot>/sheet", s.ballot_sheet, name="ballot_sheet"),
    path("deliberation/votes/<int:pk>/<slug:action>", s.vote_act, name="vote_act"),
    path("deliberation/projects/<int:pk>/", s.project_page, name="project"),
    path("deliberation/projects/<int:pk>/<slug:action>", s.project_act, name="project_act"),
]
portal_patterns = [
    path("topics/", portal.topics, name="topics"),
    path("topics/new", portal.topic_new, name="topic_new"),
    path("topics/<int:pk>/", portal.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/<slug:action>", portal.topic_act, name="topic_act"),
]
public = [
    path("resolutions/", portal.resolutions, name="resolutions"),
    path("resolutions/<int:pk>/", portal.resolution_detail, name="resolution"),
]
