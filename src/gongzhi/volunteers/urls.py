from django.urls import path

from .views import portal as p
from .views import staff as s

staff = [
    path("volunteers/", s.volunteer_list, name="volunteer_list"),
    path("volunteers/new", s.volunteer_new, name="volunteer_new"),
    path("volunteers/<int:pk>/", s.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/<slug:action>", s.volunteer_act, name="volunteer_act"),
    path("volunteers/rosters/", s.rosters, name="rosters"),
    path("volunteers/shifts/<int:pk>/", s.shift_detail, name="shift_detail"),
    path("volunteers/shifts/<int:pk>/<slug:action>", s.shift_act, name="shift_act"),
    path("volunteers/teams/", s.teams, name="volunteer_teams"),
    path("volunteers/hours/", s.hours, name="volunteer_hours"),
    path("volunteers/shop/", s.shop, name="shop"),
    path("volunteers/shop/items/<int:pk>/<slug:action>", s.item_act, name="item_act"),
    path("volunteers/shop/orders/<int:pk>/<slug:action>", s.order_act, name="shop_order_act"),
    path("volunteers/errands/", s.errands, name="errands"),
    path("volunteers/errands/<int:pk>/<slug:action>", s.errand_act, name="errand_act"),
]
portal_patterns = [
    path("volunteer/", p.home, name="volunteer_home"),
    path("volunteer/join", p.register, name="volunteer_register"),
    path("volunteer/shifts/", p.shifts, name="volunteer_shifts"),
    path("volunteer/shifts/<int:pk>/<slug:action>", p.shift_act, name="volunteer_shift_act"),
    path("volunteer/signups/<int:pk>/<slug:action>", p.signup_act, name="volunteer_signup_act"),
    path("volunteer/check/<str:code>", p.check, name="volunteer_check"),
    path("volunteer/points/", p.points, name="volunteer_points"),
    path("volunteer/shop/", p.shop, name="volunteer_shop"),
    path("volunteer/shop/<int:pk>/order", p.order, name="volunteer_order"),
    path("volunteer/orders/<int:pk>/cancel", p.order_cancel, name="volunteer_order_cancel"),
    path("volunteer/errands/", p.errands, name="volunteer_errands"),
    path("volunteer/errands/<int:pk>/<slug:action>", p.errand_act, name="volunteer_errand_act"),
    path("volunteer/team/", p.team, name="volunteer_team"),
    path("volunteer/team/<int:shift>/<int:volunteer>/<slug:action>", p.team_act, name="volunteer_team_act"),
    path("errands/", p.resident_errands, name="errands"),
    path("errands/<int:pk>/<slug:action>", p.resident_errand_act, name="errand_act"),
]
