from django.urls import path

from . import views

staff = [
    path("hotspots/", views.hotspot_list, name="hotspots"),
    path("hotspots/refresh", views.hotspot_refresh, name="hotspot_refresh"),
    path("hotspots/<int:pk>/task", views.hotspot_task, name="hotspot_task"),
    path("appeals/<int:pk>/reply-check/", views.reply_check, name="reply_check"),
]
