from django.urls import path

from .views import portal as p
from .views import staff as s

staff = [
    path("care/", s.network, name="care_network"),
    path("care/do/<slug:action>", s.network_act, name="care_act"),
    path("care/visits/", s.visits, name="care_visits"),
    path("care/households/<int:pk>/visit", s.visit, name="care_visit"),
    path("care/patches/", s.patches, name="care_patches"),
    path("care/party/", s.party, name="party"),
]
portal_patterns = [
    path("care/", p.home, name="care"),
    path("care/households/<int:pk>/visit", p.visit, name="care_visit"),
    path("care/ask", p.ask, name="care_ask"),
    path("care/requests/<int:pk>/<slug:action>", p.request_act, name="care_request_act"),
    path("party/", p.party, name="party"),
    path("party/posts/<int:pk>/<slug:action>", p.post_act, name="party_post_act"),
]
